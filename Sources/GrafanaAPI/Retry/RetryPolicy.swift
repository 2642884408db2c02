import Foundation

/// Exponential backoff with full jitter (AWS's "Full Jitter"): the n-th retry waits a random time in
/// [0, min(cap, base·2ⁿ)], or Grafana's `Retry-After` when it named one (never less).
package struct RetryPolicy: Sendable, Equatable {
    package var base: Duration = .milliseconds(200)
    package var cap: Duration = .seconds(300)

    package init(base: Duration = .milliseconds(200), cap: Duration = .seconds(300)) {
        self.base = base
        self.cap = cap
    }

    /// The wait before retry number `attempt` (0 for the first retry); `random` is uniform in [0, 1).
    package func delay(attempt: Int, retryAfter: Duration?, random: Double) -> Duration {
        let ceiling = min(cap.timeInterval, base.timeInterval * pow(2, Double(min(attempt, 62))))
        let jittered = Duration.milliseconds(Int64(ceiling * random * 1000))
        guard let retryAfter else { return jittered }
        return max(retryAfter, jittered)
    }
}

/// Runs an operation until it succeeds, fails with a non-transient error, or the deadline would pass.
package struct Retrier: Sendable {
    package var policy: RetryPolicy
    package var clock: any WallClock
    /// Uniform in [0, 1); injectable so tests are repeatable.
    package var random: @Sendable () -> Double

    package init(
        policy: RetryPolicy = RetryPolicy(), clock: any WallClock = SystemClock(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.policy = policy
        self.clock = clock
        self.random = random
    }

    /// The last error when giving up: a non-transient one at once, a transient one when the next wait would end
    /// after `deadline` (or the task is cancelled).
    package func run<Value: Sendable>(
        until deadline: Date, _ operation: @Sendable () async throws(GrafanaAPIError) -> Value
    ) async throws(GrafanaAPIError) -> Value {
        var attempt = 0
        while true {
            do {
                return try await operation()
            } catch {
                guard error.isRetryable, !Task.isCancelled else { throw error }
                let wait = policy.delay(attempt: attempt, retryAfter: error.retryAfter, random: random())
                let wakeUp = clock.now().addingTimeInterval(wait.timeInterval)
                guard wakeUp <= deadline else { throw error }
                do {
                    try await clock.sleep(until: wakeUp)
                } catch {
                    throw GrafanaAPIError.transient(
                        GrafanaRequest("RETRY", "(cancelled)"), reason: "cancelled", retryAfter: nil)
                }
                attempt += 1
            }
        }
    }
}
