import Controller
import Foundation

/// One grant's events folded in time order: its latest declared facts, its active spells, how it ended and the
/// removals of its access.
struct GrantHistory {
    let name: String
    let grafana: String?
    let org: Int?
    /// The grant's facts as its decision events last gave each: subject, access, reason, ticket, approvers,
    /// policy, window.
    private(set) var declared: AuditEvent?
    private(set) var spells: [(start: Date, end: Date)] = []
    private(set) var openSince: Date?
    private(set) var activatedAt: Date?
    private(set) var ending: GrantEnding = .pending
    private(set) var endedAt: Date?
    private(set) var denialReasons: [String] = []
    private(set) var revokedAt: Date?
    private(set) var failedRevocations = 0
    private(set) var heldRevocations = 0
    private(set) var breakGlass = false
    private(set) var onCallWaiver = false
    private(set) var records: [AuditTrail.Record] = []

    init(name: String, grafana: String?, org: Int?) {
        self.name = name
        self.grafana = grafana
        self.org = org
    }

    mutating func add(_ record: AuditTrail.Record, named kind: AuditEventName) {
        records.append(record)
        let event = record.event
        if kind.isDecision {
            decide(event, kind: kind)
        } else if kind == .revocationHeld {
            heldRevocations += 1
        } else if kind.isRemoval && event.outcome == AuditOutcome.failure {
            failedRevocations += 1
        } else if kind.closesAccess && event.outcome == AuditOutcome.success {
            revokedAt = event.time
        }
    }

    private mutating func decide(_ event: AuditEvent, kind: AuditEventName) {
        declared = Self.merging(event, into: declared)
        breakGlass = breakGlass || event.breakGlass == true
        onCallWaiver = onCallWaiver || event.onCallWaiver == true
        guard kind != .grantActivated else {
            if openSince == nil { openSince = event.time }
            activatedAt = activatedAt ?? event.time
            (ending, endedAt) = (.active, nil)
            return
        }
        if let start = openSince {
            spells.append((start, event.time))
            openSince = nil
        }
        let wasActive = activatedAt != nil
        endedAt = event.time
        switch kind {
        case .grantExpired: ending = .expired
        case .grantRevokedByDeletion: ending = .deleted
        case .grantInvalid: ending = .invalid
        case .grantFailed: ending = .failed
        case .grantPending: ending = wasActive ? .outsideHours : .pending
        case .grantDenied:
            let reasons = (event.error ?? "").components(separatedBy: "; ").filter { !$0.isEmpty }
            denialReasons = reasons
            ending = wasActive ? Self.ending(deniedFor: reasons) : .denied
        default: break
        }
    }

    /// An event that leaves a fact out (a deletion or invalid-file event carries few) keeps the earlier one.
    private static func merging(_ event: AuditEvent, into earlier: AuditEvent?) -> AuditEvent {
        guard let earlier else { return event }
        var merged = event
        merged.file = event.file ?? earlier.file
        merged.subject = event.subject ?? earlier.subject
        merged.resource = event.resource ?? earlier.resource
        merged.reason = event.reason ?? earlier.reason
        merged.ticket = event.ticket ?? earlier.ticket
        merged.approvers = event.approvers ?? earlier.approvers
        merged.policy = event.policy.flatMap { $0.isEmpty ? nil : $0 } ?? earlier.policy
        merged.startsAt = event.startsAt ?? earlier.startsAt
        merged.expiresAt = event.expiresAt ?? earlier.expiresAt
        return merged
    }

    /// As the controller names the cause of a revocation (ChangeCause): the shift, the incident, or the policy.
    private static func ending(deniedFor reasons: [String]) -> GrantEnding {
        let text = reasons.joined(separator: " ")
        if text.contains("on call") { return .offShift }
        if text.contains("incident") { return .incidentResolved }
        return .policyDenied
    }

    /// The window asked for: from the decision events, or the ledger's record for trails written before events
    /// carried it.
    func window(fallback: GrantRecord?) -> (start: Date?, end: Date?) {
        (declared?.startsAt ?? fallback?.start, declared?.expiresAt ?? fallback?.end)
    }

    /// Every spell, the open one ending `now`; the last closed spell lasts until its access was confirmed removed
    /// when that came after the decision.
    func heldSpells(until now: Date) -> [(start: Date, end: Date)] {
        var result = spells
        if let revokedAt, let last = result.last, openSince == nil, revokedAt > last.end {
            result[result.count - 1].end = revokedAt
        }
        if let openSince { result.append((openSince, max(openSince, now))) }
        return result
    }

    /// When the access was due to go: the window's end for an expiry, the decision for the rest.
    func due(windowEnd: Date?) -> Date? {
        guard activatedAt != nil, ![.active, .pending, .denied].contains(ending) else { return nil }
        if ending == .expired, let windowEnd { return min(windowEnd, endedAt ?? windowEnd) }
        return endedAt
    }
}
