import Foundation

/// Polls until `condition` holds or `seconds` pass (real time, short steps, never one long sleep); the last check
/// is made at the deadline.
package func eventually(
    within seconds: TimeInterval = 30, every step: Duration = .milliseconds(10),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: step)
    }
    return try await condition()
}
