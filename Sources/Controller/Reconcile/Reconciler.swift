import AccessModel
import Foundation
import GrafanaAPI

/// Settings for one controller.
package struct ReconcilerConfiguration: Sendable {
    /// Where grants, policies and bundles are read from; each path yields only the kinds it may hold.
    package var sources: ResourceSources
    package var stateDirectory: String
    package var decoder = ResourceDecoder()
    /// How long one Grafana write is retried within a pass before the pass gives up on it (it is retried on the
    /// next pass; the ledger keeps it).
    package var writeDeadline: Duration = .seconds(30)
    package var retry = RetryPolicy()
    /// Each failing key's own backoff between passes (`KeyBackoff`), with `Retry-After` as its floor.
    package var keyRetry = RetryPolicy(base: .seconds(1), cap: .seconds(60))
    /// Revocations caused by vanished files are held when they would undo more than this share of the ledger...
    package var brakeShare = 0.5
    /// ...and at least this many bindings at once (so deleting one grant file is never held).
    package var brakeMinimum = 10
    /// How long an undone binding stays in the ledger, watched, before a read of its object may forget it.
    package var undoneGrace: Duration = .seconds(60)
    /// How long an on-call answer is reused before OnCall is asked again.
    package var onCallCache: Duration = .seconds(15)
    /// Where service-account token files go, one per grant, mode 0600.
    package var secretsDirectory: String
    /// The Grafana instance and org this controller governs, among every configured one.
    package var target = Target.single(org: nil)
    /// Remove standing access on the data sources of policies with `standingAccess: revoke`.
    package var enforceZeroStanding = false
    /// Lead times before a grant's end at which an expiring-soon notice goes out (only with a notifier).
    package var expiryNotices: [Duration] = []
    /// Server certificates go unchecked (`--insecure-skip-verify`): every pass says so.
    package var skipsTLSVerification = false

    package init(sources: ResourceSources, stateDirectory: String) {
        self.sources = sources
        self.stateDirectory = stateDirectory
        secretsDirectory = stateDirectory + "/secrets"
    }
}

/// What a pass did.
package struct PassResult: Sendable {
    package var plan = Plan()
    package var applied = 0
    package var failed = 0
    package var held = 0
    package var phases: [String: Phase] = [:]
    /// When the next grant starts or ends: the timer's next deadline.
    package var nextDeadline: Date?
    /// Whose edge that deadline is, and which (`start`, `end`, `activeHours`, `shiftEnd`, `notice`).
    package var nextEdge: (grant: String, edge: String)?
    /// Resource files added, changed or removed since the previous pass (by path).
    package var changedFiles: [String] = []
    /// Grafana answered the pass's reads.
    package var reachedGrafana = false
    /// Objects (data sources, folders, teams) whose permissions or members could not be read: left alone this pass.
    package var unreadable = 0
    /// Keys (objects and tokens) left alone this pass because their own backoff after a failure is not over.
    package var waiting = 0
    /// What each key read, written or checked this pass came to.
    package var keys: [ReconcileKey: ReconcileResult] = [:]
    /// When the earliest failing key's retry falls due.
    package var nextRetry: Date?
    /// Access that should no longer be in Grafana after the pass (a removal that failed, waited or was held).
    package var overdue: [OverdueRevocation] = []
    /// How many bindings the ledger holds after the pass.
    package var ledgerEntries = 0
    package var error: String?

    /// Converged: nothing failed, nothing held, nothing waiting, no pass error.
    package var isConverged: Bool { failed == 0 && held == 0 && unreadable == 0 && waiting == 0 && error == nil }

    /// What only a whole pass can retry failed: the pass itself, or revocations the brake held (it counts them
    /// together). A failing key, a token's too, retries on its own backoff (`nextRetry`).
    package var needsPassRetry: Bool { error != nil || held > 0 }

    /// Grants that could not be applied because Grafana lacks their user, team or data source; retried on the
    /// next resync rather than at once.
    package var failedGrants: [String] { phases.filter { $0.value == .failed }.map(\.key).sorted() }
}

/// A binding whose removal is overdue after a pass: why, and when the last of its grants ended.
package struct OverdueRevocation: Sendable {
    package var change: LedgerChange
    package var reason: String
    package var end: Date?
}

