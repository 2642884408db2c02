import Foundation
@preconcurrency import Glibc
import GrafanaSimulator

/// The daemon (`grafana-jit run`, a child process) at the scale of a real access repository, against the in-process
/// simulator holding 5,000 users, 500 data sources and 200 teams: the cold pass, the steady resync's CPU, file to
/// permission latency, expiry lateness, peak memory, and a restart with overdue revocations.
struct DaemonScenario {
    var grants: Int
    var binary: String
    var samples: Int
    var overdue: Int
    var resync = 15

    struct Figures {
        var coldSeconds: Double
        var coldCPUSeconds: Double
        /// Each steady interval: its full resync and the slices after it.
        var resyncCPUSeconds: [Double]
        var resyncReads: Int
        var resyncWrites: Int
        /// Each step of those intervals on its own (from the previous step's end, so with the idle time between).
        var steps: [Step]
        var latencies: [Double]
        var lateness: [Double]
        var peakResidentMiB: Double
        /// From the restarted process's start to the last overdue permission gone.
        var restartSeconds: Double
    }

    /// One step of the spread resync: `resync` (the full one) or `resyncSlice`, with what it cost.
    struct Step {
        var trigger: String
        var cpuSeconds: Double
        var reads: Int
    }

    func run() async throws -> Figures {
        let root = NSTemporaryDirectory() + "grafana-jit-bench-daemon-" + UUID().uuidString
        defer {
            // A leftover temp folder is harmless; a failed cleanup should not fail the benchmark.
            try? FileManager.default.removeItem(atPath: root)
        }
        let (bindings, _) = try ControllerScenario.writeRepository(root + "/repo", grants: grants)
        let (grafana, server) = try ControllerScenario.simulator()
        defer { server.shutdown() }
        let arguments = [
            binary, "run", "--grants", root + "/repo/grants", "--policies", root + "/repo/policies", "--state",
            root + "/state", "--grafana-url", "http://127.0.0.1:\(server.port)", "--resync", "\(resync)s",
            "--log-format", "json", "--discover-interval", "0",
        ]
        var daemon = try Child.spawn(arguments, log: root + "/daemon-1.log")
        let started = Date()
        try await waitUntil(deadline: 300) { grafana.statistics.writes >= bindings }
        let passes = try await waitForPasses(1, in: daemon)
        var figures = Figures(
            coldSeconds: passes[0].time.timeIntervalSince(started), coldCPUSeconds: passes[0].cpu, resyncCPUSeconds: [],
            resyncReads: 0, resyncWrites: 0, steps: [], latencies: [], lateness: [], peakResidentMiB: 0,
            restartSeconds: .nan)

        // The two resync intervals after the first full resync (the first one's slices read back the cold pass's
        // writes): the CPU each interval and each step costs, its reads, and that they write nothing.
        let steady = try await resyncSteps(until: 3, in: daemon, grafana: grafana).drop { $0.trigger != "resync" }
        let resyncs = steady.filter { $0.trigger == "resync" }
        figures.resyncCPUSeconds = zip(resyncs, resyncs.dropFirst()).map { $1.cpu - $0.cpu }
        if let first = resyncs.first, let last = resyncs.last {
            (figures.resyncReads, figures.resyncWrites) = ((last.reads - first.reads) / 2, last.writes - first.writes)
        }
        figures.steps = zip(steady, steady.dropFirst()).map { previous, step in
            Step(trigger: step.trigger, cpuSeconds: step.cpu - previous.cpu, reads: step.reads - previous.reads)
        }

        for index in 0..<samples {
            let user = 1000 + index
            let written = Date()
            try Self.grant(
                "latency-\(index)", user: user, dataSource: (user + 1) % 500, end: "duration: 1h", in: root)
            try await waitUntil(deadline: 30) {
                !grafana.userDataSourcePermissions(among: ["user\(user)@uid\((user + 1) % 500)"]).isEmpty
            }
            figures.latencies.append(Date().timeIntervalSince(written))
        }
        figures.lateness = try await expire(grafana, root: root)

        // Overdue revocations: grants applied, the daemon stopped, their end passed, then a restart.
        let end = Date().addingTimeInterval(20).timeIntervalSince1970.rounded(.up)
        var pending = Set<String>()
        for index in 0..<overdue {
            let user = 3000 + index % 2000
            let source = (user + 3 + index / 2000) % 500
            pending.insert("user\(user)@uid\(source)")
            try Self.grant(
                "overdue-\(index)", user: user, dataSource: source,
                end: "expiresAt: \(Date(timeIntervalSince1970: end).rfc3339)", in: root)
        }
        try await waitUntil(deadline: 60) { grafana.userDataSourcePermissions(among: pending) == pending }
        figures.peakResidentMiB = Double(daemon.peakResidentBytes) / 1_048_576
        try await daemon.stop()
        while Date().timeIntervalSince1970 < end + 1 { try await Task.sleep(for: .milliseconds(100)) }
        daemon = try Child.spawn(arguments, log: root + "/daemon-2.log")
        let restarted = Date()
        try await waitUntil(deadline: 120) { grafana.userDataSourcePermissions(among: pending).isEmpty }
        figures.restartSeconds = Date().timeIntervalSince(restarted)
        figures.peakResidentMiB = max(figures.peakResidentMiB, Double(daemon.peakResidentBytes) / 1_048_576)
        try await daemon.stop()
        return figures
    }

