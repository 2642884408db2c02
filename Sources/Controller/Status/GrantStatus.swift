import Foundation

/// A grant's phase, as Kubernetes status reports it.
package enum Phase: String, Sendable, Codable, CaseIterable {
    case pending = "Pending"
    case active = "Active"
    case expired = "Expired"
    case denied = "Denied"
    case invalid = "Invalid"
    case failed = "Failed"
}

/// Why a grant is in its phase; CamelCase like Kubernetes condition reasons.
package enum Reason: String, Sendable, Codable {
    case applied = "Applied"
    case outsideActiveHours = "OutsideActiveHours"
    case scheduled = "Scheduled"
    case windowEnded = "WindowEnded"
    case policyDenied = "PolicyDenied"
    case invalidSpec = "InvalidSpec"
    case notFoundInGrafana = "NotFoundInGrafana"
    /// A reference names two Grafana objects (one's uid, another's name; one's login, another's email).
    case ambiguousReference = "AmbiguousReference"
    /// Looking a reference up in Grafana failed; retried on the next pass.
    case lookupFailed = "LookupFailed"
    case applyFailed = "ApplyFailed"
    /// This Grafana has no API for what the grant asks (open-source Grafana and data-source permissions).
    case unsupported = "Unsupported"
    case revokedByDeletion = "RevokedByDeletion"
}

/// A Kubernetes-shaped condition.
package struct StatusCondition: Sendable, Codable, Equatable {
    package var type: String
    package var status: String
    package var reason: Reason
    package var message: String
    package var lastTransitionTime: Date
    /// A hash of the grant's content, so a reader can tell which version of the file the condition is about.
    package var observedGeneration: String
}

/// What `status` shows for one grant, kept in the state directory.
package struct GrantStatus: Sendable, Codable, Equatable {
    package var name: String
    package var file: String
    package var subject: String
    package var access: [String]
    package var phase: Phase
    package var message: String
    package var activatedAt: Date?
    package var startsAt: Date?
    package var expiresAt: Date?
    package var policies: [String]
    package var conditions: [StatusCondition]
    /// Writes made for this grant in the last pass that changed anything.
    package var changes: [String]
    package var lastError: String?
    /// The Grafana instance and org the grant's access is in.
    package var grafana: String?
    package var org: Int?
    /// The checkout's commit (and pull request) when the controller first read this version of the grant.
    package var commit: String?
    package var pullRequest: Int?
    /// The expiring-soon mark (the end minus a lead time) last notified for the current end.
    package var expiryNoticeAt: Date?
}
