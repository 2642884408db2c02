import Controller
import Foundation
import GrafanaAPI
import GrafanaSimulator
import HTTPServer

/// A cold pass and a steady-state pass of `grafana-jit run --once` (a child process, so its peak memory is its
/// own) over `grants` grants on 500 data sources, 200 teams and 5,000 users, against the in-process simulator, and
/// the same two passes of the naive per-grant baseline against a fresh simulator. Calls are counted by the
/// simulator.
struct ControllerScenario {
    var grants: Int
    /// The `grafana-jit` binary beside the benchmark's.
    var binary: String
    /// Also run the naive per-grant baseline (slow: minutes at 10,000 grants).
    var withBaseline = true

    struct Pass {
        var seconds: Double
        var reads: Int
        var writes: Int
        /// The controller's own CPU time (zero for the in-process baseline).
        var cpuSeconds: Double = 0
    }

    struct Figures {
        var cold: Pass
        var steady: Pass
        var peakResidentMiB: Double
        var naiveCold: Pass
        var naiveSteady: Pass
        var neededWrites: Int
        var touchedResources: Int
    }

    func run() async throws -> Figures {
        let root = NSTemporaryDirectory() + "grafana-jit-bench-controller-" + UUID().uuidString
        defer {
            // A leftover temp folder is harmless; a failed cleanup should not fail the benchmark.
            try? FileManager.default.removeItem(atPath: root)
        }
        let (bindings, touched) = try Self.writeRepository(root + "/repo", grants: grants)
        let (grafana, server) = try Self.simulator()
        defer { server.shutdown() }
        let arguments = [
            binary, "run", "--once", "--grants", root + "/repo/grants", "--policies", root + "/repo/policies",
            "--state", root + "/state", "--grafana-url",
            "http://127.0.0.1:\(server.port)", "--log-level", "error",
        ]
        var passes: [Pass] = []
        var peak = 0
        for _ in 0..<2 {
            grafana.clearLog()
            let measured = try await ProcessMeasurement.measure(arguments, environment: ["GRAFANA_TOKEN": "glsa_bench"])
            guard measured.status == 0 else { throw BenchmarkError.unexpectedStatus(measured.status) }
            let calls = grafana.statistics
            passes.append(
                Pass(
                    seconds: measured.wallSeconds, reads: calls.reads, writes: calls.writes,
                    cpuSeconds: measured.cpuSeconds))
            peak = max(peak, measured.peakResidentBytes)
        }
        guard withBaseline else {
            let skipped = Pass(seconds: .nan, reads: 0, writes: 0)
            return Figures(
                cold: passes[0], steady: passes[1], peakResidentMiB: Double(peak) / 1_048_576, naiveCold: skipped,
                naiveSteady: skipped, neededWrites: bindings, touchedResources: touched)
        }
        let (naiveGrafana, naiveServer) = try Self.simulator()
        defer { naiveServer.shutdown() }
        guard let url = URL(string: "http://127.0.0.1:\(naiveServer.port)") else {
            throw BenchmarkError.usage("bad URL")
        }
        var connection = GrafanaConnection(
            baseURL: url, credentials: .token("glsa_bench"), userAgent: "grafana-jit-bench-naive")
        connection.cacheTTL = .zero
        let naive = NaiveReconciler(grafana: HTTPGrafanaClient(connection: connection), folder: root + "/repo/grants")
        var naivePasses: [Pass] = []
        for _ in 0..<2 {
            naiveGrafana.clearLog()
            let start = ContinuousClock.now
            try await naive.pass()
            let calls = naiveGrafana.statistics
            naivePasses.append(
                Pass(seconds: (ContinuousClock.now - start).timeInterval, reads: calls.reads, writes: calls.writes))
        }
        return Figures(
            cold: passes[0], steady: passes[1], peakResidentMiB: Double(peak) / 1_048_576, naiveCold: naivePasses[0],
            naiveSteady: naivePasses[1], neededWrites: bindings, touchedResources: touched)
    }

    static func simulator() throws -> (SimulatedGrafana, HTTPServer) {
        let grafana = try SimulatedGrafana(fixture: Array(fixture().utf8), path: "bench-fixture.yaml")
        return (grafana, try HTTPServer.start(host: "127.0.0.1", port: 0) { await grafana.handle($0) })
    }

    /// Grants cycling over users, data sources and teams; returns the distinct bindings and resources they need.
    static func writeRepository(_ root: String, grants: Int) throws -> (bindings: Int, resources: Int) {
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/grants", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: root + "/policies", withIntermediateDirectories: true)
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: root + "/policies/policy.yaml"))
        var bindings = Set<String>()
        var resources = Set<String>()
        for index in 0..<grants {
            let user = "user\(index % 5000)"
            let access: String
            if index % 4 == 3 {
                access = "[{team: team\(index % 200)}]"
                resources.insert("t\(index % 200)")
                bindings.insert("\(user)@t\(index % 200)")
            } else {
                access = "[{dataSource: ds\(index % 500), permission: Query}]"
                resources.insert("d\(index % 500)")
                bindings.insert("\(user)@d\(index % 500)")
            }
            let text = """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessGrant
                metadata: {name: grant-\(index)}
                spec:
                  subject: {user: \(user)@example.com}
                  access: \(access)
                  duration: 8h
                  reason: benchmark
                """
            let folder = root + "/grants/\(index / 100)"
            if index % 100 == 0 { try manager.createDirectory(atPath: folder, withIntermediateDirectories: true) }
            try Data(text.utf8).write(to: URL(fileURLWithPath: folder + "/grant-\(index).yaml"))
        }
        return (bindings.count, resources.count)
    }

    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: bench}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "ds*"}]
          teams: ["team*"]
          permissions: [Query]
          maxDuration: 8h
        """

    static func fixture() -> String {
        var lines = ["users:"]
        for index in 0..<5000 { lines.append("  - {login: user\(index), email: user\(index)@example.com}") }
        lines.append("teams:")
        for index in 0..<200 { lines.append("  - {name: team\(index)}") }
        lines.append("dataSources:")
        for index in 0..<500 { lines.append("  - {uid: uid\(index), name: ds\(index), type: prometheus}") }
        lines.append("serviceAccounts: [{name: bench, role: Admin, tokens: [{name: t, key: glsa_bench}]}]")
        return lines.joined(separator: "\n") + "\n"
    }
}
