import Foundation
import Testing

@testable import Controller

struct PlannerTests {
    static let alice = Binding(.user(2), on: .dataSource("loki-prod"))
    static let bobTeam = Binding(.user(3), on: .team(7))
    static let since = Date(timeIntervalSince1970: 1_795_284_000)

    private func want(_ level: Level, _ grants: [String] = ["g1"]) -> DesiredBinding {
        DesiredBinding(level: level, grants: grants, subjectName: "alice", resourceName: "prod-logs")
    }

    private func ledger(_ set: Level, before: Level?, binding: Binding = alice, grants: [String] = ["g1"]) -> Ledger {
        var ledger = Ledger()
        ledger.record(
            LedgerChange(
                binding: binding, levelSet: set, levelBefore: before, grants: grants, since: Self.since,
                subjectName: "alice",
                resourceName: "prod-logs"))
        return ledger
    }

    private func summary(_ plan: Plan) -> [String] {
        plan.changes.map { "\($0.kind.rawValue) \($0.from?.rawValue ?? "-")>\($0.to?.rawValue ?? "-")" }
    }

    @Test func newAccessIsGranted() {
        let plan = Planner.plan(desired: [Self.alice: want(.query)], actual: [:], ledger: Ledger())
        #expect(summary(plan) == ["grant ->Query"])
    }

