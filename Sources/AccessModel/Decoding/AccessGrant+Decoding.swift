import Foundation
import YAML

extension DecodingContext {
    private static let grantFields: Set<String> = [
        "subject", "access", "bundle", "duration", "expiresAt", "startsAt", "reason", "ticket", "approvedBy", "policy",
        "incident", "grafana", "org",
    ]

    mutating func grant(_ spec: ObjectNode, metadata: ResourceMetadata) -> AccessGrant? {
        rejectUnknownFields(of: spec, known: Self.grantFields)
        let subject = field("subject", of: spec, isRequired: true) { $0.subject($1, at: $2) }
        let access = field("access", of: spec) { $0.list($1, at: $2) { $0.accessItem($1, at: $2) } }
        let bundle = field("bundle", of: spec) { $0.name($1, at: $2) }
        if !spec.has("access") && !spec.has("bundle") {
            report(.missingOneOf([spec.path.child("access"), spec.path.child("bundle")], at: location(spec.mark)))
        }
        let end = grantEnd(spec)
        let startsAt = field("startsAt", of: spec) { $0.timestamp($1, at: $2) }
        if case .at(let expiresAt) = end, let startsAt, expiresAt <= startsAt, let mark = spec.value("expiresAt")?.mark
        {
            report(.expiryNotAfterStart(spec.path.child("expiresAt"), at: location(mark)))
        }
        let reason = field("reason", of: spec, isRequired: true) {
            $0.nonEmptyString($1, at: $2, maxLength: AccessGrant.maxReasonLength)
        }
        let ticket = field("ticket", of: spec) { $0.string($1, at: $2) }
        let approvedBy = field("approvedBy", of: spec) { $0.list($1, at: $2) { $0.identity($1, at: $2) } }
        let policy = field("policy", of: spec) { $0.name($1, at: $2) }
        let incident = field("incident", of: spec) { $0.nonEmptyString($1, at: $2) }
        if case .team = subject {
            for item in access ?? [] {
                switch item.target {
                case .team(let team, _):
                    report(.teamSubjectJoiningTeam(item.field.child("team"), team: team, at: item.location))
                case .orgRole:
                    report(
                        .invalidValue(
                            item.field.child("orgRole"),
                            problem: "the subject is a team, and a team has no organization role",
                            at: item.location))
                case .dataSource, .folder, .serviceAccountToken:
                    continue
                }
            }
        }
        let placement = placement(spec)
        guard let subject, let end, let reason, access != nil || bundle != nil else { return nil }
        var grant = AccessGrant(
            metadata: metadata, subject: subject, access: access ?? [], bundle: bundle, end: end, startsAt: startsAt,
            reason: reason, ticket: ticket, approvedBy: approvedBy ?? [], policy: policy, incident: incident,
            fieldLocations: takeFieldLocations(relativeTo: resourcePath(of: spec)))
        grant.placement = placement
        return grant
    }

    /// `grafana` (an instance name from the configuration) and `org` (an org id); grants and policies alike.
    mutating func placement(_ spec: ObjectNode) -> Placement {
        Placement(
            grafana: field("grafana", of: spec) { $0.name($1, at: $2) },
            org: field("org", of: spec) { $0.positiveInt($1, at: $2) })
    }

    /// `duration` or `expiresAt`: exactly one. Both are checked either way, so all their problems show at once.
    private mutating func grantEnd(_ spec: ObjectNode) -> AccessGrant.End? {
        let key = exactlyOne(of: ["duration", "expiresAt"], in: spec)
        let duration = field("duration", of: spec) { $0.duration($1, at: $2) }
        let expiresAt = field("expiresAt", of: spec) { $0.timestamp($1, at: $2) }
        switch key {
        case "duration": return duration.map { .after($0) }
        case "expiresAt": return expiresAt.map { .at($0) }
        default: return nil
        }
    }

    private mutating func subject(_ node: YAMLNode, at path: FieldPath) -> Subject? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["user", "team"])
        guard let key = exactlyOne(of: ["user", "team"], in: object) else { return nil }
        if key == "user" {
            return field("user", of: object) { $0.identity($1, at: $2) }.map(Subject.user)
        }
        return field("team", of: object) { $0.nonEmptyString($1, at: $2) }.map(Subject.team)
    }

    /// The path of the resource that holds `spec` (empty, or `items[i]`).
    func resourcePath(of spec: ObjectNode) -> FieldPath {
        let text = spec.path.description
        return FieldPath(text.hasSuffix(".spec") ? String(text.dropLast(5)) : "")
    }
}
