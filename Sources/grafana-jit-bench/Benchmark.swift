import Foundation

/// `grafana-jit-bench validate [--files N] [--runs R] [--keep DIR]`: times `grafana-jit validate` on a generated
/// repository of N grant files, R runs after one warm-up, and prints medians as a table and as JSON.
/// `grafana-jit-bench client [--requests N] [--runs R]`: the Grafana client's loopback throughput against the
/// simulator, median requests per second over R runs.
/// `grafana-jit-bench controller [--grants N,...] [--runs R]`: cold and steady passes of `grafana-jit run --once`
/// and of the naive per-grant baseline, medians over R runs per size.
/// `grafana-jit-bench timing [--samples N]`: file-to-permission latency and expiry lateness of the daemon.
/// `grafana-jit-bench daemon [--grants N] [--samples N] [--overdue N] [--resync S]`: the daemon at scale (cold pass,
/// resync CPU, latency, lateness, peak memory, restart with overdue revocations).
@main
struct Benchmark {
    static let usage = """
        usage: grafana-jit-bench validate [--files N] [--runs R] [--keep DIR]
               grafana-jit-bench client [--requests N] [--runs R]
               grafana-jit-bench controller [--grants N[,N...]] [--runs R] [--baseline yes|no]
               grafana-jit-bench timing [--samples N]
               grafana-jit-bench daemon [--grants N] [--samples N] [--overdue N] [--resync SECONDS]
        """

    static func main() async {
        do {
            let arguments = Array(CommandLine.arguments.dropFirst())
            switch arguments.first {
            case "validate": try run(arguments)
            case "client": try await client(arguments)
            case "controller": try await controller(arguments)
            case "timing": try await timing(arguments)
            case "daemon": try await daemon(arguments)
            default: throw BenchmarkError.usage(usage)
            }
        } catch {
            FileHandle.standardError.write(Data("grafana-jit-bench: \(error)\n".utf8))
            exit(2)
        }
    }

