/// The access the active grants require for one binding: the highest level any of them asks, and which grants.
package struct DesiredBinding: Sendable, Equatable {
    package var level: Level
    package var grants: [String]
    package var subjectName: String
    package var resourceName: String

    package init(level: Level, grants: [String], subjectName: String, resourceName: String) {
        self.level = level
        self.grants = grants
        self.subjectName = subjectName
        self.resourceName = resourceName
    }
}

/// One Grafana write the plan makes, and why.
package struct Change: Sendable, Equatable, CustomStringConvertible {
    package enum Kind: String, Sendable, Equatable, Codable {
        /// New access for a grant.
        case grant
        /// A higher level for a binding the controller already holds (another grant asks more).
        case raise
        /// Access the controller set was removed or lowered by hand while a grant holds it; put back.
        case driftCorrect = "drift-correct"
        /// A lower level: the grant that asked more has ended, others still hold some.
        case lower
        /// Every grant holding it has ended: back to the level before (nil: removed).
        case revoke
        /// Standing access on a data source whose policy says `standingAccess: revoke`, under
        /// `--enforce-zero-standing`: no grant gave it, so it is removed.
        case removeStanding = "remove-standing"
    }

    package var kind: Kind
    package var binding: Binding
    /// What Grafana has now, and what the write sets (nil: remove).
    package var from: Level?
    package var to: Level?
    package var grants: [String]
    package var subjectName: String
    package var resourceName: String

    package var description: String {
        "\(kind.rawValue) \(subjectName) \(resourceName): \(from?.description ?? "none") -> \(to?.description ?? "none")"
    }
}

/// Bookkeeping without a write, and things worth telling a person.
package struct PlanNote: Sendable, Equatable {
    package enum Kind: String, Sendable {
        /// Someone raised access the controller had set; it is theirs now and is left alone at revoke.
        case raisedByHand = "raised-by-hand"
        /// Access the controller set was already gone or changed at revoke; nothing to undo.
        case alreadyGone = "already-gone"
    }

    package var kind: Kind
    package var binding: Binding
    package var message: String
}

/// The ordered writes one pass makes, plus the ledger as it will be once they are confirmed.
package struct Plan: Sendable, Equatable {
    package var changes: [Change] = []
    package var notes: [PlanNote] = []
}

/// Desired + actual + ledger → the minimal writes (DESIGN.md "Semantics"). Pure: no clock, no Grafana.
package enum Planner {
    /// `actual` holds the level Grafana reports for every binding in `desired` or the ledger (nil: none). With
    /// `objects`, only the bindings on those objects are planned.
    package static func plan(
        desired: [Binding: DesiredBinding], actual: [Binding: Level], ledger: Ledger,
        only objects: Set<Binding.Resource>? = nil
    ) -> Plan {
        var plan = Plan()
        var planned = Set<Binding>()
        if let objects {
            for binding in desired.keys where objects.contains(binding.resource) { planned.insert(binding) }
            for binding in ledger.bindings where objects.contains(binding.resource) { planned.insert(binding) }
        } else {
            planned = Set(desired.keys).union(ledger.bindings)
        }
        // In binding order (by description), each description built once rather than at every comparison.
        let bindings = planned.map { ($0.description, $0) }.sorted { $0.0 < $1.0 }.map(\.1)
        for binding in bindings {
            let current = actual[binding]
            switch (desired[binding], ledger.change(for: binding)) {
            case (let want?, let held?) where held.undoneSince == nil:
                hold(binding, want: want, held: held, current: current, into: &plan)
            case (let want?, _):
                // New, or only watched after its revoke (as good as new): what is there now is someone else's.
                guard current.map({ $0 < want.level }) ?? true else { continue }
                plan.changes.append(change(.grant, binding, from: current, to: want.level, want))
            case (nil, let held?):
                release(binding, held: held, current: current, into: &plan)
            case (nil, nil):
                continue
            }
        }
        // Revocations first: they are the promise that must never slip.
        plan.changes.sort { ($0.kind == .revoke ? 0 : 1, $0.binding) < ($1.kind == .revoke ? 0 : 1, $1.binding) }
        return plan
    }

    private static func hold(
        _ binding: Binding, want: DesiredBinding, held: LedgerChange, current: Level?, into plan: inout Plan
    ) {
        // Never below what was there before the controller came.
        let target = max(want.level, held.levelBefore ?? want.level)
        if let current, current > held.levelSet {
            plan.notes.append(
                PlanNote(
                    kind: .raisedByHand, binding: binding,
                    message:
                        "\(want.subjectName) has \(current) on \(want.resourceName), above the \(held.levelSet) set for "
                        + want.grants.joined(separator: ", ") + "; someone raised it by hand, so it is theirs and stays"
                ))
            return
        }
        if current.map({ $0 < target }) ?? true {
            // A write that never landed is retried as what it was, not as a correction of drift.
            let retried = held.pending.flatMap { [.grant, .raise].contains($0) ? $0 : nil }
            let kind: Change.Kind =
                held.undoneSince != nil
                ? .grant
                : retried
                    ?? ((current.map { $0 < held.levelSet } ?? true) && target <= held.levelSet
                        ? .driftCorrect : .raise)
            plan.changes.append(change(kind, binding, from: current, to: target, want))
        } else if current == held.levelSet, target < held.levelSet {
            plan.changes.append(change(.lower, binding, from: current, to: target, want))
        }
    }

    /// Undo what the controller set. A level above what it set was raised by hand and stays; nothing above the
    /// level before means there is nothing left to undo. Anything between is (what is left of) the controller's
    /// own change, even after a write whose answer was lost, so it is taken back: leaving it would leak access.
    private static func release(_ binding: Binding, held: LedgerChange, current: Level?, into plan: inout Plan) {
        if let current, current > held.levelSet {
            plan.notes.append(
                PlanNote(
                    kind: .raisedByHand, binding: binding,
                    message:
                        "\(held.subjectName) on \(held.resourceName): grafana-jit set \(held.levelSet), someone raised it to "
                        + "\(current) by hand; that access is theirs and stays"
                ))
            return
        }
        guard let current, held.levelBefore.map({ current > $0 }) ?? true else {
            plan.notes.append(
                PlanNote(
                    kind: .alreadyGone, binding: binding,
                    message:
                        "\(held.subjectName) on \(held.resourceName): the access grafana-jit gave is already gone, so "
                        + "there is nothing to revoke"))
            return
        }
        plan.changes.append(
            Change(
                kind: .revoke, binding: binding, from: current, to: held.levelBefore, grants: held.grants,
                subjectName: held.subjectName, resourceName: held.resourceName))
    }

    private static func change(_ kind: Change.Kind, _ binding: Binding, from: Level?, to: Level, _ want: DesiredBinding)
        -> Change
    {
        Change(
            kind: kind, binding: binding, from: from, to: to, grants: want.grants, subjectName: want.subjectName,
            resourceName: want.resourceName)
    }
}

extension Plan {
    /// Drops every change and note on these objects: what could not be read is neither written nor forgotten.
    package mutating func withhold(_ objects: Set<Binding.Resource>) {
        guard !objects.isEmpty else { return }
        changes.removeAll { objects.contains($0.binding.resource) }
        notes.removeAll { objects.contains($0.binding.resource) }
    }
}
