import Foundation

/// A request for time-bound access, as written in a grant file. Its fields (`AccessGrant.Fields`, read and written
/// as the grant's own: `grant.reason`) live in one shared, immutable box: a controller holds each of 10,000 grants in
/// the catalog, the decisions and the report at once, and copying the value (or comparing a grant with itself, as
/// the memoized decisions do every pass) then costs one reference, not a retain per field.
@dynamicMemberLookup
package struct AccessGrant: Sendable, Equatable {
    /// How the grant says when it ends.
    package enum End: Sendable, Equatable {
        case after(Duration)
        case at(Date)
    }

    package struct Fields: Sendable, Equatable {
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

    /// A field, read from the shared box; a change makes a new box, so the one other copies share never changes.
    package subscript<Value>(dynamicMember field: WritableKeyPath<Fields, Value>) -> Value {
        get { box.fields[keyPath: field] }
        set {
            var fields = box.fields
            fields[keyPath: field] = newValue
            box = Box(fields)
        }
    }

    package static func == (lhs: AccessGrant, rhs: AccessGrant) -> Bool {
        lhs.box === rhs.box || lhs.box.fields == rhs.box.fields
    }

    /// The very same value (not merely equal): one unchanged since it was decoded.
    package func isIdentical(to other: AccessGrant) -> Bool { box === other.box }

    /// Long enough for a paragraph; short enough for audit lines and the CRD's `maxLength`.
    package static let maxReasonLength = 1024

    /// Read straight from the box: through the dynamic member it would copy the whole metadata (labels,
    /// annotations) for each of the 10,000 lookups a pass makes by name.
    package var name: String { box.fields.metadata.name }

    /// The location of a field, or of the resource when the field was not written.
    package func location(of field: String) -> SourceLocation {
        self.fieldLocations[field] ?? self.metadata.location
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
