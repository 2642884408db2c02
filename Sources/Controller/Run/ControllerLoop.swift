import Foundation
import GrafanaAPI

/// The daemon: a pass now, then whenever a file changes (polled, debounced), a grant starts or ends, or the
/// resync interval passes; after a failed pass, again with backoff. Stops between passes when asked.
package actor ControllerLoop {
    package struct Timing: Sendable {
        package var resync: Duration = .seconds(60)
        package var poll: Duration = .milliseconds(500)
        /// Quiet time that ends a burst of file events.
        package var debounce: Duration = .milliseconds(200)
        package var retry = RetryPolicy(base: .seconds(1), cap: .seconds(60))

        package init() {}
    }

    private let reconciler: Reconciler
    private let clock: any WallClock
    private let logger: Logger
    private let timing: Timing
    private let fingerprint: DirectoryFingerprint
    private let paths: [String]
    private var stopRequested = false
    private var failures = 0

    package init(
        reconciler: Reconciler, paths: [String], fileSystem: any FileSystem, clock: any WallClock, logger: Logger,
        timing: Timing = Timing()
    ) {
        self.reconciler = reconciler
        self.paths = paths
        self.clock = clock
        self.logger = logger
        self.timing = timing
        fingerprint = DirectoryFingerprint(fileSystem: fileSystem)
    }

    /// Finishes the pass in progress, then `run` returns.
    package func requestStop() {
        stopRequested = true
    }

    package func run() async {
        var seen = fingerprint.take(paths)
        while !stopRequested {
            let started = clock.now()
            let result = await reconciler.pass()
            failures = result.isConverged ? 0 : failures + 1
            logger.log(
                result.isConverged ? .info : .warning, .passCompleted,
                [
                    "applied": String(result.applied), "failed": String(result.failed), "held": String(result.held),
                    "ledger": String(await reconciler.ledgerSize),
                    "durationMs": String(Int(clock.now().timeIntervalSince(started) * 1000)),
                    "next": result.nextDeadline?.rfc3339 ?? "none",
                ])
            var wake = clock.now().addingTimeInterval(timing.resync.timeInterval)
            if let deadline = result.nextDeadline { wake = min(wake, deadline) }
            if failures > 0 {
                let backoff = timing.retry.delay(
                    attempt: failures - 1, retryAfter: nil, random: Double.random(in: 0.5..<1))
                wake = min(wake, clock.now().addingTimeInterval(backoff.timeInterval))
            }
            seen = await wait(until: wake, from: seen)
        }
    }

    /// Sleeps in poll-sized steps until `deadline`, a change of the tree (then its burst settles), or a stop.
    private func wait(until deadline: Date, from seen: UInt64) async -> UInt64 {
        while !stopRequested && clock.now() < deadline {
            let step = min(timing.poll.timeInterval, deadline.timeIntervalSince(clock.now()))
            // A cancelled sleep only means stopping, which the loop condition sees.
            try? await clock.sleep(until: clock.now().addingTimeInterval(max(0, step)))
            let now = fingerprint.take(paths)
            guard now != seen else { continue }
            return await settle(now)
        }
        return fingerprint.take(paths)
    }

    /// Waits until the tree stops changing for the debounce time (a few seconds at most), so a burst is one pass.
    private func settle(_ changed: UInt64) async -> UInt64 {
        var last = changed
        let limit = clock.now().addingTimeInterval(3)
        while clock.now() < limit {
            try? await clock.sleep(until: clock.now().addingTimeInterval(timing.debounce.timeInterval))
            let now = fingerprint.take(paths)
            if now == last { break }
            last = now
        }
        return last
    }
}
