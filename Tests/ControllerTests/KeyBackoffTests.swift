import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// A failing key waits on its own backoff: passes started by events leave it alone (no read, no write) until its
/// retry is due, while every other key is reconciled as usual.
struct KeyBackoffTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aFailureWaitsLongerEachTimeAndNeverLessThanRetryAfter() {
        var backoff = KeyBackoff(policy: RetryPolicy(base: .seconds(1), cap: .seconds(60)))
        let key = ReconcileKey.object(.dataSource("loki-prod"))
        var dues: [TimeInterval] = []
        for attempt in 0..<8 {
            let now = start.addingTimeInterval(Double(attempt) * 100)
            backoff.record([key: .failed(KeyFailure(message: "500"))], now: now) { 0.999 }
            dues.append(backoff.nextDue!.timeIntervalSince(now))
        }
        #expect(dues.map { $0.rounded() } == [1, 2, 4, 8, 16, 32, 60, 60])
        backoff.record(
            [key: .failed(KeyFailure(message: "429", retryAfter: .seconds(90)))], now: start.addingTimeInterval(900)
        ) { 0 }
        #expect(backoff.nextDue == start.addingTimeInterval(990))
        #expect(backoff.notDue(at: start.addingTimeInterval(989)).keys.contains(key))
        #expect(backoff.notDue(at: start.addingTimeInterval(990)).isEmpty)
        backoff.record([key: .done], now: start.addingTimeInterval(991))
        #expect(backoff.nextDue == nil)
    }

    @Test func aKeyNoLongerTouchedIsForgottenOnceDue() {
        var backoff = KeyBackoff(policy: RetryPolicy(base: .seconds(1), cap: .seconds(60)))
        let (failing, other) = (ReconcileKey.object(.dataSource("a")), ReconcileKey.token(grant: "ci"))
        backoff.record([failing: .failed(KeyFailure(message: "500"))], now: start) { 0.5 }
        backoff.record([other: .done], now: start.addingTimeInterval(0.1))
        #expect(backoff.waiting.keys.contains(failing), "not due yet: kept")
        backoff.record([other: .done], now: start.addingTimeInterval(5))
        #expect(backoff.waiting.isEmpty, "due, and no pass touched it: nothing left to retry")
    }

    @Test func aRequeuedKeyIsDueAtItsTimeAndIsNoFailure() {
        var backoff = KeyBackoff(policy: RetryPolicy(base: .seconds(1), cap: .seconds(60)))
        let key = ReconcileKey.object(.dataSource("loki-prod"))
        backoff.record([key: .failed(KeyFailure(message: "500"))], now: start) { 0 }
        backoff.record([key: .requeue(after: .seconds(60))], now: start.addingTimeInterval(1))
        #expect(backoff.waiting.isEmpty && backoff.notDue(at: start.addingTimeInterval(2)).isEmpty)
        #expect(backoff.nextDue == start.addingTimeInterval(61))
        #expect(backoff.requeuedDue(at: start.addingTimeInterval(60)).isEmpty)
        #expect(backoff.requeuedDue(at: start.addingTimeInterval(61)) == [key])
        backoff.record([:], now: start.addingTimeInterval(30))
        #expect(backoff.nextDue == start.addingTimeInterval(61), "not due yet: kept")
        backoff.record([key: .done], now: start.addingTimeInterval(61))
        #expect(backoff.nextDue == nil)
    }

    @Test func eventsLeaveAFailingDataSourceAloneUntilItsRetryIsDue() async throws {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        let clock = ShiftedClock()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
        var faults = FaultPlan()
        faults.failingPaths = ["/api/access-control/datasources/loki-prod": 500]
        simulator.grafana.setFaults(faults)
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock) {
            $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))
            $0.writeDeadline = .milliseconds(10)
            // Far enough that a loaded machine cannot make the retry due before the next pass.
            $0.keyRetry = RetryPolicy(base: .seconds(60), cap: .seconds(120))
        }
        try await reconciler.start()
        let first = await reconciler.pass(trigger: .startup)
        #expect(
            first.keys[.object(.dataSource("loki-prod"))] != .done
                && first.keys[.object(.dataSource("loki-prod"))] != nil)
        let retry = try #require(first.nextRetry)
        #expect(first.phases["alice-logs"] == .failed)

        // A new grant on another data source, before the failing key's retry is due: applied without touching it.
        simulator.grafana.clearLog()
        try directory.write(
            "repo/carol-metrics.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: carol-metrics}
            spec: {subject: {user: carol@example.com}, access: [{dataSource: prod-metrics, permission: Query}], duration: 1h, reason: r}
            """)
        let event = await reconciler.pass(trigger: .fileChange)
        #expect(event.applied == 1 && event.waiting == 1, "\(event.keys)")
        #expect(event.phases["carol-metrics"] == .active && event.phases["alice-logs"] == .failed)
        #expect(!simulator.grafana.requestLog.contains { $0.path.contains("loki-prod") }, "left alone while waiting")
        #expect(event.nextRetry == retry)

        // Once the retry is due and the data source answers again, the waiting grant is applied.
        simulator.grafana.setFaults(FaultPlan())
        clock.jump(by: retry.timeIntervalSince(clock.now()) + 0.01)
        let due = await reconciler.pass(trigger: .backoff)
        #expect(due.keys[.object(.dataSource("loki-prod"))] == .done)
        #expect(due.phases["alice-logs"] == .active && due.applied == 1)
        #expect(due.nextRetry == nil && due.isConverged)
    }
}
