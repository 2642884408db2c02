import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// Grant decisions in the audit trail carry what an access review needs: the window, and whether the grant was
/// break-glass (`requireOnCall`) or let through by the on-call approval waiver.
struct ReconcilerReportingTests {
    private func decisions(in directory: TemporaryDirectory) throws -> [[String: Any]] {
        let text = try String(contentsOfFile: directory.path + "/audit.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { ($0["event"] as? String)?.hasPrefix("grant.") == true }
    }

    private func run(_ text: String, onCall: Set<String>) async throws -> [[String: Any]] {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        try directory.writeResources(text, named: "grant.yaml")
        let scripted = OnCallShiftTests.ScriptedOnCall()
        scripted.state.withLock { $0.roster = OnCallRoster(onCall: ["primary-sre": onCall]) }
        let reconciler = Reconciler.testing(
            in: directory, grafana: simulator.client(), clock: ShiftedClock(), onCall: scripted)
        try await reconciler.start()
        _ = await reconciler.pass()
        return try decisions(in: directory)
    }

    @Test func anActivationUnderRequireOnCallIsBreakGlassWithItsWindow() async throws {
        let events = try await run(DesiredStateOnCallTests.text, onCall: ["alice", "alice@example.com"])
        let activated = try #require(events.first { $0["event"] as? String == "grant.activated" }, "\(events)")
        #expect(activated["breakGlass"] as? Bool == true && activated["onCallWaiver"] == nil)
        let start = try #require((activated["startsAt"] as? String).flatMap { Date(rfc3339: $0) })
        let end = try #require((activated["expiresAt"] as? String).flatMap { Date(rfc3339: $0) })
        #expect(end.timeIntervalSince(start) == 3600)
    }

    @Test(arguments: [([String](), true), (["bob@example.com"], false), (["alice@example.com"], true)])
    func anApprovalWaivedOnCallIsMarked(approvers: [String], isWaived: Bool) async throws {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: waived}
            spec:
              subjects: {users: ["*@example.com"]}
              dataSources: [{name: "prod-*"}]
              permissions: [Query]
              maxDuration: 4h
              approval: {required: true, approvers: {users: [bob@example.com]}, minApprovals: 1}
              autoApprove: {onCall: {schedules: [primary-sre]}}
            ---
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: g}
            spec:
              subject: {user: alice@example.com}
              access: [{dataSource: prod-logs, permission: Query}]
              duration: 1h
              reason: r
            """ + (approvers.isEmpty ? "" : "\n  approvedBy: [\(approvers.joined(separator: ", "))]")
        let events = try await run(text, onCall: ["alice", "alice@example.com"])
        let activated = try #require(events.first { $0["event"] as? String == "grant.activated" }, "\(events)")
        #expect((activated["onCallWaiver"] as? Bool ?? false) == isWaived && activated["breakGlass"] == nil)
    }
}
