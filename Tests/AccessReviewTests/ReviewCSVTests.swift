import Foundation
import Testing

@testable import AccessReview
@testable import Controller

struct ReviewCSVTests {
    @Test(arguments: [
        ("plain", "plain"), ("a,b", "\"a,b\""), ("say \"hi\"", "\"say \"\"hi\"\"\""),
        ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""), ("+1", "'+1"), ("-2", "'-2"), ("@SUM(A1)", "'@SUM(A1)"),
        ("two\nlines", "two\\nlines"), ("\u{202E}evil", "\\u{202e}evil"), ("\tcmd", "\\tcmd"),
    ])
    func fieldsAreQuotedAndDefused(text: String, field: String) {
        #expect(ReviewCSV.field(text) == field)
    }

    @Test func oneRowPerGrantEventWithTheGrantsFigures() throws {
        let csv = ReviewCSV.render(ReviewFixtures.review(ReviewFixtures.history))
        let rows = csv.components(separatedBy: "\r\n").dropLast()
        #expect(rows.first == ReviewCSV.header.joined(separator: ","))
        #expect(rows.count == 1 + ReviewFixtures.history.count)
        let late = try #require(rows.first { $0.contains("dave-logs,permission.revoked,failure") })
        #expect(late.contains(",expired,120,revokedLate heldLongerThanAsked failedRevocation,"))
        #expect(late.hasSuffix(",audit.jsonl:12"))
    }
}
