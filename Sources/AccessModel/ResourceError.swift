import YAML

/// Everything that makes a resource file invalid; each case says where, and for fields, which one.
package enum ResourceError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(String, at: SourceLocation)
    case yaml(YAMLError, at: SourceLocation)
    case unknownKind(apiVersion: String, kind: String, at: SourceLocation)
    case unknownField(FieldPath, at: SourceLocation)
    case missingField(FieldPath, at: SourceLocation)
    case wrongType(FieldPath, expected: String, found: String, at: SourceLocation)
    case notOneOf(FieldPath, value: String, allowed: [String], at: SourceLocation)
    case invalidName(FieldPath, value: String, at: SourceLocation)
    case invalidDuration(FieldPath, value: String, at: SourceLocation)
    case invalidTimestamp(FieldPath, value: String, at: SourceLocation)
    case invalidValue(FieldPath, problem: String, at: SourceLocation)
    case conflictingFields(FieldPath, with: FieldPath, at: SourceLocation)
    case missingOneOf([FieldPath], at: SourceLocation)
    case expiryNotAfterStart(FieldPath, at: SourceLocation)
    case teamSubjectJoiningTeam(FieldPath, team: String, at: SourceLocation)
    case duplicateName(kind: ResourceKind, name: String, at: SourceLocation, first: SourceLocation)
    case missingReference(FieldPath, kind: ResourceKind, name: String, at: SourceLocation)
    case unusableReference(FieldPath, kind: ResourceKind, name: String, at: SourceLocation)
    case tooManyErrors(shown: Int, total: Int, at: SourceLocation)
    /// A document of a kind its folder may not define (a policy under `--grants`); never loaded.
    case misplaced(kind: ResourceKind, name: String, place: ResourcePlace, at: SourceLocation)
    /// A YAML document of another tool (no grafana-jit apiVersion or kind).
    case foreignDocument(apiVersion: String?, kind: String?, at: SourceLocation)
    /// A second grant under the name of one the controller has in force; only the newcomer is refused.
    case newcomerName(name: String, at: SourceLocation, inForce: SourceLocation)

    package var location: SourceLocation {
        switch self {
        case .unreadable(_, let at), .yaml(_, let at), .unknownKind(_, _, let at), .unknownField(_, let at),
            .missingField(_, let at), .wrongType(_, _, _, let at), .notOneOf(_, _, _, let at),
            .invalidName(_, _, let at), .invalidDuration(_, _, let at), .invalidTimestamp(_, _, let at),
            .invalidValue(_, _, let at), .conflictingFields(_, _, let at), .missingOneOf(_, let at),
            .expiryNotAfterStart(_, let at), .teamSubjectJoiningTeam(_, _, let at), .duplicateName(_, _, let at, _),
            .missingReference(_, _, _, let at), .unusableReference(_, _, _, let at), .tooManyErrors(_, _, let at),
            .misplaced(_, _, _, let at), .newcomerName(_, let at, _), .foreignDocument(_, _, let at):
            at
        }
    }

    /// The message without the location; `validate` prints `location: error: message`.
    package var message: String {
        switch self {
        case .unreadable(let reason, _): reason
        case .yaml(let error, _): error.description
        case .unknownKind(let apiVersion, let kind, _):
            "unknown resource \(apiVersion)/\(kind); expected apiVersion \(ResourceKind.apiVersion) with kind "
                + "AccessGrant, AccessPolicy or AccessBundle, or a v1 List of them"
        case .unknownField(let path, _): "\(path): unknown field"
        case .missingField(let path, _): "\(path): required field is missing"
        case .wrongType(let path, let expected, let found, _): "\(path): expected \(expected), found \(found)"
        case .notOneOf(let path, let value, let allowed, _):
            "\(path): \"\(value)\" is not one of \(allowed.joined(separator: ", "))"
        case .invalidName(let path, let value, _):
            "\(path): \"\(value)\" is not a valid name (lowercase letters, digits, '-' and '.', starting and ending "
                + "with a letter or digit, at most 253 characters)"
        case .invalidDuration(let path, let value, _):
            "\(path): \"\(value)\" is not a positive duration like 30m, 4h, 1h30m or 2d"
        case .invalidTimestamp(let path, let value, _):
            "\(path): \"\(value)\" is not an RFC 3339 timestamp like 2026-11-21T18:00:00Z"
        case .invalidValue(let path, let problem, _): "\(path): \(problem)"
        case .conflictingFields(let path, let other, _): "\(path): cannot be combined with \(other); give only one"
        case .missingOneOf(let paths, _):
            "one of \(paths.map(\.description).joined(separator: " or ")) is required"
        case .expiryNotAfterStart(let path, _): "\(path): must be after spec.startsAt"
        case .teamSubjectJoiningTeam(let path, let team, _):
            "\(path): the subject is a team, and a team cannot join team \"\(team)\""
        case .duplicateName(let kind, let name, _, let first):
            "metadata.name: \(kind.rawValue) \"\(name)\" is defined twice; first definition at \(first)"
        case .missingReference(let path, let kind, let name, _):
            "\(path): \(kind.rawValue) \"\(name)\" does not exist"
        case .unusableReference(let path, let kind, let name, _):
            "\(path): \(kind.rawValue) \"\(name)\" is invalid or defined more than once (see its errors)"
        case .tooManyErrors(let shown, let total, _):
            "\(total - shown) more errors in this file not shown (\(total) in all)"
        case .foreignDocument(let apiVersion, let kind, _):
            "not a grafana-jit resource (apiVersion \(apiVersion ?? "none"), kind \(kind ?? "none")); grafana-jit reads "
                + "apiVersion \(ResourceKind.apiVersion) documents only. If this file belongs in the folder, list it "
                + "in .grafana-jit-ignore at the top of the folder"
        case .newcomerName(let name, _, let inForce):
            "metadata.name: AccessGrant \"\(name)\" is already in force from \(inForce); this second copy is refused "
                + "(rename it)"
        case .misplaced(let kind, let name, let place, _):
            "kind: \(kind.rawValue) \"\(name)\" is under a --\(place.rawValue) path and is not loaded: "
                + ResourcePlace.home(of: kind)
        }
    }

    package var description: String { "\(location): error: \(message)" }
}
