import AccessModel
import Foundation

/// Revocations that do not land: the one kind of notice that needs the reconciler's memory (the ledger, and which
/// bindings were already notified). The others are the status report's (`NoticePolicy`).
extension Reconciler {
    /// How notices are worded and stamped for this controller and the checkout it last read.
    var noticePolicy: NoticePolicy {
        NoticePolicy(target: configuration.target, provenance: provenance, expiryNotices: configuration.expiryNotices)
    }

    /// One notice per binding whose removal is overdue (a failed write, Grafana down, held by the brake), raised
    /// when it becomes overdue and again only after it was once removed.
    func overdueNotices(_ overdue: [LedgerChange], reasons: [Binding: String], passError: String?, now: Date)
        -> [GrantNotification]
    {
        let current = Set(overdue.map(\.binding))
        failingRemovals.formIntersection(current)
        let policy = noticePolicy
        return overdue.filter { failingRemovals.insert($0.binding).inserted }.map { change in
            let ends = change.grants.compactMap { ledger.grants[$0]?.end }
            let why = reasons[change.binding] ?? passError ?? "the revocation did not land"
            var notification = GrantNotification(
                event: .revocationFailing, grant: change.grants.joined(separator: ", "), subject: change.subjectName,
                resources: ["\(change.levelSet) on \(change.resourceName)"],
                message: "\(change.subjectName) still holds \(change.levelSet) on \(change.resourceName), which should "
                    + "have been removed: \(why); grafana-jit keeps retrying",
                expiresAt: ends.max(), time: now)
            policy.stamp(&notification)
            return notification
        }
    }
}
