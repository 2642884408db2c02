import AccessModel
import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// A write Grafana carried out but whose answer was lost (a proxy timeout; the campaign's SIGKILL between write and
/// audit is the same case): the next pass finds it done and audits it then, so every change in Grafana has its
/// event (found by the fault campaign, RELIABILITY.md).
struct InterruptedWriteTests {
    @Test func grantsAndRevocationsWhoseAnswersWereLostAreAuditedWhenFoundDone() async throws {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        try directory.write("repo/policies/policy.yaml", ReconcilerNotificationTests.policy)
        try directory.write(
            "repo/g.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: g}
            spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
            """)
        let reconciler = Reconciler.testing(
            in: directory, grafana: simulator.client { $0.timeout = .seconds(1) }, clock: SystemClock()
        ) { $0.writeDeadline = .zero }
        try await reconciler.start()
        var lost = FaultPlan()
        lost.lostAnswerRate = 1
        func events() throws -> [String] {
            try String(contentsOfFile: directory.path + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
                .compactMap { line in
                    let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                    guard let event = object?["event"] as? String, event.hasPrefix("permission.") else { return nil }
                    let late = (object?["reason"] as? String)?.hasPrefix("confirmed by reading back") == true
                    return "\(event) \(object?["outcome"] ?? "")" + (late ? " (late)" : "")
                }
        }
        let alice = Binding(.user(2), on: .dataSource("loki-prod"))
        // A pass whose reads fail (a loaded test machine) changes nothing; it is simply run again.
        func pass() async -> PassResult {
            var result = await reconciler.pass()
            for _ in 0..<4 where result.error != nil { result = await reconciler.pass() }
            return result
        }

        simulator.grafana.setFaults(lost)
        #expect(await pass().failed == 1)
        #expect(
            try await simulator.client().permissions(on: .dataSource("loki-prod")).contains { $0.principal == .user(2) }
        )
        // The attempt is audited as failed: the trail shows every attempt, and then what Grafana turned out to hold.
        #expect(try events() == ["permission.granted failure"])
        #expect(await reconciler.ledger.change(for: alice)?.pending == .grant)

        simulator.grafana.setFaults(FaultPlan())
        #expect(await pass().isConverged)
        #expect(try events() == ["permission.granted failure", "permission.granted success (late)"])
        #expect(await reconciler.ledger.change(for: alice)?.pending == nil)

        try FileManager.default.removeItem(atPath: directory.path + "/repo/g.yaml")
        simulator.grafana.setFaults(lost)
        #expect(await pass().failed == 1)
        #expect(await reconciler.ledger.change(for: alice)?.pending == .revoke)
        simulator.grafana.setFaults(FaultPlan())
        _ = await pass()
        #expect(
            try events() == [
                "permission.granted failure", "permission.granted success (late)", "permission.revoked failure",
                "permission.revoked success (late)",
            ])
        #expect(await reconciler.ledger.change(for: alice)?.pending == nil)
    }
}
