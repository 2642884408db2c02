import Foundation
import GrafanaAPI
import Synchronization

/// A clock tests move by hand: `advance(by:)` wakes every sleeper whose deadline has come; nothing really waits.
package final class ManualClock: WallClock {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        var sleepers: [Sleeper] = []
        /// Every deadline ever slept until, in order, for assertions on backoff.
        var requestedSleeps: [Date] = []
    }

    private let state: Mutex<State>

    package init(now: Date = Date(timeIntervalSince1970: 1_795_284_000)) {
        state = Mutex(State(now: now))
    }

    package func now() -> Date { state.withLock { $0.now } }

    package var requestedSleeps: [Date] { state.withLock { $0.requestedSleeps } }

    package var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    package func sleep(until deadline: Date) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let wakeNow = state.withLock { state -> Bool in
                state.requestedSleeps.append(deadline)
                guard deadline > state.now else { return true }
                state.sleepers.append(Sleeper(deadline: deadline, continuation: continuation))
                return false
            }
            if wakeNow { continuation.resume() }
        }
    }

    /// Moves to the earliest sleeper's deadline, if anyone sleeps, and wakes it.
    package func advanceToNextDeadline() {
        let next = state.withLock { state in
            state.sleepers.map(\.deadline).min().map { $0.timeIntervalSince(state.now) }
        }
        if let next { advance(by: max(0, next)) }
    }

    package func advance(by interval: TimeInterval) {
        let due = state.withLock { state -> [Sleeper] in
            state.now += interval
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due { sleeper.continuation.resume() }
    }
}
