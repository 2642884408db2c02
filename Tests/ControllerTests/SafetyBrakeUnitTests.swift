import Foundation
import Testing

@testable import Controller

/// The brake as a pure stage: which revocations it holds, and when it lets them through.
struct SafetyBrakeUnitTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let brake = SafetyBrake(share: 0.5, minimum: 10)

    /// A ledger of `count` bindings, one grant each (`g0`...), each ending an hour from now unless `ended`.
    func ledger(_ count: Int, ended: Set<Int> = []) -> Ledger {
        var ledger = Ledger()
        for index in 0..<count {
            let binding = Binding(.user(index), on: .dataSource("ds"))
            ledger.record(
                LedgerChange(
                    binding: binding, levelSet: .query, levelBefore: nil, grants: ["g\(index)"], since: now,
                    subjectName: "u\(index)", resourceName: "ds"))
            var record = GrantRecord(firstSeen: now.addingTimeInterval(-60))
            record.end = now.addingTimeInterval(ended.contains(index) ? -1 : 3600)
            ledger.grants["g\(index)"] = record
        }
        return ledger
    }

    /// The revocations a pass would plan for these grants' bindings.
    func revocations(_ indices: some Sequence<Int>) -> Plan {
        var plan = Plan()
        plan.changes = indices.map { index in
            Change(
                kind: .revoke, binding: Binding(.user(index), on: .dataSource("ds")), from: .query, to: nil,
                grants: ["g\(index)"], subjectName: "u\(index)", resourceName: "ds")
        }
        return plan
    }

    @Test func anEmptiedCheckoutIsHeldWhole() {
        var plan = revocations(0..<20)
        let held = brake.hold(&plan, ledger: ledger(20), present: [], now: now)
        #expect(held.count == 20 && plan.changes.isEmpty)
    }

    @Test func fewOrHalfVanishingPassThrough() {
        var plan = revocations(0..<8)
        let few = Set((8..<20).map { "g\($0)" })
        #expect(brake.hold(&plan, ledger: ledger(20), present: few, now: now).isEmpty, "below the minimum")
        #expect(plan.changes.count == 8)
        var half = revocations(0..<10)
        let others = Set((10..<20).map { "g\($0)" })
        #expect(brake.hold(&half, ledger: ledger(20), present: others, now: now).isEmpty, "not more than half")
    }

    /// Objects left alone this pass (unreadable, or waiting on their backoff) plan no revocation, but their
    /// vanished bindings still count: a mass deletion cannot slip through a few objects at a time.
    @Test func vanishedBindingsCountEvenWhenTheirRevocationsAreNotPlanned() {
        var plan = revocations(0..<8)
        let held = brake.hold(&plan, ledger: ledger(20), present: [], now: now)
        #expect(held.count == 8 && plan.changes.isEmpty, "20 of 20 vanished, 8 of them plannable this pass")
    }

    @Test func expiryIsNeverHeld() {
        var plan = revocations(0..<20)
        let held = brake.hold(&plan, ledger: ledger(20, ended: Set(0..<20)), present: [], now: now)
        #expect(held.isEmpty && plan.changes.count == 20)
    }

    @Test func oneDeletedFileIsNeverHeld() {
        var plan = revocations([3])
        #expect(brake.hold(&plan, ledger: ledger(1), present: [], now: now).isEmpty)
        #expect(plan.changes.count == 1)
    }

    @Test func grantsStillPresentOrAlreadyUndoneAreNotCounted() {
        var ledger = ledger(20)
        for index in 0..<5 { ledger.markUndone(Binding(.user(index), on: .dataSource("ds")), at: now) }
        var plan = revocations(0..<20)
        let present = Set((5..<12).map { "g\($0)" })
        #expect(
            brake.hold(&plan, ledger: ledger, present: present, now: now).isEmpty,
            "8 of the 15 in force vanished: below the minimum of 10")
        var more = revocations(0..<20)
        let fewer = Set((5..<9).map { "g\($0)" })
        let held = brake.hold(&more, ledger: ledger, present: fewer, now: now)
        #expect(held.map(\.binding.principal) == (9..<20).map { .user($0) }, "11 of the 15 in force vanished")
        #expect(more.changes.count == 9, "the undone and the present ones go through")
    }

    /// Tokens are held from the ledger alone: grants that hold only a token count too, and a pass with no
    /// revocation to hold (its objects left alone) still keeps them; one vanished grant among many does not.
    @Test func vanishedTokensAreHeldByTheLedgerAlone() {
        var ledger = Ledger()
        for index in 0..<12 {
            var record = GrantRecord(firstSeen: now.addingTimeInterval(-60))
            record.end = now.addingTimeInterval(3600)
            ledger.grants["t\(index)"] = record
            ledger.tokens["t\(index)"] = TokenRecord(
                serviceAccountID: 4, serviceAccountName: "reporting", tokenName: "t\(index)", tokenID: index,
                expiresAt: now.addingTimeInterval(3600), subjectName: "carol")
        }
        #expect(brake.holdsTokens(ledger: ledger, present: [], now: now), "every token-only grant vanished")
        let present = Set((1..<12).map { "t\($0)" })
        #expect(!brake.holdsTokens(ledger: ledger, present: present, now: now), "one vanished: let through")
        let withBindings = self.ledger(20)
        #expect(brake.holdsTokens(ledger: withBindings, present: [], now: now), "bindings count with them")
    }
}
