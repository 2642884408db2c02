import Controller
import Foundation
import GrafanaAPI
import GrafanaSimulator
import HTTPServer

/// The daemon in real time, in-process against the simulator: how long from a grant file written to its
/// permission visible in Grafana, and how late revocations land after `expiresAt`.
struct TimingScenario {
    var latencySamples: Int
    var expiries: Int

    struct Figures {
        var latencies: [Double]
        var lateness: [Double]
    }

    func run() async throws -> Figures {
        let users = max(latencySamples, expiries)
        var fixture = "users:\n"
        for index in 0..<users { fixture += "  - {login: u\(index), email: u\(index)@example.com}\n" }
        fixture += "dataSources:\n"
        for index in 0..<10 { fixture += "  - {uid: ds\(index), name: ds\(index), type: loki}\n" }
        fixture += "serviceAccounts: [{name: b, role: Admin, tokens: [{name: t, key: glsa_bench}]}]\n"
        let grafana = try SimulatedGrafana(fixture: Array(fixture.utf8), path: "timing.yaml")
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0) { await grafana.handle($0) }
        defer { server.shutdown() }
        let root = NSTemporaryDirectory() + "grafana-jit-bench-timing-" + UUID().uuidString
        defer {
            // A leftover temp folder is harmless; a failed cleanup should not fail the benchmark.
            try? FileManager.default.removeItem(atPath: root)
        }
        try FileManager.default.createDirectory(atPath: root + "/repo", withIntermediateDirectories: true)
        try Data(ControllerScenario.policy.replacingOccurrences(of: "team*", with: "none").utf8)
            .write(to: URL(fileURLWithPath: root + "/repo/policy.yaml"))
        guard let url = URL(string: "http://127.0.0.1:\(server.port)") else {
            return Figures(latencies: [], lateness: [])
        }
        let clock = SystemClock()
        let fileSystem = LocalFileSystem()
        let logger = Logger(minimumLevel: .error, clock: clock) { _ in }
        let reconciler = Reconciler(
            configuration: ReconcilerConfiguration(
                sources: ResourceSources(grants: [root + "/repo"], policies: [root + "/repo/policy.yaml"]),
                stateDirectory: root + "/state"),
            grafana: HTTPGrafanaClient(
                connection: GrafanaConnection(
                    baseURL: url, credentials: .token("glsa_bench"), userAgent: "grafana-jit-bench")),
            fileSystem: fileSystem, clock: clock, logger: logger)
        try await reconciler.start()
        let loop = ControllerLoop(
            reconciler: reconciler, changes: ChangeDetectors.make(paths: [root + "/repo"], polling: false),
            clock: clock,
            logger: logger)
        async let running: Void = loop.run()
        var figures = Figures(latencies: [], lateness: [])
        for index in 0..<latencySamples {
            let written = Date()
            try grant("latency-\(index)", user: index, end: "duration: 1h", in: root)
            try await waitFor(grafana, deadline: 10) { $0.contains("u\(index)@ds\(index % 10)") }
            figures.latencies.append(Date().timeIntervalSince(written))
        }
        figures.lateness = try await expire(grafana, root: root)
        await loop.requestStop()
        await running
        return figures
    }

    /// Grants ending over a minute, written at once; each revocation's delay past its `expiresAt`.
    private func expire(_ grafana: SimulatedGrafana, root: String) async throws -> [Double] {
        let base = Date().addingTimeInterval(8).timeIntervalSince1970.rounded(.up)
        var ends: [String: Date] = [:]
        for index in 0..<expiries {
            let end = Date(timeIntervalSince1970: base + Double(index % 60))
            ends["u\(index)@ds\((index + 5) % 10)"] = end
            try grant(
                "expiry-\(index)", user: index, end: "expiresAt: \(end.rfc3339)", dataSource: (index + 5) % 10, in: root
            )
        }
        try await waitFor(grafana, deadline: 30) { current in ends.keys.allSatisfy(current.contains) }
        var revoked: [String: Date] = [:]
        while revoked.count < ends.count, Date() < Date(timeIntervalSince1970: base + 120) {
            let current = await permissions(grafana)
            for key in ends.keys where revoked[key] == nil && !current.contains(key) { revoked[key] = Date() }
            try await Task.sleep(for: .milliseconds(10))
        }
        return ends.compactMap { key, end in revoked[key].map { $0.timeIntervalSince(end) } }
    }

    private func grant(_ name: String, user: Int, end: String, dataSource: Int? = nil, in root: String) throws {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec:
              subject: {user: u\(user)@example.com}
              access: [{dataSource: ds\(dataSource ?? user % 10), permission: Query}]
              \(end)
              reason: timing benchmark
            """
        let path = root + "/repo/\(name).yaml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
        try FileManager.default.moveItem(atPath: path + ".tmp", toPath: path)
    }

    private func waitFor(
        _ grafana: SimulatedGrafana, deadline seconds: TimeInterval, _ condition: (Set<String>) -> Bool
    )
        async throws
    {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition(await permissions(grafana)) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw BenchmarkError.usage("timed out waiting for the controller")
    }

    /// `login@uid` for every managed user permission, from the simulator's control surface.
    private func permissions(_ grafana: SimulatedGrafana) async -> Set<String> {
        let response = await grafana.handle(HTTPRequest(method: "GET", path: "/__sim/state"))
        // An unreadable state reads as "nothing granted yet"; the caller's deadline reports it.
        let state = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        let rows = state["permissions"] as? [[String: Any]] ?? []
        return Set(
            rows.compactMap { row in
                guard let user = row["user"] as? String, let source = row["dataSource"] as? String else { return nil }
                return "\(user)@\(source)"
            })
    }
}
