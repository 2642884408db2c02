import Foundation

/// A request for time-bound access, as written in a grant file. Its fields live in one shared, immutable box: a
/// controller holds each of 10,000 grants in the catalog, the decisions and the report at once, and copying the
/// value (or comparing a grant with itself, as the memoized decisions do every pass) then costs one reference, not
/// a retain per field.
package struct AccessGrant: Sendable, Equatable {
    /// How the grant says when it ends.
    package enum End: Sendable, Equatable {
        case after(Duration)
        case at(Date)
    }

    private struct Fields: Sendable, Equatable {
        var metadata: ResourceMetadata
        var subject: Subject
        var access: [AccessItem]
        var bundle: String?
        var end: End
        var startsAt: Date?
        var reason: String
        var ticket: String?
        var approvedBy: [String]
        var policy: String?
        var incident: String?
        var placement: Placement = Placement()
        var fieldLocations: [String: SourceLocation]
    }

    private final class Box: Sendable {
        let fields: Fields

        init(_ fields: Fields) {
            self.fields = fields
        }
    }

    private var box: Box

    package init(
        metadata: ResourceMetadata, subject: Subject, access: [AccessItem], bundle: String?, end: End, startsAt: Date?,
        reason: String, ticket: String?, approvedBy: [String], policy: String?, incident: String?,
        placement: Placement = Placement(), fieldLocations: [String: SourceLocation]
    ) {
        box = Box(
            Fields(
                metadata: metadata, subject: subject, access: access, bundle: bundle, end: end, startsAt: startsAt,
                reason: reason, ticket: ticket, approvedBy: approvedBy, policy: policy, incident: incident,
                placement: placement, fieldLocations: fieldLocations))
    }

    /// A change makes a new box: the one other copies share never changes.
    private mutating func change(_ body: (inout Fields) -> Void) {
        var fields = box.fields
        body(&fields)
        box = Box(fields)
    }

    package static func == (lhs: AccessGrant, rhs: AccessGrant) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    package var metadata: ResourceMetadata {
        get { box.fields.metadata }
        set { change { $0.metadata = newValue } }
    }

    package var subject: Subject {
        get { box.fields.subject }
        set { change { $0.subject = newValue } }
    }

    package var access: [AccessItem] {
        get { box.fields.access }
        set { change { $0.access = newValue } }
    }

    package var bundle: String? {
        get { box.fields.bundle }
        set { change { $0.bundle = newValue } }
    }

    package var end: End {
        get { box.fields.end }
        set { change { $0.end = newValue } }
    }

    package var startsAt: Date? {
        get { box.fields.startsAt }
        set { change { $0.startsAt = newValue } }
    }

    package var reason: String {
        get { box.fields.reason }
        set { change { $0.reason = newValue } }
    }

    package var ticket: String? {
        get { box.fields.ticket }
        set { change { $0.ticket = newValue } }
    }

    package var approvedBy: [String] {
        get { box.fields.approvedBy }
        set { change { $0.approvedBy = newValue } }
    }

    package var policy: String? {
        get { box.fields.policy }
        set { change { $0.policy = newValue } }
    }

    /// A Grafana Incident id: the grant is active only while that incident is.
    package var incident: String? {
        get { box.fields.incident }
        set { change { $0.incident = newValue } }
    }

    /// Which configured Grafana instance and org the access is in; nil: the defaults.
    package var placement: Placement {
        get { box.fields.placement }
        set { change { $0.placement = newValue } }
    }

    /// Where each decoded field was written, by path (`spec.duration`), so verdicts can point at it.
    package var fieldLocations: [String: SourceLocation] {
        get { box.fields.fieldLocations }
        set { change { $0.fieldLocations = newValue } }
    }

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
