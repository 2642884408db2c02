import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// The safety brake: a checkout that is suddenly empty or half-synced must not strip everyone's access; expiry and
/// the deletion of one grant file are never held.
struct SafetyBrakeTests {
    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: open}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "*"}]
          teams: ["*"]
          permissions: [Admin]
          serviceAccounts: [reporting]
          maxDuration: 4h
        """

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ShiftedClock()

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.write("repo/policies/policy.yaml", Self.policy)
        // 3 users × (3 data sources + 3 teams): 18 bindings, one grant each.
        for user in ["alice", "bob", "carol"] {
            for (index, item) in [
                "{dataSource: prod-logs, permission: Admin}", "{dataSource: prod-metrics, permission: Admin}",
                "{dataSource: pg-staging, permission: Admin}", "{team: sre}", "{team: incident-responders}",
                "{team: dba}",
            ].enumerated() {
                try grant("\(user)-\(index)", user: user, access: "[\(item)]", duration: index == 0 ? "1h" : "4h")
            }
        }
    }

    private func grant(_ name: String, user: String, access: String, duration: String) throws {
        try directory.write(
            "repo/\(name).yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec: {subject: {user: \(user)@example.com}, access: \(access), duration: \(duration), reason: r}
            """)
    }

    private func reconciler() -> Reconciler {
        Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
    }

    private func grantFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path + "/repo").filter { $0.hasSuffix(".yaml") }
    }

    @Test func anEmptiedCheckoutIsHeldAndReleasedWhenFilesReturn() async throws {
        let reconciler = reconciler()
        try await reconciler.start()
        // Some of the 18 were there already (the fixture's standing access): the ledger holds what was applied.
        let applied = await reconciler.pass().applied
        #expect(applied >= 10)
        let files = try grantFiles()
        let saved = try files.map { ($0, try Data(contentsOf: URL(fileURLWithPath: directory.path + "/repo/" + $0))) }
        for file in files { try FileManager.default.removeItem(atPath: directory.path + "/repo/" + file) }
        let held = await reconciler.pass()
        #expect(held.held == applied && held.applied == 0 && !held.isConverged)
        _ = await reconciler.pass()
        let trail = try String(contentsOfFile: directory.path + "/audit.jsonl", encoding: .utf8)
        let heldEvents = trail.split(separator: "\n").filter { $0.contains(#""event":"revocation.held""#) }
        #expect(heldEvents.count == applied, "each held revocation audited once, not at every pass that holds it")
        let rows = try await simulator.client().permissions(on: .dataSource("prom-prod"))
        #expect(rows.contains { $0.level == "Admin" && $0.principal == .user(2) }, "the brake let revocations through")
        // The files come back (a half-synced checkout that finishes): nothing was lost, nothing to do.
        for (file, data) in saved { try data.write(to: URL(fileURLWithPath: directory.path + "/repo/" + file)) }
        let restored = await reconciler.pass()
        #expect(restored.held == 0 && restored.plan.changes.isEmpty && restored.isConverged)
    }

    /// The tokens of grants that vanished with the rest are kept while the brake holds: neither the token in
    /// Grafana nor its file is removed.
    @Test func anEmptiedCheckoutKeepsItsTokens() async throws {
        try directory.write(
            "repo/ci-report.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: ci-report}
            spec: {subject: {user: carol@example.com}, access: [{serviceAccountToken: {serviceAccount: reporting}}], duration: 1h, reason: r}
            """)
        let reconciler = reconciler()
        try await reconciler.start()
        _ = await reconciler.pass()
        let secret = directory.path + "/state/secrets/ci-report.token"
        #expect(FileManager.default.fileExists(atPath: secret))
        let account = try #require(try await simulator.client().serviceAccounts().first { $0.name == "reporting" })
        let tokens = try await simulator.client().serviceAccountTokens(serviceAccount: account.id)
        #expect(tokens.count == 1)
        for file in try grantFiles() { try FileManager.default.removeItem(atPath: directory.path + "/repo/" + file) }
        let held = await reconciler.pass()
        #expect(held.held > 0)
        #expect(FileManager.default.fileExists(atPath: secret), "the token file is kept while the brake holds")
        #expect(try await simulator.client().serviceAccountTokens(serviceAccount: account.id) == tokens)
    }

    @Test func oneDeletedFileIsNeverHeld() async throws {
        let reconciler = reconciler()
        try await reconciler.start()
        _ = await reconciler.pass()
        try FileManager.default.removeItem(atPath: directory.path + "/repo/alice-1.yaml")
        let result = await reconciler.pass()
        #expect(result.held == 0 && result.applied == 1 && result.isConverged)
    }

    /// Expiry is never held, even when every grant ends at once (a third of them here, past the brake's minimum).
    @Test func expiryIsNeverHeld() async throws {
        let reconciler = reconciler()
        try await reconciler.start()
        _ = await reconciler.pass()
        clock.jump(by: 3_700)
        let result = await reconciler.pass()
        #expect(result.held == 0 && result.applied == 3, "\(result.plan.changes.map(\.description))")
    }
}
