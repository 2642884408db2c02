import Foundation
import Testing

@testable import AccessReview
@testable import Controller

struct AuditTrailTests {
    @Test func aMalformedLineIsReportedWithFileAndLineAndSkipped() {
        let good = ReviewFixtures.lines([ReviewFixtures.decision("a", "grant.activated", at: 0)])
        var trail = AuditTrail()
        trail.add(
            good
                + Array(
                    "\n{\"event\": \"grant.expired\"}\nnot json\n{\"time\":\"yesterday\",\"event\":\"x\",\"grant\":\"g\",\"outcome\":\"o\"}\n{\"time\":\"2026"
                        .utf8),
            from: "state/audit.jsonl")
        #expect(trail.records.count == 1 && trail.records.first?.line == 1)
        #expect(
            trail.problems == [
                "state/audit.jsonl:3: field time is missing; the line is skipped",
                "state/audit.jsonl:4: not a JSON object (cut off, or not an audit line); the line is skipped",
                "state/audit.jsonl:5: field time: \"yesterday\" is not an RFC 3339 time; the line is skipped",
                "state/audit.jsonl:6: not a JSON object (cut off, or not an audit line); the line is skipped",
            ])
    }

    @Test func anEventInARotatedCopyAndItsFileCountsOnce() {
        let events = [
            ReviewFixtures.decision("a", "grant.activated", at: 10),
            ReviewFixtures.decision("a", "grant.expired", at: 20),
        ]
        var trail = AuditTrail()
        trail.add(ReviewFixtures.lines([events[1]]), from: "audit.jsonl")
        trail.add(ReviewFixtures.lines(events), from: "audit.jsonl.1")
        #expect(trail.records.map(\.event.event) == ["grant.activated", "grant.expired"])
        #expect(trail.records.map(\.file) == ["audit.jsonl.1", "audit.jsonl"])
        #expect(trail.files == ["audit.jsonl", "audit.jsonl.1"] && trail.problems.isEmpty)
    }

    @Test func hostileTextInALineIsNeverEchoedRaw() {
        var trail = AuditTrail()
        trail.add(Array("{\"time\":\"\u{1b}[31m\",\"event\":\"x\",\"grant\":\"g\",\"outcome\":\"o\"}".utf8), from: "f")
        #expect(trail.problems.first?.contains("\u{1b}") == false)
    }
}
