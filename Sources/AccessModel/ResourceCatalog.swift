/// Every resource of a directory, checked across files: unique names per kind, and references that resolve.
/// A resource with any problem is left out, so nothing ambiguous or broken can grant access.
package struct ResourceCatalog: Sendable, Equatable {
    /// Valid grants, sorted by name.
    package private(set) var grants: [AccessGrant] = []
    package private(set) var policies: [String: AccessPolicy] = [:]
    package private(set) var bundles: [String: AccessBundle] = [:]
    /// Every problem of every file, sorted by location.
    package private(set) var errors: [ResourceError] = []

    package init(files: [DecodedFile]) {
        var byKind: [ResourceKind: [String: [Resource]]] = [:]
        for file in files {
            errors += file.errors
            for resource in file.resources {
                byKind[resource.kind, default: [:]][resource.metadata.name, default: []].append(resource)
            }
        }
        var unique: [Resource] = []
        for kind in ResourceKind.allCases {
            for (name, copies) in byKind[kind] ?? [:] {
                guard copies.count > 1 else {
                    unique += copies
                    continue
                }
                let ordered = copies.map(\.metadata.location).sorted()
                for later in ordered.dropFirst() {
                    errors.append(.duplicateName(kind: kind, name: name, at: later, first: ordered[0]))
                }
            }
        }
        for resource in unique {
            switch resource {
            case .policy(let policy): policies[policy.name] = policy
            case .bundle(let bundle): bundles[bundle.name] = bundle
            case .grant: break
            }
        }
        for case .grant(let grant) in unique where checkReferences(of: grant) {
            grants.append(grant)
        }
        grants.sort { $0.name < $1.name }
        errors.sort { $0.location < $1.location }
    }

    /// Policy names in evaluation order.
    package var policyNames: [String] { policies.keys.sorted() }

    /// The grant's own items followed by its bundle's.
    package func accessItems(of grant: AccessGrant) -> [AccessItem] {
        grant.access + (grant.bundle.flatMap { bundles[$0]?.access } ?? [])
    }

    /// Reports a missing bundle or policy, and team items a team subject would get through its bundle.
    private mutating func checkReferences(of grant: AccessGrant) -> Bool {
        let errorCount = errors.count
        if let name = grant.bundle {
            if let bundle = bundles[name] {
                if case .team = grant.subject {
                    for item in bundle.access {
                        guard case .team(let team, _) = item.target else { continue }
                        errors.append(
                            .teamSubjectJoiningTeam(
                                FieldPath("spec.bundle"), team: team, at: grant.location(of: "spec.bundle")))
                    }
                }
            } else {
                errors.append(
                    .missingReference(
                        FieldPath("spec.bundle"), kind: .bundle, name: name, at: grant.location(of: "spec.bundle")))
            }
        }
        // Without any policy among the inputs, `validate` checks format only (DESIGN.md); the controller always
        // loads policies, and an unknown name there denies the grant.
        if let name = grant.policy, !policies.isEmpty, policies[name] == nil {
            errors.append(
                .missingReference(
                    FieldPath("spec.policy"), kind: .policy, name: name, at: grant.location(of: "spec.policy")))
        }
        return errors.count == errorCount
    }
}
