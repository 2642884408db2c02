import AccessModel
import Foundation
import GrafanaAPI

/// Carries out a plan: the ledger first, then Grafana, then a read-back that confirms each write; every attempt is
/// logged, counted and audited, whether it landed or not. Works on the ledger the Reconciler lends it.
struct Executor: LedgerStage, Sendable {
    /// How long writes are retried within a pass.
    struct Settings: Sendable {
        var retry: RetryPolicy
        var writeDeadline: Duration
    }

    /// Read-backs go through a retrier; writes go to `writer`, retried by the work queue, per object.
    let grafana: any GrafanaAPI
    let writer: any GrafanaAPI
    let clock: any WallClock
    let logger: Logger
    let audit: AuditLog
    let metrics: ControllerMetrics
    let storage: any StateStorage
    let settings: Settings
    var ledger = Ledger()

    /// `invalid` names the grants left out for their errors, so a removal can say why it happens. `scope` is the
    /// objects the pass planned (nil: all): the ledger's entries on the others are as the pass that planned them left.
    mutating func execute(
        _ plan: Plan, desired: DesiredState, scope: Set<Binding.Resource>?, invalid: Set<String>, now: Date
    ) async throws -> ExecutionOutcome {
        var outcome = ExecutionOutcome()
        let causes = Dictionary(
            plan.changes.map { ($0.binding, ChangeCause(of: $0, desired: desired, invalid: invalid)) }
        ) {
            first, _ in first
        }
        func fields(_ change: Change) -> [String: String] {
            Self.fields(change).merging(["reason": causes[change.binding]?.rawValue ?? "granted"]) { $1 }
        }
        writeAhead(plan, desired: desired, scope: scope, now: now)
        try await storage.save(&ledger)
        let (attempted, failures, vanished) = await writeThroughQueue(plan.changes)
        // Audited in one append (one fsync, not one per change: 5,000 of them took 0.7 s of a cold pass) before the
        // ledger that clears their writes' pending marks is saved: a crash in between leaves the marks, and the next
        // start audits what it finds landed.
        var landed: [AuditEvent] = []
        for (change, failure) in failures {
            outcome.failed += 1
            record(change, failure: failure, fields: fields(change), into: &outcome)
        }
        for (change, reason) in vanished {
            outcome.applied += 1
            ledger.forget(change.binding)
            logger.log(.info, .changeApplied, fields(change).merging(["message": reason]) { $1 })
            for grant in change.grants { outcome.changes[grant, default: []].append(change.description) }
            var event = Self.auditEvent(change, outcome: "success", error: nil, now: clock.now())
            event.reason = reason + "; nothing is left to take back"
            landed.append(event)
        }
        // Confirm by reading back: one read per touched data source, folder or team.
        let readBack = await ActualState.read(attempted.map(\.binding), from: grafana)
        let confirmed = readBack.levels
        for change in attempted {
            if let error = readBack.unreadable[change.binding.resource] {
                outcome.failed += 1
                var failure = KeyFailure(error)
                failure.message = "written, but not confirmed: " + failure.message
                record(change, failure: failure, fields: fields(change), into: &outcome)
            } else if confirmed[change.binding] == change.to {
                outcome.applied += 1
                if var held = ledger.change(for: change.binding), held.pending != nil {
                    held.pending = nil
                    ledger.record(held)
                }
                metrics.permissionChanges.increment(change.kind.rawValue, "success")
                observeLateness(of: change, confirmedAt: clock.now())
                if change.kind == .revoke {
                    ledger.markUndone(change.binding, at: clock.now(), restarting: true)
                }
                if change.kind == .lower, var held = ledger.change(for: change.binding), let level = change.to {
                    held.levelSet = level
                    ledger.record(held)
                }
                logger.log(.info, .changeApplied, fields(change))
                for grant in change.grants { outcome.changes[grant, default: []].append(change.description) }
                landed.append(Self.auditEvent(change, outcome: "success", error: nil, now: clock.now()))
            } else {
                outcome.failed += 1
                let seen = confirmed[change.binding]?.description ?? "none"
                record(
                    change, failure: KeyFailure(message: "Grafana shows \(seen) after the write"),
                    fields: fields(change),
                    into: &outcome)
            }
        }
        // A failed change is audited too: the trail shows every attempt on Grafana, not only the ones that landed.
        try await audit.record(
            landed
                + outcome.failedChanges.map {
                    Self.auditEvent($0.0, outcome: "failure", error: $0.1, now: clock.now())
                })
        for note in plan.notes {
            let held = ledger.change(for: note.binding)
            if held?.undoneSince == nil {
                logger.log(.info, .noteRecorded, ["kind": note.kind.rawValue, "message": note.message])
            }
            guard desired.bindings[note.binding] == nil else { continue }
            // Raised by hand: no longer ours. Gone: watched until a read after the grace period (`forgetWatches`).
            if note.kind == .raisedByHand {
                ledger.forget(note.binding)
            } else {
                ledger.markUndone(note.binding, at: clock.now())
            }
        }
        return outcome
    }