    @Test func aGrantWhoseWriteNeverLandedIsRetriedAsAGrantNotAsDrift() {
        var ledger = ledger(.query, before: nil)
        var entry = ledger.changes[0]
        entry.pending = .grant
        ledger.record(entry)
        #expect(
            summary(Planner.plan(desired: [Self.alice: want(.query)], actual: [:], ledger: ledger)) == ["grant ->Query"]
        )
        entry.pending = nil
        ledger.record(entry)
        #expect(
            summary(Planner.plan(desired: [Self.alice: want(.query)], actual: [:], ledger: ledger)) == [
                "drift-correct ->Query"
            ])
    }

    @Test func aLowerStandingLevelIsRaisedAndRememberedAsBefore() {
        let plan = Planner.plan(desired: [Self.alice: want(.edit)], actual: [Self.alice: .query], ledger: Ledger())
        #expect(summary(plan) == ["grant Query>Edit"])
    }

    @Test func accessSomeoneElseGrantedSatisfiesTheGrantWithoutAWrite() {
        let plan = Planner.plan(desired: [Self.alice: want(.query)], actual: [Self.alice: .admin], ledger: Ledger())
        #expect(plan == Plan())
    }

    @Test func steadyStateMakesNoWrite() {
        let plan = Planner.plan(
            desired: [Self.alice: want(.query)], actual: [Self.alice: .query], ledger: ledger(.query, before: nil))
        #expect(plan == Plan())
    }

    @Test func revokingRemovesAccessThatWasNotThereBefore() {
        let plan = Planner.plan(desired: [:], actual: [Self.alice: .query], ledger: ledger(.query, before: nil))
        #expect(summary(plan) == ["revoke Query>-"])
    }

    @Test func revokingRestoresThePreviousLevel() {
        let plan = Planner.plan(desired: [:], actual: [Self.alice: .edit], ledger: ledger(.edit, before: .query))
        #expect(summary(plan) == ["revoke Edit>Query"])
    }

    @Test func overlappingGrantsKeepAccessUntilTheLastEnds() {
        let both = Planner.plan(
            desired: [Self.alice: want(.query, ["g1", "g2"])], actual: [Self.alice: .query],
            ledger: ledger(.query, before: nil, grants: ["g1", "g2"]))
        #expect(both.changes.isEmpty)
        let lastOne = Planner.plan(
            desired: [Self.alice: want(.query, ["g2"])], actual: [Self.alice: .query],
            ledger: ledger(.query, before: nil))
        #expect(lastOne.changes.isEmpty)
    }

    @Test func whenTheHigherOfTwoGrantsEndsTheLevelDropsToTheOther() {
        let plan = Planner.plan(
            desired: [Self.alice: want(.query, ["g2"])], actual: [Self.alice: .admin],
            ledger: ledger(.admin, before: nil))
        #expect(summary(plan) == ["lower Admin>Query"])
    }

    @Test func loweringNeverGoesBelowTheLevelBefore() {
        let plan = Planner.plan(
            desired: [Self.alice: want(.query)], actual: [Self.alice: .admin], ledger: ledger(.admin, before: .edit))
        #expect(summary(plan) == ["lower Admin>Edit"])
    }

    @Test func aSecondGrantAskingMoreRaises() {
        let plan = Planner.plan(
            desired: [Self.alice: want(.admin, ["g1", "g2"])], actual: [Self.alice: .query],
            ledger: ledger(.query, before: nil))
        #expect(summary(plan) == ["raise Query>Admin"])
    }

    @Test(arguments: [Level?.none, .some(.query)])
    func accessRemovedOrLoweredByHandIsPutBack(current: Level?) {
        var actual: [Binding: Level] = [:]
        actual[Self.alice] = current
        let plan = Planner.plan(desired: [Self.alice: want(.edit)], actual: actual, ledger: ledger(.edit, before: nil))
        #expect(summary(plan) == ["drift-correct \(current?.rawValue ?? "-")>Edit"])
    }

    @Test func accessRaisedByHandIsLeftAloneWhileActiveAndAtRevoke() {
        let active = Planner.plan(
            desired: [Self.alice: want(.query)], actual: [Self.alice: .admin], ledger: ledger(.query, before: nil))
        #expect(active.changes.isEmpty && active.notes.map(\.kind) == [.raisedByHand])
        let revoked = Planner.plan(desired: [:], actual: [Self.alice: .admin], ledger: ledger(.query, before: nil))
        #expect(revoked.changes.isEmpty && revoked.notes.map(\.kind) == [.raisedByHand])
    }

    /// Lowered by hand, or a raise whose answer was lost: what is left between before and set is still ours.
    @Test func whatIsLeftOfTheControllersChangeIsTakenBack() {
        let plan = Planner.plan(desired: [:], actual: [Self.alice: .query], ledger: ledger(.admin, before: nil))
        #expect(summary(plan) == ["revoke Query>-"])
    }

    @Test func accessBackAtItsLevelBeforeNeedsNoWrite() {
        let plan = Planner.plan(desired: [:], actual: [Self.alice: .query], ledger: ledger(.edit, before: .query))
        #expect(plan.changes.isEmpty && plan.notes.map(\.kind) == [.alreadyGone])
    }

    @Test func accessThatComesBackAfterItWasUndoneIsRevokedAgain() {
        var held = ledger(.query, before: nil)
        held.markUndone(Self.alice, at: Self.since)
        let plan = Planner.plan(desired: [:], actual: [Self.alice: .query], ledger: held)
        #expect(summary(plan) == ["revoke Query>-"])
    }

    @Test func aNewGrantForAWatchedBindingIsAGrant() {
        var held = ledger(.query, before: nil)
        held.markUndone(Self.alice, at: Self.since)
        let plan = Planner.plan(desired: [Self.alice: want(.query)], actual: [:], ledger: held)
        #expect(summary(plan) == ["grant ->Query"])
    }

    @Test func undoneEntriesAreForgottenOnlyByAReadAfterTheGracePeriod() {
        var held = ledger(.query, before: nil)
        held.markUndone(Self.alice, at: Self.since)
        held.markUndone(Self.alice, at: Self.since.addingTimeInterval(100))
        #expect(held.change(for: Self.alice)?.undoneSince == Self.since)
        #expect(
            held.watchesEnding(on: [Self.alice.resource], grace: 300) == [
                Self.alice.resource: Self.since.addingTimeInterval(300)
            ])
        held.forgetWatches(undoneBy: Self.since.addingTimeInterval(-1), on: [Self.alice.resource])
        #expect(held.change(for: Self.alice) != nil, "the watch has not ended")
        held.forgetWatches(undoneBy: Self.since, on: [])
        #expect(held.change(for: Self.alice) != nil, "its object was not read")
        held.forgetWatches(undoneBy: Self.since, on: [Self.alice.resource])
        #expect(held.change(for: Self.alice) == nil)
    }

    @Test func aWatchWithARevocationBegunIsKept() {
        var held = ledger(.query, before: nil)
        held.markUndone(Self.alice, at: Self.since)
        var entry = try! #require(held.change(for: Self.alice))
        entry.pending = .revoke
        held.record(entry)
        held.forgetWatches(undoneBy: Self.since.addingTimeInterval(600), on: [Self.alice.resource])
        #expect(held.change(for: Self.alice) != nil, "the access came back and its revocation is not confirmed")
    }

    @Test func aRevocationRestartsTheWatch() {
        var held = ledger(.query, before: nil)
        held.markUndone(Self.alice, at: Self.since)
        held.markUndone(Self.alice, at: Self.since.addingTimeInterval(100), restarting: true)
        #expect(held.change(for: Self.alice)?.undoneSince == Self.since.addingTimeInterval(100))
    }

    @Test func accessAlreadyGoneAtRevokeNeedsNoWrite() {
        let plan = Planner.plan(desired: [:], actual: [:], ledger: ledger(.query, before: nil))
        #expect(plan.changes.isEmpty && plan.notes.map(\.kind) == [.alreadyGone])
    }

    @Test func accessTheControllerNeverTouchedIsNeverRemoved() {
        let plan = Planner.plan(desired: [:], actual: [Self.alice: .admin, Self.bobTeam: .member], ledger: Ledger())
        #expect(plan == Plan())
    }

    @Test func revocationsComeFirst() {
        var held = ledger(.member, before: nil, binding: Self.bobTeam)
        held.record(ledger(.query, before: nil).changes[0])
        let plan = Planner.plan(
            desired: [Self.alice: want(.edit, ["g3"])], actual: [Self.alice: .query, Self.bobTeam: .member],
            ledger: held)
        #expect(plan.changes.map(\.kind) == [.revoke, .raise])
    }
}
