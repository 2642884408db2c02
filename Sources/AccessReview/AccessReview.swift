import Foundation

/// An access review for one period, from the audit trail, the ledger and (optionally) Grafana's standing access:
/// what `review` renders as HTML, CSV or JSON. Its JSON form is the `--format json` output, documented in
/// docs/operations.md; durations are in seconds.
package struct AccessReview: Sendable, Codable, Equatable {
    package var period: ReviewPeriod
    package var generatedAt: Date
    /// Revocations confirmed later than this after their grant ended are flagged late.
    package var lateAfter: Double
    /// The audit files read.
    package var auditFiles: [String]
    package var grants: [GrantReview]
    package var users: [UsageTotal]
    package var resources: [UsageTotal]
    /// Who held what when, per resource: the timeline.
    package var holdings: [Holding]
    /// Removals Grafana did not confirm, from the trail.
    package var failedRevocations: [RevocationAttempt]
    /// Revocations the safety brake held back, from the trail (`error` holds why).
    package var heldRevocations: [RevocationAttempt]
    /// Access the ledger still holds though every grant behind it ended: revocations failing or held back.
    package var outstandingRevocations: [OutstandingRevocation]
    /// Access in Grafana no grant holds; nil when Grafana was not asked.
    package var standingAccess: [StandingEntry]?
    /// Audit lines skipped and sources that could not be read.
    package var problems: [String]
}

/// `[from, to)`.
package struct ReviewPeriod: Sendable, Codable, Equatable {
    package var from: Date
    package var to: Date

    package init(from: Date, to: Date) {
        self.from = from
        self.to = to
    }

    /// The seconds of `[start, end)` inside the period.
    package func overlap(_ start: Date, _ end: Date) -> Double {
        max(0, min(end, to).timeIntervalSince(max(start, from)))
    }

    package func contains(_ date: Date) -> Bool { date >= from && date < to }
}

/// How a grant's access ended, or why it never began.
package enum GrantEnding: String, Sendable, Codable, CaseIterable {
    /// Still in force at the end of the period.
    case active
    case expired
    /// Its file was deleted.
    case deleted
    /// The incident it was bound to was resolved.
    case incidentResolved
    /// Its subject's on-call shift ended.
    case offShift
    /// Its policy's active hours closed.
    case outsideHours
    /// A policy change denied it while it was active.
    case policyDenied
    /// Denied from the start: never active.
    case denied
    /// Its file had errors and granted nothing.
    case invalid
    /// Grafana could not apply it.
    case failed
    /// Waiting for its start.
    case pending

    /// As a reviewer would say it.
    package var words: String {
        switch self {
        case .active: "still active"
        case .expired: "expired"
        case .deleted: "file deleted"
        case .incidentResolved: "incident resolved"
        case .offShift: "off shift"
        case .outsideHours: "outside active hours"
        case .policyDenied: "denied by a policy change"
        case .denied: "denied"
        case .invalid: "invalid file"
        case .failed: "failed in Grafana"
        case .pending: "not started"
        }
    }
}

/// One grant's story in the period.
package struct GrantReview: Sendable, Codable, Equatable {
    package var grant: String
    package var grafana: String?
    package var org: Int?
    package var file: String?
    package var subject: String
    package var access: [String]
    package var reason: String?
    package var ticket: String?
    package var approvers: [String]
    package var policy: String?
    package var commit: String?
    package var pullRequest: Int?
    /// The window asked for (fixed when it first became active).
    package var startsAt: Date?
    package var expiresAt: Date?
    package var requestedSeconds: Double?
    /// First activation, and the last confirmed removal of its access.
    package var activatedAt: Date?
    package var revokedAt: Date?
    /// How long access was actually held: activated → revoked, summed over its active spells.
    package var heldSeconds: Double
    package var ending: GrantEnding
    /// When the controller decided the ending.
    package var endedAt: Date?
    /// The last removal's confirmation minus when the access was due to go.
    package var lateSeconds: Double?
    package var isLate: Bool
    package var heldLongerThanAsked: Bool
    package var breakGlass: Bool
    package var onCallWaiver: Bool
    package var failedRevocations: Int
    package var heldRevocations: Int
    /// A denial's reasons, one each.
    package var denialReasons: [String]
    package var events: [GrantEvent]
}

/// An audit event of one grant, as the CSV's rows and the HTML's detail show it.
package struct GrantEvent: Sendable, Codable, Equatable {
    package var time: Date
    package var event: String
    package var outcome: String
    package var subject: String?
    package var resource: String?
    package var permission: String?
    package var previous: String?
    package var error: String?
    /// `FILE:LINE` in the audit trail.
    package var source: String
}

/// Totals for one user (or team subject) or one resource.
package struct UsageTotal: Sendable, Codable, Equatable {
    package var name: String
    /// Grants that were active in the period.
    package var grants: Int
    package var denied: Int
    /// Access held inside the period.
    package var heldSeconds: Double
    /// The resources a user held, or the subjects that held a resource.
    package var counterparts: [String]
    package var late: Int
    package var breakGlass: Int
}

/// One spell of one subject's access to one resource, from the permission events.
package struct Holding: Sendable, Codable, Equatable {
    package var resource: String
    package var subject: String
    package var permission: String
    package var grants: [String]
    package var from: Date
    /// Nil while still held.
    package var to: Date?
}

/// A removal that failed in Grafana.
package struct RevocationAttempt: Sendable, Codable, Equatable {
    package var time: Date
    package var grants: [String]
    package var subject: String
    package var resource: String
    package var error: String
}

/// A ledger entry still in force though its grants ended.
package struct OutstandingRevocation: Sendable, Codable, Equatable {
    package var grafana: String?
    package var org: Int?
    package var subject: String
    package var resource: String
    package var permission: String
    package var grants: [String]
    package var since: Date
    /// Written ahead to be revoked, and not yet confirmed.
    package var isPending: Bool
}

/// Access in Grafana that no grant holds, from `discover`.
package struct StandingEntry: Sendable, Codable, Equatable {
    package var grafana: String?
    package var org: Int?
    /// `datasource`, `team` or `folder`.
    package var resourceKind: String
    package var resource: String
    package var principalKind: String
    package var principal: String
    package var level: String

    package init(
        grafana: String?, org: Int?, resourceKind: String, resource: String, principalKind: String, principal: String,
        level: String
    ) {
        (self.grafana, self.org, self.resourceKind, self.resource) = (grafana, org, resourceKind, resource)
        (self.principalKind, self.principal, self.level) = (principalKind, principal, level)
    }
}
