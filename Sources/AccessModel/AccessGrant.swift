import Foundation

/// A request for time-bound access, as written in a grant file.
package struct AccessGrant: Sendable, Equatable {
    /// How the grant says when it ends.
    package enum End: Sendable, Equatable {
        case after(Duration)
        case at(Date)
    }

    package var metadata: ResourceMetadata
    package var subject: Subject
    package var access: [AccessItem]
    package var bundle: String?
    package var end: End
    package var startsAt: Date?
    package var reason: String
    package var ticket: String?
    package var approvedBy: [String]
    package var policy: String?
    /// A Grafana Incident id: the grant is active only while that incident is.
    package var incident: String?
    /// Which configured Grafana instance and org the access is in; nil: the defaults.
    package var placement = Placement()
    /// Where each decoded field was written, by path (`spec.duration`), so verdicts can point at it.
    package var fieldLocations: [String: SourceLocation]

    /// Long enough for a paragraph; short enough for audit lines and the CRD's `maxLength`.
    package static let maxReasonLength = 1024

    package var name: String { metadata.name }

    /// The location of a field, or of the resource when the field was not written.
    package func location(of field: String) -> SourceLocation {
        fieldLocations[field] ?? metadata.location
    }
}

/// `spec.grafana` and `spec.org`: a configured Grafana instance by name, and an org id in it; nil: the default.
package struct Placement: Sendable, Equatable {
    package var grafana: String?
    package var org: Int?

    package init(grafana: String? = nil, org: Int? = nil) {
        self.grafana = grafana
        self.org = org
    }
}
