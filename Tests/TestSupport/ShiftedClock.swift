import Foundation
import GrafanaAPI
import Synchronization

/// Real time plus an offset tests move forward: sleeps really pass (so worker pools idle as in production),
/// and `jump(by:)` skips minutes without waiting for them.
package final class ShiftedClock: WallClock {
    private let offset = Mutex<TimeInterval>(0)

    package init() {}

    package func now() -> Date { Date().addingTimeInterval(offset.withLock { $0 }) }

    package func sleep(until deadline: Date) async throws {
        try await SystemClock().sleep(until: deadline.addingTimeInterval(-offset.withLock { $0 }))
    }

    package func jump(by interval: TimeInterval) {
        offset.withLock { $0 += interval }
    }
}
