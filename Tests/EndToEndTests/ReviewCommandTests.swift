import Foundation
import TestSupport
import Testing

@testable import AccessModel
@testable import grafana_jit

/// Which audit files `review` reads, and the period it reviews.
struct ReviewCommandTests {
    @Test func rotatedSiblingsAreReadOldestFirstAndOthersAreLeftAlone() throws {
        let directory = try TemporaryDirectory()
        for name in [
            "audit.jsonl", "audit.jsonl.1", "audit.jsonl.2", "audit.jsonl.10", "audit.jsonl-20261201",
            "audit.jsonl.3.gz", "audit.jsonl.bak-notes", "other.jsonl", "audit.jsonlx",
        ] {
            try directory.write(name, "")
        }
        let files = ReviewCommand.rotatedFiles(of: directory.path + "/audit.jsonl").map {
            URL(fileURLWithPath: $0).lastPathComponent
        }
        #expect(
            files == [
                "audit.jsonl.10", "audit.jsonl.3.gz", "audit.jsonl.2", "audit.jsonl.1", "audit.jsonl-20261201",
                "audit.jsonl",
            ])
    }

    @Test func compressedSiblingsAreReportedAndSkipped() throws {
        let directory = try TemporaryDirectory()
        try directory.write("audit.jsonl", "")
        try directory.write("audit.jsonl.1.gz", "\u{1F}")
        var problems: [String] = []
        let trail = try ReviewCommand.trail(ParsedArguments(), state: directory.path, problems: &problems)
        #expect(trail.files == [directory.path + "/audit.jsonl"])
        #expect(
            problems == [
                "\(directory.path)/audit.jsonl.1.gz is compressed; decompress it beside the others to include it"
            ])
    }

    @Test func thePeriodIsTheLast90DaysByDefault() throws {
        let now = try #require(Date(rfc3339: "2026-12-01T00:00:00Z"))
        let period = try ReviewCommand.period(ParsedArguments(), now: now)
        #expect(period.from == Date(rfc3339: "2026-09-02T00:00:00Z") && period.to == now)
        var arguments = ParsedArguments()
        arguments.values = ["since": "1d", "to": "2026-11-01"]
        let day = try ReviewCommand.period(arguments, now: now)
        #expect(day.from == Date(rfc3339: "2026-10-31T00:00:00Z") && day.to == Date(rfc3339: "2026-11-01T00:00:00Z"))
        arguments.values = ["from": "2026-11-02", "to": "2026-11-01"]
        #expect(throws: UsageError.self) { try ReviewCommand.period(arguments, now: now) }
    }
}
