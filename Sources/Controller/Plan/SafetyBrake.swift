import Foundation

/// The safety brake (pure): a checkout that is suddenly empty or half-synced must not strip everyone's access. It
/// counts the ledger's bindings in force whose grants all simply vanished (not expired, not invalid: those report
/// themselves); when they are at least `minimum` and more than `share` of the bindings in force, it holds back
/// every revocation of them. It counts from the ledger, not from the plan, so bindings whose objects are left alone
/// this pass (unreadable, or waiting on their backoff) still count: otherwise a mass deletion could slip through a
/// few objects at a time. A binding the controller already undid once (and watches) is neither counted nor held.
/// Held revocations wait for a later pass: the files return, or a pass with fewer vanishing ones lets them through.
package struct SafetyBrake: Sendable, Equatable {
    package var share: Double
    package var minimum: Int

    package init(share: Double, minimum: Int) {
        self.share = share
        self.minimum = minimum
    }

    /// Removes the held revocations from `plan` and returns them; none when the brake does not engage. `present`
    /// names every grant found this pass, valid or not.
    package func hold(_ plan: inout Plan, ledger: Ledger, present: Set<String>, now: Date) -> [Change] {
        func vanished(_ grant: String) -> Bool { Self.vanished(grant, present: present, ledger: ledger, now: now) }
        // Only a pass that would revoke something vanished has anything to hold; every other pass (nearly all) is
        // spared counting the whole ledger.
        let candidates = plan.changes.filter { $0.kind == .revoke && $0.grants.allSatisfy(vanished) }
        guard !candidates.isEmpty else { return [] }
        let inForce = ledger.entriesByBinding.values.filter { $0.undoneSince == nil }
        let vanishing = Set(inForce.filter { !$0.grants.isEmpty && $0.grants.allSatisfy(vanished) }.map(\.binding))
        guard vanishing.count >= minimum, Double(vanishing.count) > share * Double(max(1, inForce.count)) else {
            return []
        }
        let held = plan.changes.filter { $0.kind == .revoke && vanishing.contains($0.binding) }
        plan.changes.removeAll { $0.kind == .revoke && vanishing.contains($0.binding) }
        return held
    }

    /// Whether the brake holds the tokens of grants that vanished: counted from the ledger alone, the bindings in
    /// force and the tokens whose grants all vanished together, against the same share and minimum. A plan with no
    /// revocation to hold (its objects left alone this pass, or grants that hold only a token) still holds them.
    package func holdsTokens(ledger: Ledger, present: Set<String>, now: Date) -> Bool {
        func vanished(_ grant: String) -> Bool { Self.vanished(grant, present: present, ledger: ledger, now: now) }
        let inForce = ledger.entriesByBinding.values.filter { $0.undoneSince == nil }
        let bindings = inForce.filter { !$0.grants.isEmpty && $0.grants.allSatisfy(vanished) }.count
        let count = bindings + ledger.tokens.keys.filter(vanished).count
        return count >= minimum && Double(count) > share * Double(max(1, inForce.count + ledger.tokens.count))
    }

    /// A grant that simply vanished: not among those found this pass, and neither expired nor ended by the window the
    /// ledger recorded (those report themselves).
    package static func vanished(_ grant: String, present: Set<String>, ledger: Ledger, now: Date) -> Bool {
        guard !present.contains(grant), let record = ledger.grants[grant], !record.isExpired else { return false }
        return record.end.map { $0 > now } ?? true
    }
}
