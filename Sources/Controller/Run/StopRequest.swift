import Foundation
import GrafanaAPI

/// A service's stop request, and the waits that end when it comes: a service waits on this instead of on a sleep it
/// would have to cancel. Once requested, it stays requested.
package actor StopRequest {
    /// How often a sleep looks for a request; a stop is seen within one step.
    package static let step = Duration.milliseconds(20)

    package private(set) var isRequested = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    package init() {}

    package func request() {
        isRequested = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }

    /// Returns once a stop is requested.
    package func wait() async {
        guard !isRequested else { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Sleeps on `clock` until `deadline`, in steps, and says whether it got there: false when a stop was requested
    /// first (seen within a step), or when the task was cancelled, so a loop around it never spins.
    package func sleep(until deadline: Date, on clock: any WallClock) async -> Bool {
        while !isRequested {
            let now = clock.now()
            guard now < deadline else { return true }
            do {
                try await clock.sleep(until: min(deadline, now.addingTimeInterval(Self.step.timeInterval)))
            } catch {
                return false
            }
        }
        return false
    }
}
