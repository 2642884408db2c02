import AccessModel
import Foundation
import Testing

@testable import Controller

/// The status report as a pure stage: which statuses it builds, and which log lines, audit events and notices a
/// pass's decisions call for.
struct StatusReportTests {
    let now = Date(timeIntervalSince1970: 1_795_284_000)
    let settings = StatusReport.Settings(target: .single(org: 3), expiryNotices: [], sendsNotices: false)

    /// `DesiredStateTests`' policy and one grant `g` for alice on prod-logs; `reason` changes the grant's content
    /// (its generation).
    func pass(reason: String = "test", commit: String? = nil) -> StatusReport.Pass {
        let text =
            DesiredStateTests.policy + """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessGrant
                metadata: {name: g}
                spec:
                  subject: {user: alice@example.com}
                  access: [{dataSource: prod-logs, permission: Query}]
                  duration: 4h
                  reason: \(reason)
                """
        let catalog = ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "g.yaml")])
        let desired = DesiredState(catalog: catalog, snapshot: DesiredStateTests.snapshot, records: [:], now: now)
        return StatusReport.Pass(
            catalog: catalog, desired: desired, writes: StatusReport.Writes(), fellBack: [], rejected: [:],
            provenance: commit.map { Provenance(commit: $0, pullRequest: 12) })
    }

    /// What `report` leaves for the next pass's report.
    func previous(_ report: StatusReport, provenance: Provenance? = nil) -> StatusReport.Previous {
        StatusReport.Previous(
            statuses: Dictionary(report.statuses.map { ($0.name, $0) }) { _, last in last }, inputs: report.inputs,
            phases: report.phases, provenance: provenance)
    }

    static let none = StatusReport.Previous(statuses: [:], inputs: [:])

    @Test func aPhaseChangeIsOneEventAndOneLogLine() throws {
        let report = StatusReport(pass(), previous: Self.none, settings: settings, now: now)
        let status = try #require(report.statuses.first)
        #expect(report.statuses.count == 1 && status.phase == .active && report.phases == ["g": .active])
        #expect((status.grafana, status.org) == ("default", 3))
        #expect(
            report.phaseChanges == [
                StatusReport.PhaseChange(
                    level: .info,
                    fields: [
                        "grant": "g", "phase": "Active", "previous": "none", "reason": "Applied",
                        "message": status.message,
                    ])
            ])
        #expect(report.events.map(\.event) == ["grant.activated"])
        #expect(report.events.first?.expiresAt == now.addingTimeInterval(4 * 3600))
        #expect(report.notices.map(\.event) == [.activated])
        let again = StatusReport(pass(), previous: previous(report), settings: settings, now: now + 60)
        #expect(again.phaseChanges.isEmpty && again.events.isEmpty && again.notices.isEmpty)
    }

    @Test func anUnchangedGrantHasNoStatusToSave() {
        let first = StatusReport(pass(), previous: Self.none, settings: settings, now: now)
        let second = StatusReport(pass(), previous: previous(first), settings: settings, now: now + 60)
        #expect(second.statuses.isEmpty, "made of the same inputs as last pass's")
        #expect(second.phases == ["g": .active] && second.inputs["g"] == first.inputs["g"])
        var failing = pass()
        failing.writes.errors["g"] = "Grafana answered 500"
        let third = StatusReport(failing, previous: previous(first), settings: settings, now: now + 60)
        #expect(third.statuses.map(\.phase) == [.failed] && third.events.map(\.event) == ["grant.failed"])
    }

    /// A grant decided again (a new decision number) is reported afresh even when nothing else changed; one whose
    /// decision is the same keeps its phase without its status being looked at.
    @Test func onlyGrantsDecidedAgainAreLookedAt() throws {
        var memo = DesiredState.Memo()
        var first = pass()
        first.desired = DesiredState(
            catalog: first.catalog, snapshot: DesiredStateTests.snapshot, records: [:], now: now, memo: &memo)
        let report = StatusReport(first, previous: Self.none, settings: settings, now: now)
        var unseen = previous(report)
        unseen.statuses = [:]
        let same = StatusReport(first, previous: unseen, settings: settings, now: now + 60)
        #expect(same.statuses.isEmpty && same.phases == ["g": .active], "kept by its decision number alone")
        var edited = pass(reason: "edited")
        edited.desired = DesiredState(
            catalog: edited.catalog, snapshot: DesiredStateTests.snapshot, records: first.desired.records,
            now: now + 60, memo: &memo)
        let again = StatusReport(edited, previous: previous(report), settings: settings, now: now + 60)
        #expect(again.statuses.map(\.name) == ["g"] && again.inputs["g"] != report.inputs["g"])
    }

    @Test func anActiveGrantIsLookedAtEveryPassWhenNoticesAreSent() {
        let sending = StatusReport.Settings(
            target: .single(org: nil), expiryNotices: [.seconds(600)], sendsNotices: true)
        let first = StatusReport(pass(), previous: Self.none, settings: sending, now: now)
        let second = StatusReport(pass(), previous: previous(first), settings: sending, now: now + 60)
        #expect(second.statuses.map(\.name) == ["g"] && second.events.isEmpty && second.notices.isEmpty)
    }

    @Test(arguments: [false, true])
    func aDeletedActiveGrantExpiresRevokedByDeletion(removalFails: Bool) throws {
        let first = StatusReport(pass(), previous: Self.none, settings: settings, now: now)
        let later = now + 600
        let nothing = ResourceCatalog(files: [])
        var empty = StatusReport.Pass(
            catalog: nothing,
            desired: DesiredState(catalog: nothing, snapshot: GrafanaSnapshot(), records: [:], now: later),
            writes: StatusReport.Writes(), fellBack: [], rejected: [:], provenance: nil)
        if removalFails { empty.writes.errors["g"] = "Grafana answered 500" }
        let report = StatusReport(empty, previous: previous(first), settings: settings, now: later)
        let gone = try #require(report.statuses.first)
        #expect(report.statuses.count == 1 && gone.phase == .expired && report.phases == ["g": .expired])
        let condition = try #require(gone.conditions.first)
        #expect(condition.reason == .revokedByDeletion && condition.status == "False")
        #expect(condition.lastTransitionTime == later && condition.observedGeneration == "")
        #expect(gone.message == "the grant file was deleted; its access was revoked")
        #expect(report.phaseChanges.map(\.fields["reason"]) == ["RevokedByDeletion"])
        #expect(report.events.map(\.event) == ["grant.revokedByDeletion"])
        #expect(report.events.first?.file == "g.yaml" && report.events.first?.subject == "user alice@example.com")
        let notice = try #require(report.notices.first)
        #expect(report.notices.count == 1 && notice.event == .revoked)
        #expect(notice.message.hasSuffix(removalFails ? "removing it failed and is retried" : "it was removed"))
    }

    @Test func anInvalidGrantGrantsNothing() throws {
        var bad = pass()
        bad.rejected = ["bad": (file: "bad.yaml", error: "bad.yaml:5:3: spec.duration: \"4x\" is not a duration")]
        let report = StatusReport(bad, previous: Self.none, settings: settings, now: now)
        let status = try #require(report.statuses.first { $0.name == "bad" })
        #expect(status.phase == .invalid && status.file == "bad.yaml" && status.access.isEmpty)
        #expect(status.message == "the grant has errors and grants nothing: \(bad.rejected["bad"]?.error ?? "")")
        #expect(status.lastError == bad.rejected["bad"]?.error)
        #expect(status.conditions.map(\.reason) == [.invalidSpec] && status.conditions.first?.observedGeneration == "")
        #expect(report.phases["bad"] == .invalid)
        let line = try #require(report.phaseChanges.first { $0.fields["grant"] == "bad" })
        #expect(line.level == .warning && line.fields["phase"] == "Invalid" && line.fields["previous"] == "none")
        let event = try #require(report.events.first { $0.grant == "bad" })
        #expect(event.event == "grant.invalid" && event.outcome == "Invalid" && event.file == "bad.yaml")
        #expect(event.error == bad.rejected["bad"]?.error)
        let again = StatusReport(bad, previous: previous(report), settings: settings, now: now + 60)
        #expect(again.events.isEmpty && again.phaseChanges.isEmpty, "still invalid: nothing new to say")
        #expect(again.statuses.first { $0.name == "bad" }?.conditions.first?.lastTransitionTime == now)
    }

    @Test func theCommitIsKeptWhileTheGrantsGenerationIsUnchanged() throws {
        let first = StatusReport(pass(commit: "aaa"), previous: Self.none, settings: settings, now: now)
        #expect(first.statuses.first?.commit == "aaa" && first.statuses.first?.pullRequest == 12)
        // The checkout moves on; the grant's content does not.
        var moved = previous(first, provenance: Provenance(commit: "aaa", pullRequest: 12))
        moved.inputs = [:]
        let kept = StatusReport(pass(commit: "bbb"), previous: moved, settings: settings, now: now + 60)
        #expect(kept.statuses.first?.commit == "aaa")
        let edited = StatusReport(pass(reason: "edited", commit: "bbb"), previous: moved, settings: settings, now: now)
        let status = try #require(edited.statuses.first)
        #expect(
            status.commit == "bbb"
                && status.conditions.first?.observedGeneration
                    != first.statuses.first?
                    .conditions.first?.observedGeneration
        )
    }

    @Test func anUncommittedGrantTakesTheNextCommit() {
        var uncommitted = pass(commit: "aaa")
        uncommitted.provenance?.uncommittedGrants = ["g"]
        let first = StatusReport(uncommitted, previous: Self.none, settings: settings, now: now)
        #expect(first.statuses.first?.commit == Provenance.uncommitted && first.statuses.first?.pullRequest == nil)
        let committed = StatusReport(
            pass(commit: "bbb"), previous: previous(first, provenance: uncommitted.provenance), settings: settings,
            now: now)
        #expect(committed.statuses.first?.commit == "bbb")
    }
}
