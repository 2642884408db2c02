import AccessModel
import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// `--enforce-zero-standing`: only user and team rows on data sources of `standingAccess: revoke` policies that no
/// grant gave are removed; built-in roles, granted access and other data sources stay; plan shows it first.
struct ZeroStandingTests {
    static let resources = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: prod}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Query]
          maxDuration: 4h
          standingAccess: revoke
        ---
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: staging}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{type: postgres}]
          permissions: [Query]
          maxDuration: 4h
        ---
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: alice-logs}
        spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
        """

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.writeResources(Self.resources, named: "access.yaml")
    }

    func reconciler(enforcing: Bool) -> Reconciler {
        Reconciler.testing(in: directory, grafana: simulator.client(), clock: SystemClock()) {
            $0.enforceZeroStanding = enforcing
        }
    }

    /// `principal=level` rows of a data source, sorted.
    func rows(_ uid: String) async throws -> [String] {
        try await simulator.client().permissions(on: .dataSource(uid)).map { "\($0.principal)=\($0.level)" }.sorted()
    }

    @Test func onlyStandingEntriesOnOptedInDataSourcesAreRemoved() async throws {
        let client = simulator.client()
        let carol = try await client.user(loginOrEmail: "carol")
        try await client.setPermission(on: .dataSource("pg-staging"), principal: .user(carol.id), level: "Query")
        let stagingBefore = try await rows("pg-staging")
        let metricsBefore = try await rows("prom-prod")

        // Without the flag the policy field alone removes nothing.
        let reporting = reconciler(enforcing: false)
        try await reporting.start(exclusive: false)
        #expect(await reporting.pass().isConverged)
        let granted = try await rows("loki-prod")
        #expect(granted.contains("user 3=Edit") && granted.contains("team 3=Query") && granted.contains("user 2=Query"))

        let enforcing = reconciler(enforcing: true)
        try await enforcing.start(exclusive: false)
        let plan = await enforcing.pass(applying: false)
        #expect(
            plan.plan.changes.map(\.description).sorted() == [
                "remove-standing bob prod-logs: Edit -> none", "remove-standing team dba prod-logs: Query -> none",
            ])
        #expect(try await rows("loki-prod") == granted, "plan writes nothing")

        let applied = await enforcing.pass()
        #expect(applied.isConverged && applied.applied == 2)
        #expect(try await rows("loki-prod") == granted.filter { $0 != "user 3=Edit" && $0 != "team 3=Query" })
        #expect(try await rows("pg-staging") == stagingBefore, "a report-only policy's data source keeps its entries")
        #expect(try await rows("prom-prod") == metricsBefore, "built-in role rows are never standing access")
        let audit = try String(contentsOfFile: directory.path + "/audit.jsonl", encoding: .utf8)
        #expect(audit.components(separatedBy: "\"event\":\"permission.standingRemoved\"").count - 1 == 2)

        #expect(await enforcing.pass(applying: false).plan.changes.isEmpty, "the next pass has nothing to remove")
    }

    @Test func accessAGrantCoversIsLeftUntilTheGrantEnds() async throws {
        let client = simulator.client()
        let carol = try await client.user(loginOrEmail: "carol")
        // Carol held Query before her grant asked for it: the grant is satisfied, the ledger does not hold it.
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(carol.id), level: "Query")
        try directory.write(
            "repo/carol.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: carol-logs}
            spec: {subject: {user: carol@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
            """)
        let enforcing = reconciler(enforcing: true)
        try await enforcing.start()
        _ = await enforcing.pass()
        #expect(try await rows("loki-prod").contains("user \(carol.id)=Query"))
        try FileManager.default.removeItem(atPath: directory.path + "/repo/carol.yaml")
        _ = await enforcing.pass()
        #expect(!(try await rows("loki-prod").contains("user \(carol.id)=Query")))
    }
}
