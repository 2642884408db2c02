import AccessModel
import Foundation

/// A grant decision as the audit trail records it: what an access review needs, the window and how it was let in.
extension StatusReport {
    static func decision(
        _ grant: AccessGrant, status: GrantStatus, catalog: ResourceCatalog, now: Date
    ) -> AuditEvent {
        let names: [Phase: String] = [
            .active: "grant.activated", .denied: "grant.denied", .expired: "grant.expired", .pending: "grant.pending",
            .failed: "grant.failed", .invalid: "grant.invalid",
        ]
        var event = AuditEvent(
            time: now, event: names[status.phase] ?? "grant.changed", grant: grant.name, outcome: status.phase.rawValue)
        event.file = grant.metadata.location.file
        event.subject = status.subject
        event.resource = status.access.joined(separator: "; ")
        event.reason = grant.reason
        event.ticket = grant.ticket
        event.approvers = grant.approvedBy
        event.policy = status.policies.joined(separator: ",")
        if status.phase == .denied || status.phase == .failed { event.error = status.message }
        (event.startsAt, event.expiresAt) = (status.startsAt, status.expiresAt)
        guard status.phase == .active else { return event }
        let policies = status.policies.compactMap { catalog.policies[$0] }
        if policies.contains(where: { $0.requireOnCall != nil }) { event.breakGlass = true }
        if policies.contains(where: { waivesApproval($0, for: grant) }) { event.onCallWaiver = true }
        return event
    }

    /// An allowed grant with fewer distinct approvers (the subject never counts) than its policy requires can only
    /// have passed through the policy's on-call waiver.
    private static func waivesApproval(_ policy: AccessPolicy, for grant: AccessGrant) -> Bool {
        guard let rule = policy.approval, rule.isRequired, policy.autoApprove != nil else { return false }
        let requester = grant.subject.name.lowercased()
        let approvers = Set(grant.approvedBy.map { $0.lowercased() }).subtracting([requester])
        return approvers.count < rule.minApprovals
    }
}