    /// Grants ending over 20 seconds, written at once; each revocation's delay past its `expiresAt`.
    private func expire(_ grafana: SimulatedGrafana, root: String) async throws -> [Double] {
        let base = Date().addingTimeInterval(10).timeIntervalSince1970.rounded(.up)
        var ends: [String: Date] = [:]
        for index in 0..<samples {
            let user = 2000 + index
            let end = Date(timeIntervalSince1970: base + Double(index % 20))
            ends["user\(user)@uid\((user + 2) % 500)"] = end
            try Self.grant(
                "expiry-\(index)", user: user, dataSource: (user + 2) % 500, end: "expiresAt: \(end.rfc3339)", in: root)
        }
        let keys = Set(ends.keys)
        try await waitUntil(deadline: 60) { grafana.userDataSourcePermissions(among: keys) == keys }
        var revoked: [String: Date] = [:]
        while revoked.count < ends.count, Date() < Date(timeIntervalSince1970: base + 120) {
            let current = grafana.userDataSourcePermissions(among: keys)
            for key in ends.keys where revoked[key] == nil && !current.contains(key) { revoked[key] = Date() }
            try await Task.sleep(for: .milliseconds(10))
        }
        return ends.compactMap { key, end in revoked[key].map { $0.timeIntervalSince(end) } }
    }

    private static func grant(_ name: String, user: Int, dataSource: Int, end: String, in root: String) throws {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec:
              subject: {user: user\(user)@example.com}
              access: [{dataSource: ds\(dataSource), permission: Query}]
              \(end)
              reason: daemon benchmark
            """
        let path = root + "/repo/grants/bench-\(name).yaml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    }

    private func waitUntil(deadline seconds: TimeInterval, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw BenchmarkError.usage("timed out waiting for the controller") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The first `count` completed passes from the daemon's log, with the daemon's CPU time read when each was seen.
    private func waitForPasses(_ count: Int, in child: Child) async throws -> [(
        time: Date, cpu: Double
    )] {
        var seen: [(Date, Double)] = []
        var lines = 0
        let deadline = Date().addingTimeInterval(Double(resync * (count + 2)) + 300)
        while seen.count < count {
            guard Date() < deadline else { throw BenchmarkError.usage("timed out waiting for a pass") }
            let completed = child.logLines().filter { $0.contains("\"pass.completed\"") }
            if completed.count > lines {
                seen += Array(repeating: (Date(), child.cpuSeconds), count: completed.count - lines)
                lines = completed.count
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return Array(seen.prefix(count))
    }

    /// The resync's steps (`pass.completed` with trigger `resync` or `resyncSlice`) until the `count`th full
    /// resync, each with the daemon's CPU and the simulator's reads and writes when it was seen.
    private func resyncSteps(until count: Int, in child: Child, grafana: SimulatedGrafana) async throws -> [(
        trigger: String, cpu: Double, reads: Int, writes: Int
    )] {
        var seen: [(trigger: String, cpu: Double, reads: Int, writes: Int)] = []
        var lines = 0
        let deadline = Date().addingTimeInterval(Double(resync * (count + 2)) + 300)
        while seen.filter({ $0.trigger == "resync" }).count < count {
            guard Date() < deadline else { throw BenchmarkError.usage("timed out waiting for a resync") }
            let completed = child.logLines().filter { $0.contains("\"pass.completed\"") }
            let (cpu, statistics) = (child.cpuSeconds, grafana.statistics)
            for line in completed.dropFirst(lines) {
                for trigger in ["resync", "resyncSlice"] where line.contains("\"trigger\":\"\(trigger)\"") {
                    seen.append((trigger, cpu, statistics.reads, statistics.writes))
                }
            }
            lines = completed.count
            try await Task.sleep(for: .milliseconds(50))
        }
        return seen
    }
}

/// A `grafana-jit` child that keeps running: its log, CPU time and peak memory read from /proc while it runs.
private struct Child {
    var pid: pid_t
    var log: String

    static func spawn(_ arguments: [String], log: String) throws -> Child {
        let pid = try ProcessMeasurement.spawn(arguments, environment: ["GRAFANA_TOKEN": "glsa_bench"], stderr: log)
        return Child(pid: pid, log: log)
    }

    func logLines() -> [Substring] {
        // A log not written yet reads as no lines; the caller's deadline reports a daemon that never logs.
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n")
    }

    /// User plus system time so far, from /proc/PID/stat (fields 14 and 15, in clock ticks).
    var cpuSeconds: Double {
        // A process that is gone has no more CPU to report.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return .nan }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return .nan }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// VmHWM from /proc/PID/status.
    var peakResidentBytes: Int {
        // A process that is gone has no peak to report.
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
            let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }

    /// SIGTERM, then waits for the exit on a thread of its own (never blocking the pool serving the simulator).
    func stop() async throws {
        kill(pid, SIGTERM)
        let pid = self.pid
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 {
                    guard errno == EINTR else {
                        return continuation.resume(throwing: BenchmarkError.waitFailed(errno: errno))
                    }
                }
                continuation.resume()
            }.start()
        }
    }
}
