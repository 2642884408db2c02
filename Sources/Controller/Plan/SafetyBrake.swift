import Foundation

/// The safety brake (pure): a checkout that is suddenly empty or half-synced must not strip everyone's access. It
/// holds back the revocations whose grants all simply vanished (not expired, not invalid: those report themselves)
/// when they are at least `minimum` and more than `share` of the ledger at once; a binding the controller already
/// undid once (and watches) is never held. Held revocations wait for a later pass: the files return, or a pass with
/// fewer vanishing ones lets them through.
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
        func vanished(_ grant: String) -> Bool {
            guard !present.contains(grant), let record = ledger.grants[grant], !record.isExpired else { return false }
            return record.end.map { $0 > now } ?? true
        }
        let vanishing = plan.changes.filter { change in
            change.kind == .revoke && ledger.change(for: change.binding)?.undoneSince == nil
                && change.grants.allSatisfy(vanished)
        }
        guard vanishing.count >= minimum, Double(vanishing.count) > share * Double(max(1, ledger.count)) else {
            return []
        }
        let held = Set(vanishing.map(\.binding))
        plan.changes.removeAll { held.contains($0.binding) && $0.kind == .revoke }
        return vanishing
    }
}