    /// For a revocation or lowering confirmed after the grants that held the access ended: how late it came.
    private func observeLateness(of change: Change, confirmedAt now: Date) {
        guard change.kind == .revoke || change.kind == .lower else { return }
        let ends = change.grants.compactMap { ledger.grants[$0]?.end }
        guard ends.count == change.grants.count, let end = ends.max(), end <= now else { return }
        metrics.expiryLateness.observe(now.timeIntervalSince(end))
    }

    /// The ledger learns of each change before Grafana does: a crash in between leaves an entry that the next
    /// pass checks against Grafana, never access the controller has forgotten.
    private mutating func writeAhead(_ plan: Plan, desired: DesiredState, scope: Set<Binding.Resource>?, now: Date) {
        let changed = Set(plan.changes.map(\.binding))
        for (binding, want) in desired.bindings where scope?.contains(binding.resource) ?? true {
            guard var held = ledger.change(for: binding) else { continue }
            // Undone, and now satisfied by someone else's access: not the controller's any more.
            if held.undoneSince != nil && !changed.contains(binding) {
                ledger.forget(binding)
                continue
            }
            guard held.grants != want.grants else { continue }
            held.grants = want.grants
            ledger.record(held)
        }
        for change in plan.changes where change.kind == .revoke {
            guard var held = ledger.change(for: change.binding) else { continue }
            held.pending = .revoke
            ledger.record(held)
        }
        for change in plan.changes where change.kind != .revoke {
            guard let level = change.to else { continue }
            let existing = ledger.change(for: change.binding)
            // The ledger may only be lowered once Grafana confirms: a lowering that never lands must still be seen
            // as the controller's (higher) access, never as a level someone raised by hand.
            let levelSet = change.kind == .lower ? existing?.levelSet ?? level : level
            // A binding the ledger was still watching after a revoke starts afresh: what is there now is not ours.
            let before: Level?
            if let existing, existing.undoneSince == nil {
                before = existing.levelBefore
            } else {
                before = change.from
            }
            var entry = LedgerChange(
                binding: change.binding, levelSet: levelSet, levelBefore: before, grants: change.grants, since: now,
                subjectName: change.subjectName, resourceName: change.resourceName)
            entry.pending = change.kind
            ledger.record(entry)
        }
    }

    private func record(
        _ change: Change, failure key: KeyFailure, fields line: [String: String], into outcome: inout ExecutionOutcome
    ) {
        let failure = key.message
        outcome.failedKeys[change.binding.resource] = key
        var line = line
        line["error"] = failure
        logger.log(.error, .changeFailed, line)
        metrics.permissionChanges.increment(change.kind.rawValue, "failure")
        for grant in change.grants { outcome.errors[grant] = failure }
        if change.kind == .revoke || change.kind == .lower { outcome.removalErrors[change.binding] = failure }
        outcome.failedChanges.append((change, failure))
    }

    static func fields(_ change: Change) -> [String: String] {
        [
            "change": change.kind.rawValue, "subject": change.subjectName, "resource": change.resourceName,
            "permission": change.to?.description ?? "none", "previous": change.from?.description ?? "none",
            "grant": change.grants.joined(separator: ","),
        ]
    }

    static func auditEvent(_ change: Change, outcome: String, error: String?, now: Date) -> AuditEvent {
        let names: [Change.Kind: String] = [
            .grant: "permission.granted", .raise: "permission.raised", .driftCorrect: "permission.driftCorrected",
            .lower: "permission.lowered", .revoke: change.to == nil ? "permission.revoked" : "permission.restored",
            .removeStanding: "permission.standingRemoved",
        ]
        var event = AuditEvent(
            time: now, event: names[change.kind] ?? change.kind.rawValue, grant: change.grants.joined(separator: ","),
            outcome: outcome)
        event.subject = change.subjectName
        event.resource = change.resourceName
        event.permission = change.to?.description ?? "none"
        event.previous = change.from?.description ?? "none"
        event.error = error
        if change.kind == .removeStanding {
            event.reason = "standing access on a data source whose policy says standingAccess: revoke"
        }
        return event
    }
}
