import AccessModel
import Foundation

/// Which notices a grant's status calls for (pure): activated, denied, expired after being active, revoked by a
/// deleted file, expiring soon. Every notice names the instance and org, and the checkout's commit when its status
/// has none.
struct NoticePolicy {
    /// The instance and org this controller governs.
    var target: Target
    /// The grants checkout's commit and pull request.
    var provenance: Provenance?
    /// Lead times before a grant's end at which an expiring-soon notice goes out.
    var expiryNotices: [Duration]

    /// The notification a grant's new phase calls for: activated, denied, or expired after being active.
    func phaseNotice(
        _ status: GrantStatus, previous: GrantStatus?, reasons: [String], removalFailed: Bool, now: Date
    ) -> GrantNotification? {
        let end = status.expiresAt?.rfc3339 ?? "its end"
        switch status.phase {
        case .active:
            let access = status.access.joined(separator: ", ")
            return notice(.activated, status, "\(status.subject) has \(access) until \(end)", now: now)
        case .denied:
            var denied = notice(
                .denied, status, "grant \(status.name) for \(status.subject) was denied: \(status.message)", now: now)
            denied.reasons = reasons
            return denied
        case .expired where previous?.phase == .active:
            let removal = removalFailed ? "; removing it failed and is retried" : " and was removed"
            return notice(.expired, status, "\(status.subject)'s access ended at \(end)\(removal)", now: now)
        default:
            return nil
        }
    }

    /// A deleted grant file's access was taken back before its end.
    func deletionNotice(_ status: GrantStatus, removalFailed: Bool, now: Date) -> GrantNotification {
        let removal = removalFailed ? "removing it failed and is retried" : "it was removed"
        return notice(
            .revoked, status, "the grant file was deleted, so \(status.subject)'s access ends now: \(removal)", now: now
        )
    }

    /// The expiring-soon notice due for an active grant, if a lead time has been reached since the last one. The
    /// mark is kept in status so a restart does not repeat it; the pass that activates a grant sends none (its
    /// activation notice names the end).
    func expiryNotice(_ status: inout GrantStatus, previous: GrantStatus?, now: Date) -> GrantNotification? {
        guard status.phase == .active, let end = status.expiresAt else { return nil }
        if previous?.expiresAt == end { status.expiryNoticeAt = previous?.expiryNoticeAt }
        let marks = expiryNotices.map { end.addingTimeInterval(-$0.timeInterval) }
        guard let due = marks.filter({ $0 <= now }).max(), due > status.expiryNoticeAt ?? .distantPast else {
            return nil
        }
        status.expiryNoticeAt = due
        guard previous?.phase == .active else { return nil }
        // Whole minutes read better in a chat message; the exact end follows.
        let seconds = end.timeIntervalSince(now)
        let left = Duration.seconds(max(1, Int64(seconds >= 60 ? (seconds / 60).rounded() * 60 : seconds.rounded())))
            .text
        return notice(
            .expiring, status, "\(status.subject)'s access ends in \(left), at \(end.rfc3339)", now: now)
    }

    /// One notice per binding whose removal is overdue (a failed write, Grafana down, held by the brake), raised
    /// when it becomes overdue and again only after it was once removed: `notified` is what is still overdue and was
    /// already said.
    func revocationsFailing(_ overdue: [OverdueRevocation], notified: inout Set<Binding>, now: Date)
        -> [GrantNotification]
    {
        notified.formIntersection(overdue.map(\.change.binding))
        return overdue.filter { notified.insert($0.change.binding).inserted }.map { revocation in
            let change = revocation.change
            var notification = GrantNotification(
                event: .revocationFailing, grant: change.grants.joined(separator: ", "), subject: change.subjectName,
                resources: ["\(change.levelSet) on \(change.resourceName)"],
                message: "\(change.subjectName) still holds \(change.levelSet) on \(change.resourceName), which should "
                    + "have been removed: \(revocation.reason); grafana-jit keeps retrying",
                expiresAt: revocation.end, time: now)
            stamp(&notification)
            return notification
        }
    }

    /// The instance and org this controller governs; the checkout's commit when the notification has none.
    func stamp(_ notification: inout GrantNotification) {
        notification.grafana = target.grafana
        notification.org = target.org
        if notification.commit == nil {
            (notification.commit, notification.pullRequest) = (provenance?.commit, provenance?.pullRequest)
        }
    }

    private func notice(_ event: GrantNotification.Event, _ status: GrantStatus, _ message: String, now: Date)
        -> GrantNotification
    {
        var notification = GrantNotification(event, status: status, message: message, time: now)
        stamp(&notification)
        return notification
    }
}
