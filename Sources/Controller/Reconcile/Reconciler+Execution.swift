import AccessModel
import Foundation
import GrafanaAPI

/// Applying a plan: ledger first, then Grafana, then a read-back that confirms each write.
extension Reconciler {
    struct ExecutionOutcome {
        var applied = 0
        var failed = 0
        /// Grant name → the changes made for it (for status).
        var changes: [String: [String]] = [:]
        var errors: [String: String] = [:]
        /// Why each failed revocation or lowering failed.
        var removalErrors: [Binding: String] = [:]
        /// Every change that failed, with why: audited with outcome `failure`.
        var failedChanges: [(Change, String)] = []
        /// Grants Grafana refused to apply for good (not a fault that may pass): they show `Failed` with why.
        var refusals: [String: String] = [:]
        /// Grants waiting on an object that could not be read, with Grafana's answer and the status reason.
        var blocked: [String: (message: String, reason: Reason)] = [:]
        /// Each object whose write failed, with why: its own backoff.
        var failedKeys: [Binding.Resource: KeyFailure] = [:]
        /// What each grant's token key checked this pass came to: its own backoff.
        var tokenResults: [String: ReconcileResult] = [:]
        /// Token creations and deletions that failed, audited with outcome `failure`.
        var failedTokenEvents: [AuditEvent] = []

        /// Marks the grants that need a waiting key (an object they have desired bindings or ledger entries on, or
        /// their own token) as waiting, each with the key's failure and what it is waiting for.
        mutating func block(
            grantsOn waiting: [ReconcileKey: (failure: KeyFailure, why: String)], desired: DesiredState,
            ledger: Ledger
        ) {
            guard !waiting.isEmpty else { return }
            var needs: [ReconcileKey: Set<String>] = [:]
            // Only the grants on a waiting object are looked up; a waiting token names its grant.
            if !waiting.objects.isEmpty {
                for (binding, want) in desired.bindings where waiting[.object(binding.resource)] != nil {
                    needs[.object(binding.resource), default: []].formUnion(want.grants)
                }
                for change in ledger.entriesByBinding.values where waiting[.object(change.binding.resource)] != nil {
                    needs[.object(change.binding.resource), default: []].formUnion(change.grants)
                }
            }
            for (key, (failure, why)) in waiting {
                let reason: Reason = failure.unsupported ? .unsupported : .applyFailed
                let grants: Set<String> =
                    switch key {
                    case .object: needs[key] ?? []
                    case .token(let grant): [grant]
                    }
                for grant in grants where blocked[grant] == nil {
                    blocked[grant] = ("waiting for \(key.words), \(why): \(failure.message)", reason)
                }
            }
        }

        /// Records how a token key came out; the first failure in a pass is the one kept.
        mutating func settle(tokenOf grant: String, _ result: ReconcileResult) {
            if case .failed = tokenResults[grant] { return }
            tokenResults[grant] = result
        }
    }

