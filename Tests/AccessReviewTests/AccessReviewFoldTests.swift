import Foundation
import Testing

@testable import AccessReview
@testable import Controller

struct AccessReviewFoldTests {
    let review = ReviewFixtures.review(ReviewFixtures.history)

    private func grant(_ name: String) throws -> GrantReview {
        try #require(review.grants.first { $0.grant == name })
    }

    @Test func eachGrantEndsTheWayItsEventsSay() throws {
        let endings = Dictionary(uniqueKeysWithValues: review.grants.map { ($0.grant, $0.ending) })
        #expect(
            endings == [
                "alice-logs": .expired, "bob-metrics": .deleted, "carol-admin": .denied, "dave-logs": .expired,
                "erin-break-glass": .offShift,
            ])
    }

    @Test func heldTimeRunsFromActivationToTheConfirmedRevocation() throws {
        let alice = try grant("alice-logs")
        #expect(alice.requestedSeconds == 3600)
        #expect(abs(alice.heldSeconds - 3600.5) < 0.01)
        #expect(alice.revokedAt == ReviewFixtures.at(3600.5))
        #expect(!alice.isLate && !alice.heldLongerThanAsked)
        #expect(alice.subject == "user alice@example.com" && alice.ticket == "INC-1" && alice.policy == "prod")
        #expect(alice.approvers == ["bob@example.com"] && alice.access == ["Query on data source prod-logs"])
    }

    @Test func aRevocationThatFailedAndCameLaterIsFlaggedWithItsLateness() throws {
        let dave = try grant("dave-logs")
        #expect(dave.failedRevocations == 1)
        #expect(dave.lateSeconds == 120)
        #expect(dave.isLate && dave.heldLongerThanAsked)
        #expect(ReviewFlags(dave).names == ["revokedLate", "heldLongerThanAsked", "failedRevocation"])
        #expect(review.failedRevocations.map(\.grants) == [["dave-logs"]])
        #expect(review.failedRevocations.first?.error == "Grafana answered 500")
    }

    @Test func aDeletedGrantEndsWhenItsFileWentAndIsNotLate() throws {
        let bob = try grant("bob-metrics")
        #expect(bob.endedAt == ReviewFixtures.at(600) && bob.heldSeconds == 590 && bob.lateSeconds == 0)
        // The deletion event carries little: the grant's facts stay those of its activation.
        #expect(bob.access == ["Query on data source prod-metrics"] && bob.reason == "INC-1: look at logs")
    }

    @Test func aDenialKeepsItsReasonsOneEach() throws {
        let carol = try grant("carol-admin")
        #expect(carol.activatedAt == nil && carol.heldSeconds == 0)
        #expect(carol.denialReasons.count == 2)
        #expect(carol.denialReasons.last == "spec.approvedBy: 0 of 1 approvals required by policy prod")
    }

    @Test func aShiftEndIsOffShiftAndBreakGlassIsMarked() throws {
        let erin = try grant("erin-break-glass")
        #expect(erin.breakGlass && !erin.onCallWaiver)
        #expect(erin.heldSeconds == 800)
    }

    @Test func totalsPerUserAndResourceCountGrantsDenialsAndTime() throws {
        let alice = try #require(review.users.first { $0.name == "alice@example.com" })
        #expect(alice.grants == 1 && alice.denied == 0 && abs(alice.heldSeconds - 3600.5) < 0.01)
        #expect(alice.counterparts == ["prod-logs"])
        let carol = try #require(review.users.first { $0.name == "carol@example.com" })
        #expect(carol.grants == 0 && carol.denied == 1 && carol.heldSeconds == 0)
        let logs = try #require(review.resources.first { $0.name == "prod-logs" })
        #expect(logs.grants == 3 && logs.late == 1 && logs.breakGlass == 1)
        #expect(logs.counterparts == ["alice@example.com", "dave@example.com", "erin@example.com"])
        #expect(abs(logs.heldSeconds - (3600.5 + 1920 + 800)) < 0.01)
    }

    @Test func holdingsAreSpellsOfAccessPerResourceAndSubject() {
        let spells = review.holdings.map { "\($0.resource) \($0.subject) \($0.permission) \($0.grants)" }
        #expect(
            spells == [
                "prod-logs alice@example.com Query [\"alice-logs\"]",
                "prod-logs dave@example.com Query [\"dave-logs\"]",
                "prod-logs erin@example.com Edit [\"erin-break-glass\"]",
                "prod-metrics bob@example.com Query [\"bob-metrics\"]",
            ])
        #expect(review.holdings.allSatisfy { $0.to != nil })
    }

    @Test func thePeriodKeepsWhatOverlapsItAndClipsTheTotals() throws {
        // 1000 s to 2000 s: alice and dave held access then; bob's and erin's ended before; carol was denied before.
        let clipped = ReviewFixtures.review(ReviewFixtures.history, period: (1000, 2000))
        #expect(clipped.grants.map(\.grant).sorted() == ["alice-logs", "dave-logs"])
        let logs = try #require(clipped.resources.first { $0.name == "prod-logs" })
        #expect(logs.heldSeconds == 1000 + 950)
        // Only the events inside the period are rows: the failed revocation, the expiry, the late revocation.
        #expect(try #require(clipped.grants.first { $0.grant == "dave-logs" }).events.count == 3)
    }

    @Test func aGrantStillActiveHoldsUntilNowAndIsNotLate() throws {
        let events = [
            ReviewFixtures.permission("alice-logs", "permission.granted", at: 0),
            ReviewFixtures.decision("alice-logs", "grant.activated", at: 0, window: (0, 3600)),
        ]
        let review = ReviewFixtures.review(events, now: 1200)
        let alice = try #require(review.grants.first)
        #expect(alice.ending == .active && alice.heldSeconds == 1200 && alice.lateSeconds == nil)
        #expect(review.holdings.first?.to == nil)
    }

    @Test func theLedgerSuppliesMissingWindowsAndOutstandingRevocations() throws {
        var events = ReviewFixtures.history.filter { $0.grant == "dave-logs" }
        events.removeLast()
        for index in events.indices { (events[index].startsAt, events[index].expiresAt) = (nil, nil) }
        var ledger = Ledger()
        var record = GrantRecord(firstSeen: ReviewFixtures.at(30))
        (record.start, record.end, record.isExpired) = (ReviewFixtures.at(30), ReviewFixtures.at(1830), true)
        ledger.grants["dave-logs"] = record
        ledger.record(
            LedgerChange(
                binding: Binding(.user(7), on: .dataSource("loki")), levelSet: .query, levelBefore: nil,
                grants: ["dave-logs"], since: ReviewFixtures.at(30), subjectName: "dave@example.com",
                resourceName: "prod-logs"))
        let review = ReviewFixtures.review(
            events, ledgers: [.init(grafana: nil, org: nil, ledger: ledger)], now: 4000)
        let dave = try #require(review.grants.first)
        #expect(dave.requestedSeconds == 1800)
        // Never confirmed removed: late by as long as it has been due.
        #expect(dave.lateSeconds == 4000 - 1830 && dave.isLate)
        #expect(review.outstandingRevocations.map(\.subject) == ["dave@example.com"])
        #expect(review.outstandingRevocations.first?.permission == "Query")
    }

    @Test func aRevocationHeldByTheBrakeIsListedAndFlagged() throws {
        var held = ReviewFixtures.permission("alice-logs", "revocation.held", at: 3600.2, outcome: "held")
        held.reason = "the safety brake: grant files vanished"
        let review = ReviewFixtures.review(ReviewFixtures.history + [held])
        let alice = try #require(review.grants.first { $0.grant == "alice-logs" })
        #expect(alice.heldRevocations == 1)
        #expect(ReviewFlags(alice).names.contains("revocationHeld"))
        #expect(review.heldRevocations.map(\.grants) == [["alice-logs"]])
        #expect(review.heldRevocations.first?.error == "the safety brake: grant files vanished")
        #expect(ReviewHTML.render(review).contains("Revocations held by the safety brake"))
    }
}
