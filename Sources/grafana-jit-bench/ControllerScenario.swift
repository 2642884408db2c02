import Controller
import Foundation
import GrafanaAPI
import GrafanaSimulator
import HTTPServer

/// A cold pass and a steady-state pass of the controller over `grants` grants on 500 data sources, 200 teams and
/// 5,000 users, against the in-process simulator; counts Grafana reads and writes from the simulator's log.
struct ControllerScenario {
    var grants: Int

    struct Figures {
        var coldSeconds: Double
        var coldReads: Int
        var coldWrites: Int
        var expectedWrites: Int
        var touchedResources: Int
        var steadySeconds: Double
        var steadyReads: Int
        var steadyWrites: Int
    }

    func run() async throws -> Figures {
        let grafana = try SimulatedGrafana(fixture: Array(Self.fixture().utf8), path: "bench-fixture.yaml")
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0) { await grafana.handle($0) }
        defer { server.shutdown() }
        let root = NSTemporaryDirectory() + "grafana-jit-bench-controller-" + UUID().uuidString
        defer {
            // A leftover temp folder is harmless; a failed cleanup should not fail the benchmark.
            try? FileManager.default.removeItem(atPath: root)
        }
        let (bindings, touched) = try writeRepository(root + "/repo")
        guard let url = URL(string: "http://127.0.0.1:\(server.port)") else { throw BenchmarkError.usage("bad URL") }
        let clock = SystemClock()
        let fileSystem = LocalFileSystem()
        let reconciler = Reconciler(
            configuration: ReconcilerConfiguration(grants: [root + "/repo"], stateDirectory: root + "/state"),
            grafana: HTTPGrafanaClient(
                connection: GrafanaConnection(
                    baseURL: url, credentials: .token("glsa_bench"), userAgent: "grafana-jit-bench")),
            fileSystem: fileSystem, clock: clock, logger: Logger(minimumLevel: .error, clock: clock) { _ in },
            audit: AuditLog(destination: .file(root + "/audit.jsonl"), fileSystem: fileSystem))
        try await reconciler.start()
        var start = ContinuousClock.now
        let cold = await reconciler.pass()
        let coldSeconds = (ContinuousClock.now - start).timeInterval
        guard cold.isConverged else { throw BenchmarkError.usage("cold pass did not converge: \(cold.error ?? "")") }
        let afterCold = grafana.statistics
        grafana.clearLog()
        start = ContinuousClock.now
        _ = await reconciler.pass()
        let steadySeconds = (ContinuousClock.now - start).timeInterval
        let steady = grafana.statistics
        return Figures(
            coldSeconds: coldSeconds, coldReads: afterCold.reads, coldWrites: afterCold.writes,
            expectedWrites: bindings,
            touchedResources: touched, steadySeconds: steadySeconds, steadyReads: steady.reads,
            steadyWrites: steady.writes)
    }

    /// Grants cycling over users, data sources and teams; returns the distinct bindings and resources they need.
    private func writeRepository(_ root: String) throws -> (bindings: Int, resources: Int) {
        let manager = FileManager.default
        try manager.createDirectory(atPath: root + "/grants", withIntermediateDirectories: true)
        try Data(Self.policy.utf8).write(to: URL(fileURLWithPath: root + "/policy.yaml"))
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