    static func client(_ arguments: [String]) async throws {
        var options = ["--requests": "2000", "--runs": "5"]
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard options[flag] != nil, let value = rest.popFirst() else { throw BenchmarkError.usage(usage) }
            options[flag] = value
        }
        guard let requests = Int(options["--requests"] ?? ""), requests >= 8, let runs = Int(options["--runs"] ?? ""),
            runs > 0
        else { throw BenchmarkError.usage(usage) }
        var samples: [String: [Double]] = [:]
        var order: [String] = []
        for run in 0...runs {
            for (name, rate) in try await ClientScenario(requests: requests).run() where run > 0 {
                if samples[name] == nil { order.append(name) }
                samples[name, default: []].append(rate)
            }
        }
        print("| call | requests per run | runs | req/s min | req/s median | req/s max |")
        print("|---|---|---|---|---|---|")
        for name in order {
            let values = samples[name] ?? []
            print(
                String(
                    format: "| %@ | %d | %d | %.0f | %.0f | %.0f |", name, requests, values.count, values.min() ?? 0,
                    median(values), values.max() ?? 0))
        }
    }

    /// Median figures over `--runs` runs per size, as a table (with the naive baseline's ratio) and as JSON.
    static func controller(_ arguments: [String]) async throws {
        var options = ["--grants": "1000,10000", "--runs": "3", "--baseline": "yes"]
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard options[flag] != nil, let value = rest.popFirst() else { throw BenchmarkError.usage(usage) }
            options[flag] = value
        }
        let sizes = (options["--grants"] ?? "").split(separator: ",").compactMap { Int($0) }
        guard !sizes.isEmpty, sizes.allSatisfy({ $0 > 0 }), let runs = Int(options["--runs"] ?? ""), runs > 0 else {
            throw BenchmarkError.usage(usage)
        }
        var rows: [[String: Double]] = []
        for grants in sizes {
            var samples: [ControllerScenario.Figures] = []
            for _ in 0..<runs {
                var scenario = ControllerScenario(grants: grants, binary: sibling("grafana-jit"))
                scenario.withBaseline = options["--baseline"] != "no"
                samples.append(try await scenario.run())
            }
            func value(_ pick: (ControllerScenario.Figures) -> Double) -> Double { median(samples.map(pick)) }
            rows.append([
                "grants": Double(grants), "runs": Double(runs),
                "coldSeconds": value { $0.cold.seconds }, "coldReads": value { Double($0.cold.reads) },
                "coldWrites": value { Double($0.cold.writes) }, "neededWrites": value { Double($0.neededWrites) },
                "touchedResources": value { Double($0.touchedResources) },
                "steadySeconds": value { $0.steady.seconds }, "steadyReads": value { Double($0.steady.reads) },
                "steadyWrites": value { Double($0.steady.writes) }, "peakRSSMiB": value { $0.peakResidentMiB },
                "coldCPU": value { $0.cold.cpuSeconds }, "steadyCPU": value { $0.steady.cpuSeconds },
                "coldCPUPerCallMs": value {
                    1000 * $0.cold.cpuSeconds / Double(max(1, $0.cold.reads + $0.cold.writes))
                },
                "naiveColdSeconds": value { $0.naiveCold.seconds },
                "naiveColdReads": value { Double($0.naiveCold.reads) },
                "naiveColdWrites": value { Double($0.naiveCold.writes) },
                "naiveSteadySeconds": value { $0.naiveSteady.seconds },
                "naiveSteadyReads": value { Double($0.naiveSteady.reads) },
            ])
        }
        print(
            "| grants | runs | cold pass (s) | cold reads | cold writes | needed writes | touched resources | steady pass (s) | steady reads | steady writes | peak RSS (MiB) | naive cold (s) | naive cold reads | naive cold writes | naive steady (s) | naive steady reads | cold time vs naive | cold calls vs naive | steady time vs naive | steady reads vs naive |"
        )
        print("|" + String(repeating: "---|", count: 20))
        for row in rows {
            func get(_ key: String) -> Double { row[key] ?? .nan }
            print(
                String(
                    format:
                        "| %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f | %.0f | %.3f | %.3f | %.3f | %.3f |",
                    get("grants"), get("runs"), get("coldSeconds"), get("coldReads"), get("coldWrites"),
                    get("neededWrites"), get("touchedResources"), get("steadySeconds"), get("steadyReads"),
                    get("steadyWrites"), get("peakRSSMiB"), get("naiveColdSeconds"), get("naiveColdReads"),
                    get("naiveColdWrites"), get("naiveSteadySeconds"), get("naiveSteadyReads"),
                    get("coldSeconds") / get("naiveColdSeconds"),
                    (get("coldReads") + get("coldWrites")) / (get("naiveColdReads") + get("naiveColdWrites")),
                    get("steadySeconds") / get("naiveSteadySeconds"), get("steadyReads") / get("naiveSteadyReads")))
        }
        print("\n| grants | cold CPU (s) | cold CPU per Grafana call (ms) | steady CPU (s) |\n|---|---|---|---|")
        for row in rows {
            func get(_ key: String) -> Double { row[key] ?? .nan }
            print(
                String(
                    format: "| %.0f | %.2f | %.3f | %.2f |", get("grants"), get("coldCPU"), get("coldCPUPerCallMs"),
                    get("steadyCPU")))
        }
        let json = try JSONSerialization.data(
            withJSONObject: ["scenario": "controller", "results": rows.map { $0.filter { $0.value.isFinite } }],
            options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    /// A binary built beside this one.
    static func sibling(_ name: String) -> String {
        URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent(name).path
    }

    static func timing(_ arguments: [String]) async throws {
        var samples = 200
        if arguments.count == 3, arguments[1] == "--samples", let value = Int(arguments[2]), value > 0 {
            samples = value
        } else if arguments.count != 1 {
            throw BenchmarkError.usage(usage)
        }
        let figures = try await TimingScenario(latencySamples: samples, expiries: samples).run()
        print("| measure | samples | p50 (ms) | p99 (ms) | max (ms) |")
        print("|---|---|---|---|---|")
        for (name, values) in [
            ("file written to permission visible", figures.latencies), ("expiry lateness", figures.lateness),
        ] {
            print(
                String(
                    format: "| %@ | %d | %.0f | %.0f | %.0f |", name, values.count, percentile(values, 0.5) * 1000,
                    percentile(values, 0.99) * 1000, (values.max() ?? .nan) * 1000))
        }
        let json = try JSONSerialization.data(
            withJSONObject: [
                "scenario": "timing", "latencySamples": figures.latencies.count,
                "latencyP50Ms": percentile(figures.latencies, 0.5) * 1000,
                "latencyP99Ms": percentile(figures.latencies, 0.99) * 1000, "expiries": figures.lateness.count,
                "latenessP50Ms": percentile(figures.lateness, 0.5) * 1000,
                "latenessP99Ms": percentile(figures.lateness, 0.99) * 1000,
            ], options: [.sortedKeys])
        print(String(decoding: json, as: UTF8.self))
    }

    static func daemon(_ arguments: [String]) async throws {
        var options = ["--grants": 10000, "--samples": 50, "--overdue": 1000, "--resync": 15]
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard options[flag] != nil, let value = rest.popFirst().flatMap({ Int($0) }), value > 0 else {
                throw BenchmarkError.usage(usage)
            }
            options[flag] = value
        }
        var scenario = DaemonScenario(
            grants: options["--grants"] ?? 0, binary: sibling("grafana-jit"), samples: options["--samples"] ?? 0,
            overdue: options["--overdue"] ?? 0)
        scenario.resync = options["--resync"] ?? 15
        let figures = try await scenario.run()
        let rows: [(String, String, String)] = [
            ("cold pass (start to converged), wall", String(format: "%.2f s", figures.coldSeconds), "≤ 5 s"),
            ("cold pass, controller CPU", String(format: "%.2f s", figures.coldCPUSeconds), ""),
            (
                "steady resync interval (the resync and its slices), controller CPU (each)",
                figures.resyncCPUSeconds.map { String(format: "%.2f s", $0) }.joined(separator: ", "), "≤ 0.5 s"
            ),
            (
                "steady resync interval, Grafana calls (each)",
                "\(figures.resyncReads) reads, \(figures.resyncWrites) writes", "0 writes"
            ),
            (
                "steady resync steps, controller CPU and reads (each, with the idle time before it)",
                figures.steps.map { "\($0.trigger) " + String(format: "%.2f s, %d reads", $0.cpuSeconds, $0.reads) }
                    .joined(separator: ", "), ""
            ),
            (
                "file written → permission visible",
                String(
                    format: "p50 %.0f ms, p99 %.0f ms (%d)", percentile(figures.latencies, 0.5) * 1000,
                    percentile(figures.latencies, 0.99) * 1000, figures.latencies.count), "p99 ≤ 100 ms"
            ),
            (
                "expiry lateness",
                String(
                    format: "p50 %.0f ms, p99 %.0f ms (%d)", percentile(figures.lateness, 0.5) * 1000,
                    percentile(figures.lateness, 0.99) * 1000, figures.lateness.count), "p99 ≤ 100 ms"
            ),
            ("peak RSS (daemon)", String(format: "%.0f MiB", figures.peakResidentMiB), "≤ 64 MB"),
            (
                "restart with \(options["--overdue"] ?? 0) overdue: all revoked",
                String(format: "%.2f s", figures.restartSeconds), "≤ 2 s"
            ),
        ]
        print("| measure (\(options["--grants"] ?? 0) grants) | measured | goal |")
        print("|---|---|---|")
        for (name, value, goal) in rows { print("| \(name) | \(value) | \(goal) |") }
    }

    static func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        return sorted.count % 2 == 1
            ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func run(_ arguments: [String]) throws {
        var options = ["--files": "10000", "--runs": "5"]
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard ["--files", "--runs", "--keep"].contains(flag), let value = rest.popFirst() else {
                throw BenchmarkError.usage("unknown or incomplete option \(flag)")
            }
            options[flag] = value
        }
        guard let files = Int(options["--files"] ?? ""), files > 0, let runs = Int(options["--runs"] ?? ""), runs > 0
        else {
            throw BenchmarkError.usage("--files and --runs take positive integers")
        }
        let root = options["--keep"] ?? NSTemporaryDirectory() + "grafana-jit-bench-" + UUID().uuidString
        try ValidateScenario(grants: files).write(to: root)
        defer {
            // Only the generated folder is removed; --keep leaves it for /usr/bin/time -v. A leftover temp folder
            // is harmless, so a failed removal is not worth failing the benchmark for.
            if options["--keep"] == nil { try? FileManager.default.removeItem(atPath: root) }
        }
        let binary = sibling("grafana-jit")
        var measurements: [ProcessMeasurement] = []
        for run in 0...runs {
            let measurement = try ProcessMeasurement.run([
                binary, "validate", "--grants", root + "/grants", "--policies", root + "/policies", "--policies",
                root + "/bundles",
            ])
            guard measurement.status == 0 else { throw BenchmarkError.unexpectedStatus(measurement.status) }
            if run > 0 { measurements.append(measurement) }
        }
        report(files: files, measurements)
    }

    static func report(files: Int, _ measurements: [ProcessMeasurement]) {
        let walls = measurements.map(\.wallSeconds)
        let memory = measurements.map { Double($0.peakResidentBytes) / 1_048_576 }
        let row = String(
            format: "| validate | %d | %d | %.3f | %.3f | %.3f | %.1f |", files, measurements.count, walls.min() ?? 0,
            median(walls), walls.max() ?? 0, median(memory))
        print(
            "| scenario | grant files | runs | wall min (s) | wall median (s) | wall max (s) | peak RSS median (MiB) |")
        print("|---|---|---|---|---|---|---|")
        print(row)
        print(
            String(
                format:
                    "{\"scenario\":\"validate\",\"files\":%d,\"runs\":%d,\"wallMedianSeconds\":%.4f,\"peakRSSMedianMiB\":%.1f}",
                files, measurements.count, median(walls), median(memory)))
    }
}
