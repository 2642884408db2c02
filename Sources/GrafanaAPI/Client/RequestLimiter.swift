import Foundation

/// Keeps at most `maxInFlight` requests running and, optionally, starts at most `requestsPerSecond` a second.
actor RequestLimiter {
    let maxInFlight: Int
    let interval: TimeInterval?
    let clock: any WallClock
    private var inFlight = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []
    private var nextStart: Date?

    init(maxInFlight: Int, requestsPerSecond: Double?, clock: any WallClock) {
        self.maxInFlight = max(1, maxInFlight)
        self.clock = clock
        interval = requestsPerSecond.flatMap { $0 > 0 ? 1 / $0 : nil }
    }

    /// Waits for a free slot (handed over directly by `release`), then for the rate, if any.
    func acquire() async {
        if inFlight < maxInFlight {
            inFlight += 1
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
        guard let interval else { return }
        let now = clock.now()
        let start = max(now, nextStart ?? now)
        nextStart = start + interval
        // A cancelled wait just starts the request a little early; the limit is a courtesy, not a guarantee.
        try? await clock.sleep(until: start)
    }

    func release() {
        if waiting.isEmpty {
            inFlight -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}

/// Values that expire; the client's caches of users, teams and data sources.
struct ExpiringCache<Value: Sendable>: Sendable {
    private var entries: [String: (value: Value, until: Date)] = [:]

    func value(for key: String, at now: Date) -> Value? {
        guard let entry = entries[key], entry.until > now else { return nil }
        return entry.value
    }

    mutating func store(_ value: Value, for key: String, until: Date) {
        entries[key] = (value, until)
    }
}
