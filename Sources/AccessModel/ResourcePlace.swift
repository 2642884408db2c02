/// Where a file was found, which decides the kinds it may define: the controller trusts location, not content,
/// so whoever can write grants can never write policy.
package enum ResourcePlace: String, Sendable, Equatable {
    /// Under a `--grants` path: grants only.
    case grants
    /// Under a `--policies` path: policies and bundles only.
    case policies
    /// `validate PATH...`, a lint of the files: any kind anywhere, and no verdicts.
    case anywhere

    package func allows(_ kind: ResourceKind) -> Bool {
        switch self {
        case .grants: kind == .grant
        case .policies: kind == .policy || kind == .bundle
        case .anywhere: true
        }
    }

    /// Where documents of `kind` belong, for the message that refuses one elsewhere.
    static func home(of kind: ResourceKind) -> String {
        switch kind {
        case .grant: "grants are read only from --grants paths"
        case .policy, .bundle: "policies and bundles are read only from --policies paths"
        }
    }
}

extension DecodedFile {
    /// The file as the controller may use it from `place`: a document of the wrong kind becomes an error on that
    /// document and is never loaded. A misplaced grant is reported as rejected (it shows as Invalid); a misplaced
    /// policy or bundle is not, so it can neither shadow nor stand in for the real one.
    package func placed(in place: ResourcePlace) -> DecodedFile {
        guard resources.contains(where: { !place.allows($0.kind) }) else { return self }
        var file = self
        file.resources = resources.filter { place.allows($0.kind) }
        for resource in resources where !place.allows(resource.kind) {
            file.errors.append(
                .misplaced(
                    kind: resource.kind, name: resource.metadata.name, place: place, at: resource.metadata.location))
            if resource.kind == .grant { file.rejected.append(Rejected(kind: .grant, name: resource.metadata.name)) }
        }
        file.errors.sort { $0.location < $1.location }
        return file
    }
}
