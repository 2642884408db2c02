import Foundation
import GrafanaAPI
import Synchronization

/// The daemon: a pass now, then whenever a file changes (polled, debounced), a grant starts or ends, a step of the
/// resync is due (`ResyncSchedule`), or a failing key's own retry or a requeued key falls due; after a failed pass,
/// again with backoff.
/// Stops between passes when asked. The one place that logs how each pass came out, records the pass's metrics and
/// sends notices for revocations that are overdue; `run --once` runs its one pass through it too.
package actor ControllerLoop {
    package struct Timing: Sendable {
        package var resync: Duration = .seconds(60)
        /// Quiet time that ends a burst of file events: a git checkout's writes come microseconds apart, so a short
        /// window still folds them, and an edit is applied within the latency goal (100 ms).
        package var debounce: Duration = .milliseconds(20)
        package var retry = RetryPolicy(base: .seconds(1), cap: .seconds(60))

        package init() {}
    }

    let reconciler: Reconciler
    private let clock: any WallClock
    private let logger: Logger
    private let timing: Timing
    private let changes: any ChangeDetector
    private let readiness: Readiness.Entry?
    private var stopRequested = false
    private var failures = 0
    /// Bindings whose overdue removal was notified, until they are no longer overdue.
    private var notifiedRemovals: Set<Binding> = []

    /// `changes` is needed only by `run`: `once` watches nothing.
    package init(
        reconciler: Reconciler, changes: any ChangeDetector = UnwatchedFiles(), clock: any WallClock, logger: Logger,
        timing: Timing = Timing(), readiness: Readiness.Entry? = nil
    ) {
        self.readiness = readiness
        self.reconciler = reconciler
        self.changes = changes
        self.clock = clock
        self.logger = logger
        self.timing = timing
    }

    /// Finishes the pass in progress, then `run` returns.
    package func requestStop() {
        stopRequested = true
    }

    package func run() async {
        var trigger = PassTrigger.startup
        // What changed in the files since the last pass, when the detector names paths (else: read them all).
        var files: FileChanges = .everything
        var resync = ResyncSchedule(interval: timing.resync, start: clock.now())
        // The next resync step's reads, made while passes for events go on (`ResyncPrefetch`).
        var prefetch: ReadAhead?
        while !stopRequested {
            var ahead: ResyncPrefetch?
            if let next = prefetch, next.trigger == trigger {
                // Not waited for: reads still going (a slow or failing Grafana) are the step's to make, as before.
                if next.isFinished { ahead = await next.task.value } else { next.task.cancel() }
                prefetch = nil
            }
            let started = clock.now()
            let result = await reconciler.pass(trigger: trigger, files: files, prefetched: ahead)
            await finish(result, trigger: trigger, started: started)
            failures = result.needsPassRetry ? failures + 1 : 0
            // The start-up pass read every key, as a resync would: the resync's steps count from its end.
            if trigger == .startup {
                resync = ResyncSchedule(interval: timing.resync, start: clock.now())
            } else if trigger == resync.trigger {
                resync.advance(now: clock.now())
            }
            resync.ran(trigger, for: clock.now().timeIntervalSince(started))
            if prefetch?.trigger != resync.trigger {
                prefetch?.task.cancel()
                prefetch = ReadAhead(for: resync.trigger, by: reconciler)
            }
            let wake = nextWake(after: result, resync: resync)
            let changed = await wait(until: wake.date)
            trigger = changed == nil ? wake.trigger : .fileChange
            // After a failed pass the files it was told of may not have been read: the next one reads them all.
            files = changes.namesPaths && result.error == nil ? changed ?? .paths([]) : .everything
        }
        // Reads still going end before the loop does.
        prefetch?.task.cancel()
        _ = await prefetch?.task.value
    }

    /// The reads of the next resync step, made ahead in a task of their own.
    private final class ReadAhead: Sendable {
        let trigger: PassTrigger
        let task: Task<ResyncPrefetch?, Never>
        private let finished: Finished

        private final class Finished: Sendable {
            let flag = Atomic<Bool>(false)
        }

        init(for trigger: PassTrigger, by reconciler: Reconciler) {
            let finished = Finished()
            self.trigger = trigger
            self.finished = finished
            task = Task {
                let prefetch = await reconciler.prefetch(for: trigger)
                finished.flag.store(true, ordering: .releasing)
                return prefetch
            }
        }

        var isFinished: Bool { finished.flag.load(ordering: .acquiring) }
    }

    /// The earliest of the resync's next step, the next grant deadline (also when due just after the step, which then
    /// waits for it), the earliest failing key's retry and, after a failed pass, its backoff.
    private func nextWake(after result: PassResult, resync: ResyncSchedule) -> (date: Date, trigger: PassTrigger) {
        var wake = (date: resync.due, trigger: resync.trigger)
        if let deadline = result.nextDeadline, resync.yields(to: deadline) {
            wake = (deadline, .timer(grant: result.nextEdge?.grant ?? "", edge: result.nextEdge?.edge ?? ""))
        }
        if let retry = result.nextRetry, retry < wake.date { wake = (retry, .backoff) }
        if failures > 0 {
            let backoff = timing.retry.delay(attempt: failures - 1, retryAfter: nil, random: Double.random(in: 0.5..<1))
            let retry = clock.now().addingTimeInterval(backoff.timeInterval)
            if retry < wake.date { wake = (retry, .retry(attempt: failures)) }
        }
        return wake
    }

    /// What `pass.completed` says of a pass: its counts, why it ran, which files it found changed, what is next.
    private static func summary(of result: PassResult, trigger: PassTrigger) -> [String: String] {
        var fields = trigger.fields.merging([
            "applied": String(result.applied), "failed": String(result.failed), "held": String(result.held),
            "next": result.nextDeadline?.rfc3339 ?? "none",
        ]) { $1 }
        if let edge = result.nextEdge { fields["nextGrant"] = edge.grant + " " + edge.edge }
        if result.waiting > 0 { fields["waiting"] = String(result.waiting) }
        if let retry = result.nextRetry { fields["nextRetry"] = retry.rfc3339 }
        if !result.changedFiles.isEmpty {
            let shown = result.changedFiles.prefix(10).joined(separator: ",")
            fields["files"] =
                shown + (result.changedFiles.count > 10 ? " and \(result.changedFiles.count - 10) more" : "")
        }
        return fields
    }

    /// One pass, logged, counted and noticed as the daemon's are: `run --once`.
    package func once() async -> PassResult {
        let started = clock.now()
        let result = await reconciler.pass(trigger: .request)
        await finish(result, trigger: .request, started: started)
        return result
    }

    /// What follows every pass: `pass.completed` (or `pass.failed`), the metrics, and a notice for each revocation
    /// that became overdue.
    private func finish(_ result: PassResult, trigger: PassTrigger, started: Date) async {
        let seconds = clock.now().timeIntervalSince(started)
        record(result, seconds: seconds, startedAt: started)
        if let error = result.error {
            logger.log(.error, .passFailed, trigger.fields.merging(["error": error]) { $1 })
        } else {
            var fields = Self.summary(of: result, trigger: trigger)
            fields["ledger"] = String(result.ledgerEntries)
            fields["durationMs"] = String(Int(seconds * 1000))
            logger.log(result.isConverged ? .info : .warning, .passCompleted, fields)
        }
        guard let notifier = reconciler.notifier else { return }
        let policy = await reconciler.noticePolicy
        let notices = policy.revocationsFailing(result.overdue, notified: &notifiedRemovals, now: started)
        await notifier.send(notices)
    }

    /// controller-runtime's reconcile metrics (a pass is one reconciliation; one that held revocations back is a
    /// requeue), then this instance's: grants by phase, ledger size, overdue revocations, the last converged pass.
    private func record(_ result: PassResult, seconds: TimeInterval, startedAt started: Date) {
        let metrics = reconciler.metrics
        let outcome = result.error != nil || result.failed > 0 ? "error" : result.held > 0 ? "requeue" : "success"
        metrics.reconciles.increment(ControllerMetrics.controller, outcome)
        if outcome == "error" { metrics.reconcileErrors.increment(ControllerMetrics.controller) }
        metrics.reconcileTime.observe(seconds, ControllerMetrics.controller)
        readiness?.passCompleted(reachedGrafana: result.reachedGrafana)
        let (grafana, org) = reconciler.targetLabels
        if result.error == nil {
            var counts: [[String]: Double] = [:]
            for phase in result.phases.values { counts[[phase.rawValue], default: 0] += 1 }
            metrics.grants.replace(prefix: [grafana, org], with: counts)
        }
        metrics.ledgerEntries.set(Double(result.ledgerEntries), grafana, org)
        metrics.overdueRevocations.set(Double(result.overdue.count), grafana, org)
        if result.isConverged { metrics.lastSuccessfulPass.set(started.timeIntervalSince1970, grafana, org) }
    }

    /// Sleeps in check-sized steps until `deadline`, a change of the tree (then its burst settles; what changed),
    /// or a stop (nil).
    private func wait(until deadline: Date) async -> FileChanges? {
        while !stopRequested && clock.now() < deadline {
            let step = min(changes.checkInterval.timeInterval, deadline.timeIntervalSince(clock.now()))
            // A cancelled sleep only means stopping, which the loop condition sees.
            try? await clock.sleep(until: clock.now().addingTimeInterval(max(0, step)))
            if let changed = changes.takeChanges() { return await settle(changed) }
        }
        return nil
    }

    /// Waits until the tree stops changing for the debounce time (a few seconds at most), so a burst is one pass. A
    /// detector that is looked at less often (polling) sets a longer quiet window: a shorter one would not be seen.
    private func settle(_ changed: FileChanges) async -> FileChanges {
        var changed = changed
        let limit = clock.now().addingTimeInterval(3)
        let quiet = max(timing.debounce, changes.checkInterval).timeInterval
        while clock.now() < limit {
            // A cancelled sleep only shortens the settling; a stop is seen by the loop.
            try? await clock.sleep(until: clock.now().addingTimeInterval(quiet))
            guard let more = changes.takeChanges() else { break }
            changed = changed.merging(more)
        }
        return changed
    }
}
