import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// A pass that fails after deciding leaves its decisions in the memo, so the next pass cannot tell what they
/// changed: it plans every object, whatever started it, and an expiry decided by the failed pass is not lost.
struct FailedPassPlanTests {
    static let ghost = """

        ---
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: ghost-logs}
        spec: {subject: {user: ghost@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
        """

    @Test func anExpiryDecidedByAFailedPassIsRevokedByTheNextEvent() async throws {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        let clock = ShiftedClock()
        try directory.writeResources(ZeroStandingTests.resources + Self.ghost, named: "access.yaml")
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock) {
            $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))
            $0.writeDeadline = .milliseconds(10)
        }
        try await reconciler.start()
        let first = await reconciler.pass(trigger: .startup)
        #expect(first.phases["alice-logs"] == .active && first.phases["ghost-logs"] == .failed)
        // Read back after the write: what Grafana holds on prod-logs is known, so no event reads it again.
        let settled = await reconciler.pass(trigger: .fileChange, files: .paths([]))
        #expect(settled.plan.changes.isEmpty)
        // Past alice's end: the timer's pass decides her grant ended, then reads the facts again for the grant that
        // names an unknown user (they are older than their refresh interval), and Grafana fails that read.
        clock.jump(by: 3601)
        var faults = FaultPlan()
        faults.failingPaths = ["/api/org/users": 500]
        simulator.grafana.setFaults(faults)
        let failed = await reconciler.pass(trigger: .timer(grant: "alice-logs", edge: "end"))
        #expect(failed.error != nil && failed.applied == 0)
        simulator.grafana.setFaults(FaultPlan())
        let next = await reconciler.pass(trigger: .fileChange, files: .paths([]))
        #expect(next.error == nil && next.plan.changes.map(\.kind) == [.revoke], "\(next.plan.changes)")
        #expect(next.applied == 1 && next.phases["alice-logs"] == .expired)
        let after = await reconciler.pass(trigger: .fileChange, files: .paths([]))
        #expect(after.plan.changes.isEmpty)
    }

    /// Planning every object after a failed pass still leaves a key waiting on its backoff alone: not read before
    /// its retry is due, not counted done.
    @Test func aKeyOnItsBackoffIsLeftAloneByThePassAfterAFailedOne() async throws {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        let clock = ShiftedClock()
        try directory.writeResources(ZeroStandingTests.resources + Self.ghost, named: "access.yaml")
        var faults = FaultPlan()
        faults.failingPaths = ["/api/access-control/datasources/loki-prod": 500]
        simulator.grafana.setFaults(faults)
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock) {
            $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))
            $0.writeDeadline = .milliseconds(10)
            $0.keyRetry = RetryPolicy(base: .seconds(600), cap: .seconds(1200))
        }
        try await reconciler.start()
        let first = await reconciler.pass(trigger: .startup)
        #expect(first.phases["alice-logs"] == .failed && first.nextRetry != nil)
        clock.jump(by: 20)
        faults.failingPaths["/api/org/users"] = 500
        simulator.grafana.setFaults(faults)
        #expect(await reconciler.pass(trigger: .fileChange, files: .paths([])).error != nil)
        faults.failingPaths["/api/org/users"] = nil
        simulator.grafana.setFaults(faults)
        simulator.grafana.clearLog()
        let next = await reconciler.pass(trigger: .fileChange, files: .paths([]))
        #expect(next.error == nil && next.waiting == 1 && next.keys[.object(.dataSource("loki-prod"))] == nil)
        #expect(!simulator.grafana.requestLog.contains { $0.path.contains("loki-prod") }, "left alone while waiting")
    }
}
