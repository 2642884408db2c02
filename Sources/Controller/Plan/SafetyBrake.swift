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
        // Only a pass that would revoke something vanished has anything to hold; every other pass (nearly all) is
        // spared counting the whole ledger.
        let candidates = plan.changes.filter {
            $0.kind == .revoke && $0.grants.allSatisfy { Self.vanished($0, present: present, ledger: ledger, now: now) }
        }
        guard !candidates.isEmpty else { return [] }
        let (inForce, vanishing) = Self.vanishingBindings(ledger: ledger, present: present, now: now)
        guard engages(vanishing: vanishing.count, of: inForce) else { return [] }
        let held = plan.changes.filter { $0.kind == .revoke && vanishing.contains($0.binding) }
        plan.changes.removeAll { $0.kind == .revoke && vanishing.contains($0.binding) }
        return held
    }

    /// Whether the brake holds the tokens of grants that vanished: counted from the ledger alone, the bindings in
    /// force and the tokens whose grants all vanished together, against the same share and minimum. A plan with no
    /// revocation to hold (its objects left alone this pass, or grants that hold only a token) still holds them.
    package func holdsTokens(ledger: Ledger, present: Set<String>, now: Date) -> Bool {
        let (inForce, vanishing) = Self.vanishingBindings(ledger: ledger, present: present, now: now)
        let tokens = ledger.tokens.keys.filter { Self.vanished($0, present: present, ledger: ledger, now: now) }
        return engages(vanishing: vanishing.count + tokens.count, of: inForce + ledger.tokens.count)
    }

    /// At least `minimum` vanishing, and more than `share` of those in force.
    private func engages(vanishing: Int, of inForce: Int) -> Bool {
        vanishing >= minimum && Double(vanishing) > share * Double(max(1, inForce))
    }

    /// How many of the ledger's bindings are in force (not undone), and those whose grants all vanished.
    private static func vanishingBindings(ledger: Ledger, present: Set<String>, now: Date) -> (
        inForce: Int, vanishing: Set<Binding>
    ) {
        let inForce = ledger.entriesByBinding.values.filter { $0.undoneSince == nil }
        let vanishing = inForce.filter { change in
            !change.grants.isEmpty
                && change.grants.allSatisfy { vanished($0, present: present, ledger: ledger, now: now) }
        }
        return (inForce.count, Set(vanishing.map(\.binding)))
    }

    /// A grant that simply vanished: not among those found this pass, and neither expired nor ended by the window the
    /// ledger recorded (those report themselves).
    package static func vanished(_ grant: String, present: Set<String>, ledger: Ledger, now: Date) -> Bool {
        guard !present.contains(grant), let record = ledger.grants[grant], !record.isExpired else { return false }
        return record.end.map { $0 > now } ?? true
    }
}
