import AccessModel
import Foundation

/// Something people should hear about a grant. Carries names and times only, never a token or a webhook URL.
package struct GrantNotification: Sendable, Equatable {
    package enum Event: String, Sendable, CaseIterable {
        case activated = "grant.activated"
        case denied = "grant.denied"
        case expiring = "grant.expiring"
        case expired = "grant.expired"
        case revoked = "grant.revoked"
        case revocationFailing = "revocation.failing"

        /// A short headline for chat messages.
        var title: String {
            switch self {
            case .activated: "Access granted"
            case .denied: "Grant denied"
            case .expiring: "Access ends soon"
            case .expired: "Access expired"
            case .revoked: "Access revoked"
            case .revocationFailing: "Revocation failing"
            }
        }
    }

    package var event: Event
    package var grant: String
    package var subject: String
    package var grafana: String?
    package var org: Int?
    /// `Query on data source prod-logs`, as status shows the grant's access.
    package var resources: [String]
    package var message: String
    package var expiresAt: Date?
    /// Why a grant was denied, one policy finding each.
    package var reasons: [String] = []
    package var commit: String?
    package var pullRequest: Int?
    package var time: Date

    package init(
        event: Event, grant: String, subject: String, resources: [String], message: String, expiresAt: Date?,
        time: Date
    ) {
        self.event = event
        self.grant = grant
        self.subject = subject
        self.resources = resources
        self.message = message
        self.expiresAt = expiresAt
        self.time = time
    }
}

extension GrantNotification {
    /// A grant's notification from its status: subject, access, window and provenance as status records them.
    init(_ event: Event, status: GrantStatus, message: String, time: Date) {
        self.init(
            event: event, grant: status.name, subject: status.subject, resources: status.access, message: message,
            expiresAt: status.expiresAt, time: time)
        commit = status.commit
        pullRequest = status.pullRequest
    }
}
