import Foundation
import Testing

@testable import Controller

/// Audit and log timestamps are built by hand; they read exactly as Foundation's ISO 8601 formatter writes them.
struct TimestampTests {
    @Test(arguments: [0, 1_795_280_000.175, 1_795_280_000.9995, 951_782_400.5, 1_234.001, -1.25, 4_102_444_799.999])
    func millisecondsReadAsFoundationWritesThem(seconds: Double) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date = Date(timeIntervalSince1970: (seconds * 1000).rounded(.down) / 1000)
        #expect(date.iso8601Milliseconds == formatter.string(from: date))
    }
}
