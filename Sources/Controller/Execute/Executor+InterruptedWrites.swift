import AccessModel
import Foundation

/// A write whose answer never came (a lost answer, a killed process) stays pending in the ledger until a read shows
/// whether it landed.
extension Executor {
    /// Writes an earlier pass began but never saw answered that Grafana shows as done: audited now, so every change
    /// in Grafana has its event. A binding this pass writes again is left to that write, unless the write takes back
    /// access whose granting was never audited.
    mutating func confirmInterruptedWrites(_ plan: Plan, actual state: ActualState, now: Date) async throws {
        let planned = Dictionary(plan.changes.map { ($0.binding, $0.kind) }) { first, _ in first }
        let actual = state.levels
        var events: [AuditEvent] = []
        for var held in ledger.pendingChanges {
            // Only a read says whether the write landed: not a failed one, nor a key left alone on its backoff.
            guard let kind = held.pending, state.read.contains(held.binding.resource) else { continue }
            if let next = planned[held.binding], next != .revoke || kind == .revoke { continue }
            let current = actual[held.binding]
            let landed: Bool
            switch kind {
            case .revoke:
                // Gone, or back at (or below) what was there before the controller came.
                if let current, let before = held.levelBefore {
                    landed = current <= before
                } else {
                    landed = current == nil
                }
            case .lower: landed = current.map { $0 < held.levelSet } ?? false
            case .grant, .raise, .driftCorrect, .removeStanding: landed = current == held.levelSet
            }
            guard landed else { continue }
            // A removal went from what the controller set to what Grafana shows; anything else to what it set.
            let (from, to) =
                kind == .revoke || kind == .lower ? (held.levelSet, current) : (held.levelBefore, held.levelSet)
            let change = Change(
                kind: kind, binding: held.binding, from: from, to: to, grants: held.grants,
                subjectName: held.subjectName, resourceName: held.resourceName)
            var event = Self.auditEvent(change, outcome: "success", error: nil, now: now)
            event.reason = "confirmed by reading back: the write's answer was lost or the controller stopped before it"
            events.append(event)
            if kind == .lower, let current { held.levelSet = current }
            held.pending = nil
            ledger.record(held)
            logger.log(.info, .changeApplied, Self.fields(change).merging(["confirmed": "late"]) { $1 })
        }
        guard !events.isEmpty else { return }
        try await storage.save(&ledger)
        try await audit.record(events)
    }
}
