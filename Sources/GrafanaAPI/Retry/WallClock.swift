import Foundation

/// Grants expire at wall-clock instants, so the controller reads and waits on `Date`, never on uptime.
package protocol WallClock: Sendable {
    func now() -> Date
    /// Returns at `deadline` or throws `CancellationError`; never blocks a thread.
    func sleep(until deadline: Date) async throws
}

extension WallClock {
    package func sleep(for duration: Duration) async throws {
        try await sleep(until: now().addingTimeInterval(duration.timeInterval))
    }
}

/// The real clock.
package struct SystemClock: WallClock {
    package init() {}

    package func now() -> Date { Date() }

    package func sleep(until deadline: Date) async throws {
        let interval = deadline.timeIntervalSinceNow
        if interval > 0 { try await Task.sleep(for: .milliseconds(Int64((interval * 1000).rounded(.up)))) }
    }
}

extension Duration {
    /// Seconds as Foundation counts them.
    package var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
