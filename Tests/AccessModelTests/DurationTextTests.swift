import Testing

@testable import AccessModel

struct DurationTextTests {
    @Test(arguments: [
        ("4h", 14_400), ("1h30m", 5_400), ("90s", 90), ("2d", 172_800), ("1d12h", 129_600),
        ("1d2h3m4s", 93_784), ("0h30m", 1_800), ("999999s", 999_999),
    ])
    func durationsCombineUnits(text: String, seconds: Int64) throws {
        #expect(try #require(Duration(text: text)) == .seconds(seconds))
    }

    @Test(arguments: [
        "", "0h", "0h0m", "-1h", "4", "h", "4 hours", "4H", "1.5h", "30m1h", "1h1h", "4w", "10ms",
        "1234567s", " 4h", "4h ",
    ])
    func malformedOrNonPositiveDurationsAreRejected(text: String) {
        #expect(Duration(text: text) == nil)
    }

    @Test(arguments: [(5_400, "1h30m"), (172_800, "2d"), (45, "45s"), (93_784, "1d2h3m4s")])
    func textRoundTrips(seconds: Int64, text: String) {
        #expect(Duration.seconds(seconds).text == text)
        #expect(Duration(text: text) == .seconds(seconds))
    }
}
