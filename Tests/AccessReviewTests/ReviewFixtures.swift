import Foundation

@testable import AccessReview
@testable import Controller

/// A scripted history, as the controller writes it: decisions and permission changes, times in seconds from `t0`.
struct ReviewFixtures {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

    static func decision(
        _ name: String, _ event: String, at seconds: Double, user: String = "alice@example.com",
        access: String = "Query on data source prod-logs", window: (Double, Double)? = nil, error: String? = nil
    ) -> AuditEvent {
        var value = AuditEvent(time: at(seconds), event: event, grant: name, outcome: "x")
        value.subject = "user " + user
        value.resource = access
        value.reason = "INC-1: look at logs"
        value.ticket = "INC-1"
        value.approvers = ["bob@example.com"]
        value.policy = "prod"
        value.error = error
        value.grafana = "default"
        if let window { (value.startsAt, value.expiresAt) = (at(window.0), at(window.1)) }
        return value
    }

    static func permission(
        _ grants: String, _ event: String, at seconds: Double, user: String = "alice@example.com",
        resource: String = "prod-logs", to level: String = "Query", outcome: String = "success"
    ) -> AuditEvent {
        var value = AuditEvent(time: at(seconds), event: event, grant: grants, outcome: outcome)
        value.subject = user
        value.resource = resource
        value.permission = event == "permission.granted" ? level : "none"
        value.previous = event == "permission.granted" ? "none" : level
        value.grafana = "default"
        if outcome == "failure" { value.error = "Grafana answered 500" }
        return value
    }

    /// The events as an audit file's bytes.
    static func lines(_ events: [AuditEvent]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601Milliseconds)
        }
        return events.flatMap { event in
            // Encoding strings and dates cannot fail in a fixture.
            Array((try? encoder.encode(event)) ?? Data()) + [0x0A]
        }
    }

    static func review(
        _ events: [AuditEvent], ledgers: [ReviewInput.LedgerSnapshot] = [], period: (Double, Double) = (-3600, 86_400),
        now: Double = 86_400
    ) -> AccessReview {
        var trail = AuditTrail()
        trail.add(lines(events), from: "audit.jsonl")
        return AccessReview(
            ReviewInput(
                trail: trail, ledgers: ledgers, standing: nil,
                period: ReviewPeriod(from: at(period.0), to: at(period.1)),
                generatedAt: at(now), lateAfter: 30))
    }

    /// Five grants: one expired and revoked on time, one deleted, one denied, one revoked late after a failed
    /// revocation, one off shift under a break-glass policy.
    static var history: [AuditEvent] {
        var offShift = decision(
            "erin-break-glass", "grant.activated", at: 100, user: "erin@example.com", window: (100, 7300))
        offShift.breakGlass = true
        return [
            permission("alice-logs", "permission.granted", at: 0),
            decision("alice-logs", "grant.activated", at: 0, window: (0, 3600)),
            permission("alice-logs", "permission.revoked", at: 3600.5),
            decision("alice-logs", "grant.expired", at: 3600.4, window: (0, 3600)),
            permission("bob-metrics", "permission.granted", at: 10, user: "bob@example.com", resource: "prod-metrics"),
            decision(
                "bob-metrics", "grant.activated", at: 10, user: "bob@example.com",
                access: "Query on data source prod-metrics", window: (10, 7210)),
            permission("bob-metrics", "permission.revoked", at: 600, user: "bob@example.com", resource: "prod-metrics"),
            {
                var event = AuditEvent(
                    time: at(600), event: "grant.revokedByDeletion", grant: "bob-metrics", outcome: "revoked")
                event.subject = "user bob@example.com"
                event.grafana = "default"
                return event
            }(),
            decision(
                "carol-admin", "grant.denied", at: 20, user: "carol@example.com",
                access: "Admin on data source prod-logs",
                error:
                    "Admin on data source prod-logs: policy prod does not allow it; spec.approvedBy: 0 of 1 approvals required by policy prod"
            ),
            permission("dave-logs", "permission.granted", at: 30, user: "dave@example.com"),
            decision("dave-logs", "grant.activated", at: 30, user: "dave@example.com", window: (30, 1830)),
            permission("dave-logs", "permission.revoked", at: 1830.2, user: "dave@example.com", outcome: "failure"),
            decision("dave-logs", "grant.expired", at: 1830.1, user: "dave@example.com", window: (30, 1830)),
            permission("dave-logs", "permission.revoked", at: 1950, user: "dave@example.com"),
            permission("erin-break-glass", "permission.granted", at: 100, user: "erin@example.com", to: "Edit"),
            offShift,
            permission("erin-break-glass", "permission.revoked", at: 900, user: "erin@example.com", to: "Edit"),
            decision(
                "erin-break-glass", "grant.denied", at: 900, user: "erin@example.com", window: (100, 7300),
                error: "spec.subject: user erin@example.com is not on call in primary-sre (policy on-call-break-glass)"),
        ]
    }
}
