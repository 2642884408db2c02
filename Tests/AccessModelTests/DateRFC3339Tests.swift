import Foundation
import Testing

@testable import AccessModel

struct DateRFC3339Tests {
    @Test(arguments: [
        ("2026-11-21T18:00:00Z", 1_795_284_000.0), ("2026-11-21t18:00:00z", 1_795_284_000.0),
        ("2026-11-21T19:00:00+01:00", 1_795_284_000.0), ("2026-11-21T12:30:00-05:30", 1_795_284_000.0),
        ("2026-11-21T18:00:00.250Z", 1_795_284_000.25), ("2028-02-29T00:00:00Z", 1_835_395_200.0),
        ("1970-01-01T00:00:00Z", 0.0),
    ])
    func validTimestampsParse(text: String, epoch: Double) throws {
        #expect(try #require(Date(rfc3339: text)).timeIntervalSince1970 == epoch)
    }

    @Test(arguments: [
        "2026-11-21", "2026-11-21 18:00", "2026-11-21 18:00:00Z", "2026-11-21T18:00Z",
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-21T24:00:00Z",
        "2026-11-21T18:60:00Z", "2026-11-21T18:00:00", "2026-11-21T18:00:00+0100", "2026-11-21T18:00:00.Z",
        "26-11-21T18:00:00Z", "2026-11-21T18:00:00Z ", "tomorrow",
    ])
    func malformedTimestampsAreRejected(text: String) {
        #expect(Date(rfc3339: text) == nil)
    }

    @Test func formattingIsUTCWithWholeSeconds() throws {
        #expect(try #require(Date(rfc3339: "2026-11-21T19:00:00.9+01:00")).rfc3339 == "2026-11-21T18:00:00Z")
        #expect(Date(timeIntervalSince1970: -1).rfc3339 == "1969-12-31T23:59:59Z")
    }
}
