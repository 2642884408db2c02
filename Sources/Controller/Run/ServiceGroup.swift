import Foundation
import GrafanaAPI

/// Runs the daemon's services side by side and stops them stage by stage: each stage is asked to stop, and waited
/// for, before the next is asked (the loops first, so no pass starts after the notifier drained; the operations
/// server last, so probes answer during the drain). A stop that passes its deadline, or is abandoned, gives up:
/// `stop` and `run` return, and the services still running end with the process, which exits next.
package actor ServiceGroup {
    private let services: [any Service]
    /// Indices into `services`, in stop order.
    private let stages: [[Int]]
    private let clock: any WallClock
    /// Services whose `run` has not returned.
    private var running: Set<Int> = []
    private var hasStarted = false
    private var isStopping = false
    private var hasGivenUp = false
    /// Finished when every service has returned, or when the group gave up on them: what `run` waits for.
    private let ended: AsyncStream<Void>
    private let endedContinuation: AsyncStream<Void>.Continuation

    /// `stages` in stop order; services in one stage are asked together.
    package init(stages: [[any Service]], clock: any WallClock) {
        services = stages.flatMap { $0 }
        var next = 0
        self.stages = stages.map { stage in
            defer { next += stage.count }
            return Array(next..<next + stage.count)
        }
        self.clock = clock
        (ended, endedContinuation) = AsyncStream<Void>.makeStream()
    }

    /// Starts every service and returns once each has returned, or once a stop gave up. Each runs in a task of its
    /// own rather than a child task, so that giving up can return past a service that will not stop; the group
    /// tracks each task until its service returns, and cancels none. After a stop, it starts nothing.
    package func run() async {
        guard !hasStarted, !isStopping, !hasGivenUp else { return }
        hasStarted = true
        for (index, service) in services.enumerated() {
            running.insert(index)
            // Isolated to the group (it inherits the actor), so the end is recorded as soon as `run` returns.
            Task {
                await service.run()
                serviceEnded(index)
            }
        }
        if running.isEmpty { endedContinuation.finish() }
        for await _ in ended {}
    }

    /// Asks each stage to stop and waits for it before asking the next; true when every service returned before
    /// `deadline`, false when the group gave up (the deadline passed, or `abandon` was called).
    package func stop(until deadline: Date) async -> Bool {
        isStopping = true
        for stage in stages {
            for index in stage { await services[index].stop() }
            guard await waitForEnd(of: stage, until: deadline) else {
                giveUp()
                return false
            }
        }
        return true
    }

    /// Stops waiting at once: a stop in progress returns false and `run` returns (a second signal).
    package func abandon() {
        giveUp()
    }

    private func serviceEnded(_ index: Int) {
        running.remove(index)
        if running.isEmpty { endedContinuation.finish() }
    }

    private func giveUp() {
        hasGivenUp = true
        endedContinuation.finish()
    }

    /// Polls in `StopRequest.step`s: the deadline and an abandon are seen within a step, with no sleep to cancel.
    private func waitForEnd(of stage: [Int], until deadline: Date) async -> Bool {
        while stage.contains(where: running.contains) {
            let now = clock.now()
            guard !hasGivenUp, now < deadline else { return false }
            do {
                try await clock.sleep(until: min(deadline, now.addingTimeInterval(StopRequest.step.timeInterval)))
            } catch {
                // Only a cancelled caller gets here; it is not waiting any more.
                return false
            }
        }
        return !hasGivenUp
    }
}
