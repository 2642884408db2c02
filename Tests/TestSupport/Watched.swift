import Foundation
import Synchronization

/// Work in a task of its own whose end a test waits for with a deadline, so a stop that never comes fails the test
/// instead of hanging it.
package final class Watched<Value: Sendable>: Sendable {
    private let result = Mutex<Value?>(nil)

    package init(_ body: @escaping @Sendable () async -> Value) {
        Task {
            let value = await body()
            self.result.withLock { $0 = value }
        }
    }

    package var hasEnded: Bool { result.withLock { $0 != nil } }

    /// The value once the work ends, polled for up to `seconds` (real time; long, because a loaded machine stalls
    /// tests for seconds early in a full run, and only work that never ends waits that long); nil if it has not
    /// ended by then.
    package func value(within seconds: TimeInterval = 30) async throws -> Value? {
        _ = try await eventually(within: seconds) { hasEnded }
        return result.withLock { $0 }
    }
}
