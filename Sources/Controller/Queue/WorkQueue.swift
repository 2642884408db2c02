import Foundation
import GrafanaAPI

/// Holds each key once however often it is added, and never hands one key to two workers: a key added while
/// it is being processed runs again after (client-go's "stingy" queue). Delayed keys keep their earliest time;
/// failures back off per key, never sooner than `Retry-After`, and `forget` resets the count.
package actor WorkQueue<Key: Hashable & Sendable> {
    private let clock: any WallClock
    private let policy: RetryPolicy
    private let random: @Sendable () -> Double
    /// How often an idle worker looks again while others are still processing.
    private let idleCheck: TimeInterval
    private var ready: [Key] = []
    private var delayed: [Key: Date] = [:]
    private var processing: Set<Key> = []
    private var addedWhileProcessing: Set<Key> = []
    private var failures: [Key: Int] = [:]
    private var isShutDown = false
    private let metrics: ControllerMetrics?
    /// When each waiting key was first added, and when each key in progress was handed out (for the durations).
    private var addedAt: [Key: Date] = [:]
    private var startedAt: [Key: Date] = [:]

    package init(
        clock: any WallClock, policy: RetryPolicy = RetryPolicy(), idleCheck: Duration = .milliseconds(20),
        metrics: ControllerMetrics? = nil, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.clock = clock
        self.policy = policy
        self.idleCheck = idleCheck.timeInterval
        self.metrics = metrics
        self.random = random
    }

    package func add(_ key: Key) {
        guard !processing.contains(key) else {
            addedWhileProcessing.insert(key)
            return
        }
        delayed[key] = nil
        if !ready.contains(key) {
            ready.append(key)
            counted(key)
        }
    }

    /// A key that starts waiting: counted once per wait, as client-go counts adds.
    private func counted(_ key: Key) {
        guard let metrics else { return }
        if addedAt[key] == nil {
            addedAt[key] = clock.now()
            metrics.queueAdds.increment(ControllerMetrics.queue)
        }
        metrics.queueDepth.set(Double(ready.count + delayed.count), ControllerMetrics.queue)
    }

    /// Adds `key` once `delay` has passed; an earlier time already asked for wins.
    package func add(_ key: Key, after delay: Duration) {
        guard delay > .zero else { return add(key) }
        guard !ready.contains(key) else { return }
        let due = clock.now().addingTimeInterval(delay.timeInterval)
        delayed[key] = min(delayed[key] ?? due, due)
        counted(key)
    }

    /// Adds `key` after its next backoff; returns the wait chosen.
    @discardableResult
    package func addRateLimited(_ key: Key, retryAfter: Duration? = nil) -> Duration {
        let attempt = failures[key, default: 0]
        failures[key] = attempt + 1
        metrics?.queueRetries.increment(ControllerMetrics.queue)
        let delay = policy.delay(attempt: attempt, retryAfter: retryAfter, random: random())
        add(key, after: delay)
        return delay
    }

    /// Success: the next failure starts from the base delay again.
    package func forget(_ key: Key) {
        failures[key] = nil
    }

    package func requeues(of key: Key) -> Int { failures[key, default: 0] }

    /// The worker is done with `key`; if it was added meanwhile, it is ready again.
    package func done(_ key: Key) {
        processing.remove(key)
        if let metrics, let started = startedAt.removeValue(forKey: key) {
            metrics.workDuration.observe(clock.now().timeIntervalSince(started), ControllerMetrics.queue)
        }
        if addedWhileProcessing.remove(key) != nil { add(key) }
    }

    /// Nothing ready, delayed or in progress.
    package var isIdle: Bool { ready.isEmpty && delayed.isEmpty && processing.isEmpty }

    /// Hands out nothing more; workers waiting in `next` return nil.
    package func shutDown() {
        isShutDown = true
    }

    /// The next key to process, waiting for delayed keys; nil once the queue is shut down or has run dry.
    package func next() async -> Key? {
        while !isShutDown {
            let now = clock.now()
            for (key, due) in delayed where due <= now {
                delayed[key] = nil
                if !ready.contains(key) { ready.append(key) }
            }
            if !ready.isEmpty {
                let key = ready.removeFirst()
                processing.insert(key)
                if let metrics {
                    if let added = addedAt.removeValue(forKey: key) {
                        metrics.queueDuration.observe(now.timeIntervalSince(added), ControllerMetrics.queue)
                    }
                    startedAt[key] = now
                    metrics.queueDepth.set(Double(ready.count + delayed.count), ControllerMetrics.queue)
                }
                return key
            }
            guard !delayed.isEmpty || !processing.isEmpty else { return nil }
            // While others work they may add keys back: look again soon. Otherwise only a delay can end the wait.
            let earliest = delayed.values.min() ?? .distantFuture
            let wake = processing.isEmpty ? earliest : min(earliest, now.addingTimeInterval(idleCheck))
            // A cancelled wait just looks again; shutdown is the way out.
            try? await clock.sleep(until: wake)
        }
        return nil
    }
}
