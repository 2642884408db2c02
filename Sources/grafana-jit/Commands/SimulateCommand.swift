import Foundation
import GrafanaSimulator
import HTTPServer

/// `grafana-jit simulate --fixture FILE --listen ADDR`: the Grafana API simulator as a process, for tests, demos
/// and benchmarks. Runs until SIGINT or SIGTERM.
struct SimulateCommand: Command {
    static let name = "simulate"
    static let abstract = "Run the Grafana API simulator (for tests, demos and benchmarks)."
    static let usage = "--fixture FILE [--listen HOST:PORT] [--faults JSON]"
    static let summary = """
        Serves an in-memory Grafana seeded from a fixture file, answering the API as Grafana does, with fault \
        injection and a test-only control surface under /__sim (state, reset, faults, requests, stats). Port 0 \
        picks a free port; the address is logged on stderr.
        """
    static let options: [OptionSpec] = [
        .value("fixture", "FILE", environment: "GRAFANA_JIT_SIM_FIXTURE", help: "Users, teams, data sources (YAML)."),
        .value(
            "listen", "HOST:PORT", environment: "GRAFANA_JIT_SIM_LISTEN",
            help: "Address to serve (default 127.0.0.1:3000)."),
        .value(
            "faults", "JSON", environment: "GRAFANA_JIT_SIM_FAULTS",
            help: "Initial fault plan, e.g. {\"errorRate\":0.1,\"latencyMilliseconds\":20}."),
    ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        guard let fixture = arguments.value("fixture") else {
            throw UsageError.missingArgument("--fixture FILE", command: Self.name)
        }
        let (host, port) = try ListenAddress.parse(arguments.value("listen") ?? "127.0.0.1:3000", option: "listen")
        var faults = FaultPlan()
        if let text = arguments.value("faults") {
            // Absence of a plan is the answer here; the usage error says what was expected.
            guard let plan = try? JSONDecoder().decode(FaultPlan.self, from: Data(text.utf8)), plan.problem == nil
            else {
                throw UsageError.invalidValue(option: "faults", value: text, expected: "a JSON fault plan within range")
            }
            faults = plan
        }
        guard let bytes = FileManager.default.contents(atPath: fixture) else {
            console.writeError("grafana-jit: error: cannot read fixture \(fixture)\n")
            return .usage
        }
        let grafana: SimulatedGrafana
        do {
            grafana = try SimulatedGrafana(fixture: Array(bytes), path: fixture, faults: faults)
        } catch {
            console.writeError("\(error)\n")
            return .usage
        }
        let server = try HTTPServer.start(host: host, port: port) { await grafana.handle($0) }
        console.writeError("level=info event=simulator.started url=http://\(host):\(server.port) fixture=\(fixture)\n")
        let signal = await TerminationSignals().first()
        server.shutdown()
        console.writeError("level=info event=simulator.stopped signal=\(signal)\n")
        return .success
    }
}

/// `HOST:PORT` for `--listen` options; IPv4 only, as the HTTP server binds.
enum ListenAddress {
    /// `127.0.0.1:9464`, `0.0.0.0:9464`, `localhost:0`, `[::1]:9464` or `[::]:9464`: a numeric address (or
    /// `localhost`) and a port, checked before anything starts.
    static func parse(_ text: String, option: String) throws(UsageError) -> (String, Int) {
        let invalid = UsageError.invalidValue(
            option: option, value: text, expected: "HOST:PORT with a numeric address, e.g. 127.0.0.1:3000 or [::1]:3000"
        )
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
            (0...65_535).contains(port)
        else { throw invalid }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") {
            host = String(host.dropFirst().dropLast())
        } else if host.contains(":") {
            throw invalid  // an IPv6 address needs brackets, or its last group reads as the port
        }
        if host == "localhost" { host = "127.0.0.1" }
        // Only whether it binds matters here; the reason is the same message either way.
        guard !host.isEmpty, (try? HTTPServer.checkAddress(host)) != nil else { throw invalid }
        return (host, port)
    }
}
