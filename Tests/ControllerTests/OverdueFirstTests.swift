import Foundation
import GrafanaAPI
import Synchronization
import TestSupport
import Testing

@testable import Controller

/// After a restart, access whose grants ended while the controller was stopped is revoked before any grant file
/// or Grafana listing is read: from the ledger's recorded windows, reading only the objects it lies on.
struct OverdueFirstTests {
    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ShiftedClock()

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
        try directory.write(
            "repo/carol-metrics.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: carol-metrics}
            spec: {subject: {user: carol@example.com}, access: [{dataSource: prod-metrics, permission: Query}], duration: 3h, reason: r}
            """)
    }

    func rows(_ uid: String) async throws -> [String] {
        try await simulator.client().permissions(on: .dataSource(uid)).map { "\($0.principal)=\($0.level)" }.sorted()
    }

    @Test func endedGrantsAreRevokedEvenBeforeTheCheckoutIsThere() async throws {
        let logs = ControllerLoopTests.Lines()
        let logger = Logger(minimumLevel: .info, clock: clock) { line in logs.lines.withLock { $0.append(line) } }
        let first = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await first.start()
        let logsBefore = try await rows("loki-prod")
        let metricsBefore = try await rows("prom-prod")
        #expect(await first.pass(trigger: .startup).applied == 2)
        let logsGranted = try await rows("loki-prod")
        let metricsGranted = try await rows("prom-prod")
        #expect(logsGranted != logsBefore && metricsGranted != metricsBefore)

        // Stopped for two hours: alice-logs (1h) ended, carol-metrics (3h) did not. The checkout is not there yet
        // (git-sync has not run), so the pass itself fails; the overdue revocation must not wait for it.
        clock.jump(by: 2 * 3600)
        try FileManager.default.moveItem(atPath: directory.path + "/repo", toPath: directory.path + "/later")
        simulator.grafana.clearLog()
        let restarted = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock, logger: logger)
        // The first controller still holds the state folder's lock.
        try await restarted.start(exclusive: false)
        let result = await restarted.pass(trigger: .startup)
        let reads = simulator.grafana.requestLog.map { "\($0.method) \($0.path)" }
        #expect(result.error != nil, "the grants folder is missing")
        #expect(result.applied == 1)
        #expect(try await rows("loki-prod") == logsBefore)
        #expect(try await rows("prom-prod") == metricsGranted)
        #expect(reads.allSatisfy { $0.contains("/access-control/datasources/loki-prod") }, "\(reads)")
        let lines = logs.lines.withLock { $0 }
        #expect(lines.contains { $0.contains("event=overdue.revoked") && $0.contains("revoked=1") }, "\(lines)")
        let audit = try String(contentsOfFile: directory.path + "/audit.jsonl", encoding: .utf8)
        let revoked = audit.split(separator: "\n").filter { $0.contains(#""event":"permission.revoked""#) }
        #expect(revoked.count == 1 && revoked[0].contains(#""grant":"alice-logs""#), "\(audit)")

        // Once the checkout arrives, the pass finds nothing left to revoke and reports the grant expired.
        try FileManager.default.moveItem(atPath: directory.path + "/later", toPath: directory.path + "/repo")
        let settled = await restarted.pass(trigger: .retry(attempt: 1))
        #expect(settled.error == nil && settled.applied == 0, "\(settled.plan.changes)")
        #expect(settled.phases["alice-logs"] == .expired)
        #expect(settled.phases["carol-metrics"] == .active)
    }
}