/// Runs passes: files + Grafana + ledger + now → plan → writes, confirmed by reading back, with the ledger
/// written ahead of every write so a crash can never lose track of access the controller granted.
package actor Reconciler {
    let configuration: ReconcilerConfiguration
    /// Reads go through a retrier; writes are retried by the work queue, per resource.
    let grafana: any GrafanaAPI
    let writer: any GrafanaAPI
    let clock: any WallClock
    let logger: Logger
    let audit: AuditLog
    let fileSystem: any FileSystem
    let storage: any StateStorage
    var lastValid: LastValidFiles
    var ledger = Ledger()
    /// Nil while the ledger is here; while a stage holds it (`lendingLedger`), the readers waiting for it.
    var ledgerWaiters: [CheckedContinuation<Void, Never>]?
    var statuses: [String: GrantStatus] = [:]
    /// Statuses are read at the first report, not at start: revoking what is overdue needs none of them, and reading
    /// 10,000 status files would delay it.
    var statusesLoaded = false
    var lastSnapshot: (files: [DecodedFile], fellBack: [DecodedFile])?
    /// The last catalog and the files it was made of: the next is patched from it when only a few grant files changed.
    var lastCatalog: (files: [DecodedFile], catalog: ResourceCatalog)?
    /// Each resource file's content hash in the latest read, and in the previous applying pass's.
    var lastSnapshotHashes: [String: UInt64] = [:]
    /// What the last `git status` found, for which commit and file contents.
    var uncommittedChecked: (commit: String, files: [String: UInt64], grants: Set<String>)?
    /// Files rejected (or kept at their last valid content) by the previous pass, to say once when one recovers.
    var rejectedFiles: Set<String> = []
    var previousHashes: [String: UInt64]?
    /// Which read of `lastValid` those hashes are of.
    var previousHashesRead = 0
    private var stateLock: FileLock?
    let onCall: (any OnCallAPI)?
    let metrics: ControllerMetrics
    /// The grants checkout's commit and pull request, read again when the commit changes.
    var provenance: Provenance?
    /// The bindings the last pass that got that far wanted in Grafana.
    var lastDesired: [Binding: DesiredBinding]?
    let incidents: (any IncidentAPI)?
    var lastOnCall: (at: Date, schedules: [String], roster: OnCallRoster)?
    let notifier: Notifier?
    /// Bindings whose revocation the brake held in the last pass, so each is audited once while held.
    var brakeHeld: Set<Binding> = []
    /// What was last seen in Grafana, so an event reads only what it touches.
    var observed = ObservedGrafana()
    /// Each grant's decision, reused by the passes an event starts while nothing it was decided on changed.
    var decisions = DesiredState.Memo()
    /// When every grant was last decided afresh: a resync does so again after `freshDecisionsEvery`, so that a
    /// decision reused wrongly (an input the memo missed) could never outlive that.
    var decidedAllAt: Date?
    static let freshDecisionsEvery: TimeInterval = 600
    /// What each grant's status was made of in the last report: an unchanged grant's status is not built again.
    var reportInputs: [String: StatusReport.Input] = [:]
    /// Each grant's phase in the last report, and the provenance it claimed.
    var reportPhases: [String: Phase] = [:]
    var reportProvenance: Provenance?
    /// The grants whose last status input was not quiet (nil: unknown, the next report looks at every grant).
    var reportNoisy: Set<String>?
    /// The grants the last report gave a phase only for a status of a grant not in the catalog.
    var reportOutside: Set<String> = []
    /// The next pass reads and plans every object, whatever started it: the last pass failed after deciding.
    var plansEverything = false
    /// Each failing key's backoff: an event's pass leaves it alone until its retry is due.
    var keyBackoff: KeyBackoff
    /// Folder references whose lookup failed, with why, until they may be asked again.
    var folderMisses: [String: (until: Date, problem: ReferenceProblem)] = [:]

    /// Without `storage`, the ledger, statuses and audit trail (`audit.jsonl`) are kept in the state folder.
    package init(
        configuration: ReconcilerConfiguration, grafana: any GrafanaAPI, fileSystem: any FileSystem,
        clock: any WallClock, logger: Logger, onCall: (any OnCallAPI)? = nil,
        incidents: (any IncidentAPI)? = nil, metrics: ControllerMetrics = ControllerMetrics(),
        notifier: Notifier? = nil, storage: (any StateStorage)? = nil
    ) {
        self.metrics = metrics
        self.notifier = notifier
        self.onCall = onCall
        self.incidents = incidents
        self.configuration = configuration
        writer = grafana
        self.grafana = RetryingGrafana(
            grafana, retrier: Retrier(policy: configuration.retry, clock: clock), deadline: configuration.writeDeadline)
        self.fileSystem = fileSystem
        self.clock = clock
        self.logger = logger
        let storage = storage ?? FileStateStorage(directory: configuration.stateDirectory, fileSystem: fileSystem)
        self.storage = storage
        audit = AuditLog(storage: storage)
        keyBackoff = KeyBackoff(policy: configuration.keyRetry)
        lastValid = LastValidFiles(stateDirectory: configuration.stateDirectory, fileSystem: fileSystem)
    }

    /// Loads the ledger; refuses a ledger it cannot trust. With `exclusive` (anything that writes),
    /// also takes the state folder's lock: two controllers on one ledger would each undo the other's memory.
    package func start(exclusive: Bool = true) async throws(LedgerError) {
        do {
            // Only what writes creates the state folder: `plan` and `--dry-run` leave no trace.
            if exclusive {
                try fileSystem.createDirectories(configuration.stateDirectory)
                let path = configuration.stateDirectory + "/lock"
                guard let lock = try fileSystem.lockExclusively(path) else { throw LedgerError.locked(path: path) }
                stateLock = lock
            }
        } catch let error as LedgerError {
            throw error
        } catch {
            throw .unwritable(path: configuration.stateDirectory, reason: "\(error)")
        }
        ledger = try await storage.loadLedger(maintaining: exclusive)
        await audit.setTarget(configuration.target)
    }

    package var ledgerSize: Int { ledger.count }

    /// True when the state folder holds no record of any grant: every grant is then seen for the first time, and
    /// an expired one would start afresh (a name stays expired only while its state lives).
    package var remembersNoGrant: Bool { ledger.grants.isEmpty }

    var undoneGrace: TimeInterval { configuration.undoneGrace.timeInterval }

    /// One full pass. With `applying` false it only plans (for `plan` and `--dry-run`). What it came to is for its
    /// caller (the daemon's loop, or `run --once` through it) to log, count and notice. `files` is what changed in
    /// the configured trees since the last pass, as the daemon's watcher saw it: a pass that reads incrementally
    /// reads only those files. `prefetched` is what was read ahead of a resync step (`ResyncPrefetch`), used only by
    /// the step it was read for.
    package func pass(
        applying: Bool = true, trigger: PassTrigger = .request, files: FileChanges = .everything,
        prefetched: ResyncPrefetch? = nil
    ) async -> PassResult {
        let prefetched = prefetched.flatMap { $0.trigger == trigger ? $0 : nil }
        var result = PassResult()
        let now = clock.now()
        var removalErrors: [Binding: String] = [:]
        do {
            if configuration.skipsTLSVerification {
                logger.log(
                    .warning, .tlsUnverified,
                    [
                        "message":
                            "--insecure-skip-verify is on: Grafana's certificate is not checked, so anyone on the path can "
                            + "read and change what grafana-jit sends"
                    ])
            }
            // A pass that applies writes state; one that only plans leaves no trace, not even the folder.
            if applying { try fileSystem.createDirectories(configuration.stateDirectory) }
            if applying, trigger == .startup { result.applied += try await revokeOverdueFirst(now: now) }
            let incremental = trigger.readsIncrementally
            // Every file is read whole, and every grant decided afresh, at a start, a retry, a request, and by a
            // resync at least every 10 minutes; the resyncs between trust a file whose stamp has not changed.
            let refreshesAll =
                !incremental && decidedAllAt.map({ now.timeIntervalSince($0) >= Self.freshDecisionsEvery }) ?? true
            let isResync = if case .resync = trigger { true } else { false }
            let (catalog, invalid, rejected) = try loadCatalog(
                saving: applying, trustingStamps: incremental || (isResync && !refreshesAll),
                changed: incremental ? files : .everything)
            result.changedFiles = changedFiles(since: applying)
            await readProvenance()
            await markUncommitted(catalog)
            await audit.setProvenance(provenance)
            var snapshot = try await facts(for: catalog, reusing: incremental, prefetched: prefetched?.facts, now: now)
            result.reachedGrafana = true
            let roster = await onCallRoster(for: GrafanaSnapshot.schedules(in: catalog), now: now)
            let incidents = await incidentActivity(for: Set(catalog.grants.compactMap(\.incident)).sorted(), now: now)
            let leads = notifier == nil ? [] : configuration.expiryNotices
            func desiredState(_ facts: GrafanaSnapshot) -> DesiredState {
                snapshot = facts
                (snapshot.onCall, snapshot.shiftEnds, snapshot.incidents) =
                    (roster?.onCall, roster?.shiftEnds ?? [:], incidents)
                return DesiredState(
                    catalog: catalog, snapshot: snapshot, records: ledger.grants, now: now, memo: &decisions,
                    remembering: trigger != .request, noticeLeads: leads, recordsRevision: ledger.revisions.grants)
            }
            if refreshesAll {
                decisions.forget()
                decidedAllAt = now
            }
            // The memo holds the last desired state too: let go of it here, so that it is patched in place.
            lastDesired = nil
            var desired = desiredState(snapshot)
            if applying { lastDesired = desired.bindings }
            // Facts held from earlier passes may predate a user, team or data source a new grant names.
            if incremental, desired.namesUnknownObjects, !observed.mayReuseFacts(now: now, namesUnknown: true) {
                let first = desired
                desired = desiredState(try await facts(for: catalog, reusing: false, now: now))
                desired.include(changesOf: first)
                if applying { lastDesired = desired.bindings }
            }
            // A failing key is left alone until its own retry is due; a start, resync or request tries them all.
            let waiting = incremental ? keyBackoff.notDue(at: now) : [:]
            // A key that asked to be read again by now is read, not planned on what was last seen of it.
            observed.forget(
                keyBackoff.requeuedDue(at: now).compactMap { if case .object(let key) = $0 { key } else { nil } })
            // After a failed pass, what it decided may not have been planned: this one plans every object.
            let (actual, scope) = await actualState(
                of: desired, slice: plansEverything ? .all : trigger.keySlice, leaving: Set(waiting.objects.keys),
                prefetched: prefetched)
            var plan = Planner.plan(desired: desired.bindings, actual: actual.levels, ledger: ledger, only: scope)
            // An object that could not be read is left as it is this pass; only the grants that need it wait.
            let withheld = Set(actual.unreadable.keys).union(waiting.objects.keys)
            plan.withhold(withheld)
            assertScopeMissesNothing(scope, plan: plan, desired: desired, actual: actual, withheld: withheld)
            (result.unreadable, result.waiting) = (actual.unreadable.count, waiting.count)
            if configuration.enforceZeroStanding {
                plan.changes += try await standingRemovals(catalog: catalog, snapshot: snapshot, desired: desired)
            }
            let held = holdVanishingRevocations(&plan, catalog: catalog, rejected: Set(rejected.keys), now: now)
            result.held = held.count
            result.plan = plan
            if let next = desired.nextDeadline {
                result.nextDeadline = next.date
                result.nextEdge = (next.grant, next.edge)
            }
            guard applying else { return result }
            try await auditNewlyHeld(held, now: now)
            // Windows are saved with the write-ahead entries: a crash before the pass ends must not let the next
            // start see the grants as new and restart their windows.
            if desired.changesRecords {
                ledger.grants = desired.records
                decisions.recordsSaved(revision: ledger.revisions.grants)
            }
            // Touched before the writes too: a pass that fails during them still keeps a read made ahead off them.
            observed.forget(plan.changes.map(\.binding.resource))
            var outcome = try await lendingLedger(to: executor) { executor in
                try await executor.confirmInterruptedWrites(plan, actual: actual, now: now)
                return try await executor.execute(
                    plan, desired: desired, scope: scope, invalid: Set(rejected.keys), now: now)
            }
            observed.forget(plan.changes.map(\.binding.resource))
            ledger.forgetWatches(
                undoneBy: now.addingTimeInterval(-undoneGrace),
                on: actual.read.subtracting(actual.readAhead).subtracting(outcome.failedKeys.keys))
            let heldTokens = tokensHeldByTheBrake(desired, catalog: catalog, rejected: Set(rejected.keys), now: now)
            result.held += heldTokens.count
            let leavingTokens = Set(waiting.tokens.keys).union(heldTokens)
            let retryingTokens = Set(keyBackoff.waiting.tokens.keys).subtracting(leavingTokens)
            try await lendingLedger(to: tokenKeeper) { keeper in
                try await keeper.keep(
                    desired.tokens, checkingAll: !incremental, retrying: retryingTokens, leaving: leavingTokens,
                    into: &outcome)
            }
            var blockers: [ReconcileKey: (KeyFailure, String)] = [:]
            for (key, error) in actual.unreadable {
                blockers[.object(key)] = (KeyFailure(error), "which could not be read")
            }
            for (key, failure) in waiting {
                let due = keyBackoff.waiting[key]?.due.rfc3339 ?? "later"
                blockers[key] = (failure, "retried at \(due) after it failed")
            }
            outcome.block(grantsOn: blockers, desired: desired, ledger: ledger)
            result.keys = keyResults(read: actual, written: plan, outcome: outcome, now: now)
            // The pass's own time: a key it left alone as not yet due is kept, however long the pass took.
            keyBackoff.record(result.keys, now: now)
            result.nextRetry = keyBackoff.nextDue
            TokenKeeper.sayWhenTokensRetry(in: &outcome, backoff: keyBackoff)
            removalErrors = outcome.removalErrors
            result.applied += outcome.applied
            result.failed = outcome.failed
            try await saveLedger()
            result.phases = try await report(
                catalog: catalog, desired: desired, invalid: invalid, rejected: rejected, outcome: outcome, now: now)
            plansEverything = false
        } catch {
            // The desired state it computed is the memo's now: the changes it made are no longer told apart.
            plansEverything = true
            result.error = "\(error)"
        }
        if applying {
            result.overdue = overdueAfter(result, incremental: trigger.readsIncrementally, now: now).map { change in
                let ends = change.grants.compactMap { ledger.grants[$0]?.end }
                let reason = removalErrors[change.binding] ?? result.error ?? "the revocation did not land"
                return OverdueRevocation(change: change, reason: reason, end: ends.max())
            }
            result.ledgerEntries = ledger.count
        }
        return result
    }

    /// `grafana` and `org` label values of this controller's series.
    nonisolated var targetLabels: (grafana: String, org: String) {
        (configuration.target.grafana, configuration.target.org.map(String.init) ?? "")
    }

    /// Bindings the ledger holds, not undone, that the last computed desired state did not want or whose grants
    /// have all ended by `now`: access that should no longer be in Grafana. Zero after every converged pass.
    /// Sorted only once filtered: sorting every entry by binding, every pass, cost more than the filter.
    private func overdueRevocations(now: Date) -> [LedgerChange] {
        ledger.entriesByBinding.values.filter { change in
            guard change.undoneSince == nil else { return false }
            if let lastDesired, lastDesired[change.binding] == nil { return true }
            return change.grants.allSatisfy { ledger.grants[$0]?.end.map { $0 <= now } ?? false }
        }.sorted { $0.binding < $1.binding }
    }

    /// What is overdue after a pass. After an event's pass that converged, nothing: every binding whose grants
    /// ended or vanished changed its desired state, was planned and revoked (checked in debug builds). Any other
    /// pass looks through the whole ledger.
    private func overdueAfter(_ result: PassResult, incremental: Bool, now: Date) -> [LedgerChange] {
        guard incremental, result.isConverged else { return overdueRevocations(now: now) }
        assert(overdueRevocations(now: now).isEmpty, "an event's converged pass left access overdue")
        return []
    }

    /// The safety brake (`SafetyBrake`), said in the log when it engages.
    private func holdVanishingRevocations(
        _ plan: inout Plan, catalog: ResourceCatalog, rejected: Set<String>, now: Date
    ) -> [Change] {
        // Only revocations are ever held: a pass without one is spared the set of every grant's name.
        guard plan.changes.contains(where: { $0.kind == .revoke }) else { return [] }
        let brake = SafetyBrake(share: configuration.brakeShare, minimum: configuration.brakeMinimum)
        let present = Set(catalog.grants.map(\.name)).union(rejected)
        let held = brake.hold(&plan, ledger: ledger, present: present, now: now)
        guard !held.isEmpty else { return [] }
        logger.log(
            .error, .revocationsHeld,
            [
                "count": String(held.count), "ledger": String(ledger.count),
                "message":
                    "grant files vanished for more than \(Int(configuration.brakeShare * 100))% of the ledger at once; "
                    + "revocations held until the next pass (is the checkout empty or half-synced?)",
            ])
        return held
    }

    /// The tokens of grants that vanished while the brake is engaged (counted from the ledger): kept, neither the
    /// token nor its file removed, until the files return or fewer vanish. Only looked for when some token is no
    /// longer wanted.
    private func tokensHeldByTheBrake(
        _ desired: DesiredState, catalog: ResourceCatalog, rejected: Set<String>, now: Date
    ) -> Set<String> {
        let unwanted = ledger.tokens.keys.filter { desired.tokens[$0] == nil }
        guard !unwanted.isEmpty else { return [] }
        let present = Set(catalog.grants.map(\.name)).union(rejected)
        let vanished = unwanted.filter { SafetyBrake.vanished($0, present: present, ledger: ledger, now: now) }
        let brake = SafetyBrake(share: configuration.brakeShare, minimum: configuration.brakeMinimum)
        guard !vanished.isEmpty, brake.holdsTokens(ledger: ledger, present: present, now: now) else { return [] }
        return Set(vanished)
    }

    /// Each revocation the brake holds is audited once (`revocation.held`), when it is first held, not at every
    /// pass that keeps holding it: the trail shows what waited, and a review can list it.
    private func auditNewlyHeld(_ held: [Change], now: Date) async throws {
        let newly = held.filter { !brakeHeld.contains($0.binding) }
        brakeHeld = Set(held.map(\.binding))
        try await audit.record(
            newly.map { change in
                var event = AuditEvent(
                    time: now, event: "revocation.held", grant: change.grants.joined(separator: ","), outcome: "held")
                event.subject = change.subjectName
                event.resource = change.resourceName
                event.permission = change.to?.description ?? "none"
                event.previous = change.from?.description ?? "none"
                event.reason =
                    "the safety brake: grant files vanished for more than \(Int(configuration.brakeShare * 100))% of "
                    + "the ledger at once; held until the files return or a later pass confirms them gone"
                return event
            })
    }

    /// Each object read or written this pass: failed when its read or one of its writes failed; requeued for the end
    /// of a watch on it after a revocation, when the pass that ends the watch reads it; else done. And each token
    /// checked, as the token keeper found it.
    private func keyResults(read actual: ActualState, written plan: Plan, outcome: ExecutionOutcome, now: Date)
        -> [ReconcileKey: ReconcileResult]
    {
        var touched = actual.read
        for change in plan.changes { touched.insert(change.binding.resource) }
        var results: [ReconcileKey: ReconcileResult] = [:]
        for key in touched { results[.object(key)] = .done }
        for (key, end) in ledger.watchesEnding(on: touched, grace: undoneGrace) {
            // Whole milliseconds, rounded up: the pass it wakes must find the watch over.
            let wait = Duration.milliseconds(Int64((max(0, end.timeIntervalSince(now)) * 1000).rounded(.up)))
            results[.object(key)] = .requeue(after: wait)
        }
        for (key, error) in actual.unreadable { results[.object(key)] = .failed(KeyFailure(error)) }
        for (key, failure) in outcome.failedKeys { results[.object(key)] = .failed(failure) }
        for (grant, result) in outcome.tokenResults { results[.token(grant: grant)] = result }
        return results
    }

    /// A pass that plans only some objects (`scope`) plans what planning every object would: checked in debug
    /// builds, which every test runs, on what was last seen of the others.
    private func assertScopeMissesNothing(
        _ scope: Set<Binding.Resource>?, plan: Plan, desired: DesiredState, actual: ActualState,
        withheld: Set<Binding.Resource>
    ) {
        #if DEBUG
            guard let scope else { return }
            var levels = observed.levels(except: scope)
            levels.merge(actual.levels) { _, read in read }
            var everything = Planner.plan(desired: desired.bindings, actual: levels, ledger: ledger)
            everything.withhold(withheld)
            assert(
                everything.changes == plan.changes,
                "planning \(scope.count) objects missed \(Set(everything.changes.map(\.description)).subtracting(plan.changes.map(\.description)))"
            )
        #endif
    }

    func saveLedger() async throws(LedgerError) {
        try await storage.saveLedger(ledger)
        ledger.markSaved()
    }

    func saveStatuses(_ list: [GrantStatus]) async throws(FileSystemError) {
        try await storage.saveStatuses(list)
    }
}

/// Why a pass could not run at all.
package enum ReconcileError: Error, CustomStringConvertible {
    case grantsMissing([String])

    package var description: String {
        switch self {
        case .grantsMissing(let paths):
            "\(paths.joined(separator: ", ")) does not exist; nothing is changed until it does"
        }
    }
}
