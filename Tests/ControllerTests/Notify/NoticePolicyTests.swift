import AccessModel
import Foundation
import Testing

@testable import Controller

/// Which notices a status calls for, worded and stamped, without a reconciler.
struct NoticePolicyTests {
    let now = Date(timeIntervalSince1970: 1_795_284_000)
    let policy = NoticePolicy(
        target: .single(org: 2), provenance: Provenance(commit: "abc", pullRequest: 7),
        expiryNotices: [.seconds(1800), .seconds(600)])

    /// Alice's active grant `g`, ending at `end`.
    func status(_ phase: Phase, end: Date) -> GrantStatus {
        GrantStatus(
            name: "g", file: "g.yaml", subject: "user alice", access: ["Query on data source prod-logs"], phase: phase,
            message: "", activatedAt: nil, startsAt: nil, expiresAt: end, policies: [], conditions: [], changes: [],
            lastError: nil)
    }

    @Test func anActivationNamesTheEndAndIsStamped() throws {
        let end = now.addingTimeInterval(3600)
        let notice = try #require(
            policy.phaseNotice(status(.active, end: end), previous: nil, reasons: [], removalFailed: false, now: now))
        #expect(
            notice.event == .activated
                && notice.message == "user alice has Query on data source prod-logs until \(end.rfc3339)")
        #expect(notice.grafana == "default" && notice.org == 2 && notice.commit == "abc" && notice.pullRequest == 7)
        #expect(
            policy.phaseNotice(status(.expired, end: end), previous: nil, reasons: [], removalFailed: false, now: now)
                == nil, "expired without having been active")
    }

    @Test func anExpiringSoonNoticeGoesOutOncePerMark() throws {
        let end = now.addingTimeInterval(1700)
        let previous = status(.active, end: end)
        var current = previous
        let notice = try #require(policy.expiryNotice(&current, previous: previous, now: now))
        #expect(notice.event == .expiring && notice.message.contains("ends in 28m"))
        #expect(current.expiryNoticeAt == end.addingTimeInterval(-1800))
        var again = previous
        #expect(policy.expiryNotice(&again, previous: current, now: now + 60) == nil, "the mark was notified")
        var activating = previous
        #expect(policy.expiryNotice(&activating, previous: nil, now: now) == nil, "the activation names the end")
        #expect(activating.expiryNoticeAt == end.addingTimeInterval(-1800))
    }
}
