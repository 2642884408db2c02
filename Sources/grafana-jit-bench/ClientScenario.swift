import Foundation
import GrafanaAPI
import GrafanaSimulator
import HTTPServer

/// Loopback throughput of the Grafana client against the simulator, in one process: requests per second one at
/// a time and with 8 in flight, on a read (team members) and a write (setting a data-source permission).
struct ClientScenario {
    var requests: Int

    static let fixture = """
        users: [{login: alice, orgs: {1: Viewer}}, {login: bob, orgs: {1: Viewer}}]
        teams: [{name: sre, members: [{login: alice}]}]
        dataSources: [{uid: ds, name: prod, type: loki}]
        serviceAccounts: [{name: bench, role: Admin, tokens: [{name: t, key: glsa_bench}]}]
        """

    func run() async throws -> [(name: String, perSecond: Double)] {
        let grafana = try SimulatedGrafana(fixture: Array(Self.fixture.utf8), path: "bench-fixture.yaml")
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0) { await grafana.handle($0) }
        defer { server.shutdown() }
        guard let url = URL(string: "http://127.0.0.1:\(server.port)") else { return [] }
        let client = HTTPGrafanaClient(
            connection: GrafanaConnection(
                baseURL: url, credentials: .token("glsa_bench"), userAgent: "grafana-jit-bench"))
        _ = try await client.health()
        let read: @Sendable () async throws -> Void = { _ = try await client.teamMembers(team: 1) }
        let write: @Sendable () async throws -> Void = {
            try await client.setPermission(on: .dataSource("ds"), principal: .user(1), level: "Query")
        }
        return [
            ("read, sequential", try await measure(concurrency: 1, read)),
            ("read, 8 in flight", try await measure(concurrency: 8, read)),
            ("write, sequential", try await measure(concurrency: 1, write)),
            ("write, 8 in flight", try await measure(concurrency: 8, write)),
        ]
    }

    private func measure(concurrency: Int, _ call: @escaping @Sendable () async throws -> Void) async throws -> Double {
        let perTask = requests / concurrency
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<concurrency {
                group.addTask { for _ in 0..<perTask { try await call() } }
            }
            try await group.waitForAll()
        }
        let elapsed = (ContinuousClock.now - start).timeInterval
        return Double(perTask * concurrency) / elapsed
    }
}