    /// `invalid` names the grants left out for their errors, so a removal can say why it happens. `scope` is the
    /// objects the pass planned (nil: all): the ledger's entries on the others are as the pass that planned them left.
    func execute(
        _ plan: Plan, desired: DesiredState, scope: Set<Binding.Resource>?, invalid: Set<String>, now: Date
    ) async throws -> ExecutionOutcome {
        var outcome = ExecutionOutcome()
        let causes = Dictionary(
            plan.changes.map { ($0.binding, ChangeCause(of: $0, desired: desired, invalid: invalid)) }
        ) {
            first, _ in first
        }
        func fields(_ change: Change) -> [String: String] {
            self.fields(change).merging(["reason": causes[change.binding]?.rawValue ?? "granted"]) { $1 }
        }
        writeAhead(plan, desired: desired, scope: scope, now: now)
        try await saveLedger()
        let (attempted, failures, vanished) = await writeThroughQueue(plan.changes)
        for (change, failure) in failures {
            outcome.failed += 1
            record(change, failure: failure, fields: fields(change), into: &outcome)
        }
        for (change, reason) in vanished {
            outcome.applied += 1
            ledger.forget(change.binding)
            logger.log(.info, .changeApplied, fields(change).merging(["message": reason]) { $1 })
            for grant in change.grants { outcome.changes[grant, default: []].append(change.description) }
            var event = auditEvent(change, outcome: "success", error: nil, now: clock.now())
            event.reason = reason + "; nothing is left to take back"
            try await audit.record([event])
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
                if change.kind == .revoke { ledger.markUndone(change.binding, at: clock.now(), restarting: true) }
                if change.kind == .lower, var held = ledger.change(for: change.binding), let level = change.to {
                    held.levelSet = level
                    ledger.record(held)
                }
                logger.log(.info, .changeApplied, fields(change))
                for grant in change.grants { outcome.changes[grant, default: []].append(change.description) }
                try await auditChange(change, outcome: "success", error: nil, now: clock.now())
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
            outcome.failedChanges.map { auditEvent($0.0, outcome: "failure", error: $0.1, now: clock.now()) })
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
    private func writeAhead(_ plan: Plan, desired: DesiredState, scope: Set<Binding.Resource>?, now: Date) {
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

    /// Writes an earlier pass began but never saw answered (a lost answer, a killed process) that Grafana shows as
    /// done: audited now, so every change in Grafana has its event. A binding this pass writes again is left to
    /// that write, unless the write takes back access whose granting was never audited.
    func confirmInterruptedWrites(_ plan: Plan, actual state: ActualState, now: Date) async throws {
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
            var event = auditEvent(change, outcome: "success", error: nil, now: now)
            event.reason = "confirmed by reading back: the write's answer was lost or the controller stopped before it"
            events.append(event)
            if kind == .lower, let current { held.levelSet = current }
            held.pending = nil
            ledger.record(held)
            logger.log(.info, .changeApplied, fields(change).merging(["confirmed": "late"]) { $1 })
        }
        guard !events.isEmpty else { return }
        try await saveLedger()
        try await audit.record(events)
    }

    /// Writes through a work queue keyed by resource: one worker per resource at a time, in plan order; 4 workers;
    /// a transient failure puts the resource back with per-resource backoff (never sooner than `Retry-After`) until
    /// the write deadline; after it, what is left fails for this pass and the ledger keeps it for the next.
    private func writeThroughQueue(_ changes: [Change]) async -> (
        written: [Change], failures: [(Change, KeyFailure)], vanished: [(Change, String)]
    ) {
        var byResource: [Binding.Resource: [Change]] = [:]
        let queue = WorkQueue<Binding.Resource>(clock: clock, policy: configuration.retry, metrics: metrics)
        for change in changes {
            if byResource[change.binding.resource] == nil { await queue.add(change.binding.resource) }
            byResource[change.binding.resource, default: []].append(change)
        }
        let book = WriteBook(byResource)
        let deadline = clock.now().addingTimeInterval(configuration.writeDeadline.timeInterval)
        let (writer, clock) = (self.writer, self.clock)
        await withTaskGroup(of: Void.self) { group in
            // No more workers than keys: a worker with nothing to take waits in steps of the queue's idle check for
            // the others, which made every one-key pass (a file event's) 20 ms longer.
            for _ in 0..<min(4, byResource.count) {
                group.addTask {
                    while let resource = await queue.next() {
                        await Self.process(
                            resource, queue: queue, book: book, writer: writer, clock: clock, deadline: deadline)
                        await queue.done(resource)
                    }
                }
            }
        }
        return (await book.written, await book.failures, await book.vanished)
    }

    private static func process(
        _ resource: Binding.Resource, queue: WorkQueue<Binding.Resource>, book: WriteBook, writer: any GrafanaAPI,
        clock: any WallClock, deadline: Date
    ) async {
        for change in await book.changes(for: resource) {
            switch await attempt(change, on: writer) {
            case .written:
                await book.succeeded(change, on: resource)
            case .vanished(let reason) where change.kind == .revoke || change.kind == .lower:
                // Nothing is left to take back: the access went with its target.
                await book.vanished(change, on: resource, because: reason)
            case .vanished(let reason):
                await book.fail(resource, because: KeyFailure(message: reason))
                return
            case .failed(let error):
                if error.isRetryable && clock.now() < deadline {
                    await queue.addRateLimited(resource, retryAfter: error.retryAfter)
                } else {
                    await book.fail(resource, because: KeyFailure(error))
                }
                return
            }
        }
        await queue.forget(resource)
    }

    static func write(_ change: Change, to grafana: any GrafanaAPI) async throws(GrafanaAPIError) {
        switch (change.binding.principal, change.binding.resource) {
        case (let principal, .dataSource), (let principal, .folder):
            guard let resource = change.binding.resource.permissionResource else { return }
            let target: GrafanaPrincipal =
                switch principal {
                case .user(let id): .user(id)
                case .team(let id): .team(id)
                }
            try await grafana.setPermission(on: resource, principal: target, level: change.to?.grafanaName)
        case (.user(let user), .team(let team)):
            switch change.to {
            case nil: _ = try await grafana.removeTeamMember(team: team, user: user)
            case .member? where change.from == nil: _ = try await grafana.addTeamMember(team: team, user: user)
            case let level?: try await grafana.setTeamRole(team: team, user: user, role: level.grafanaName)
            }
        case (.user(let user), .orgRole):
            // Restoring "nothing" means the `None` role: every org user has some role.
            try await grafana.setOrgRole(user: user, role: change.to?.grafanaName ?? "None")
        case (.team, .team), (.team, .orgRole):
            // Validation refuses team subjects joining teams or holding org roles; nothing can plan this.
            return
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

    func fields(_ change: Change) -> [String: String] {
        [
            "change": change.kind.rawValue, "subject": change.subjectName, "resource": change.resourceName,
            "permission": change.to?.description ?? "none", "previous": change.from?.description ?? "none",
            "grant": change.grants.joined(separator: ","),
        ]
    }

    private func auditChange(_ change: Change, outcome: String, error: String?, now: Date) async throws {
        try await audit.record([auditEvent(change, outcome: outcome, error: error, now: now)])
    }

    private func auditEvent(_ change: Change, outcome: String, error: String?, now: Date) -> AuditEvent {
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

extension Binding.Resource {
    /// The object as a message names it.
    var words: String {
        switch self {
        case .dataSource(let uid): "data source \(uid)"
        case .folder(let uid): "folder \(uid)"
        case .team(let id): "team \(id)"
        case .orgRole: "the organization's users"
        }
    }
}
