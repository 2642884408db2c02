/// Every resource of a directory, checked across files: unique names per kind, and references that resolve.
/// A resource with any problem is left out, so nothing ambiguous or broken can grant access.
package struct ResourceCatalog: Sendable, Equatable {
    /// Valid grants, sorted by name.
    package private(set) var grants: [AccessGrant] = []
    package private(set) var policies: [String: AccessPolicy] = [:]
    package private(set) var bundles: [String: AccessBundle] = [:]
    /// Every problem of every file, sorted by location.
    package private(set) var errors: [ResourceError] = []
    /// Grants left out for a broken reference or a duplicated name, with the first reason.
    package private(set) var rejectedGrants: [String: ResourceError] = [:]
    /// Names left out for their errors or for being defined twice, per kind.
    private var unusable: [ResourceKind: Set<String>] = [:]
    /// Every copy of each grant name defined more than once, in location order; none is in `grants`.
    package private(set) var duplicateGrants: [String: [AccessGrant]] = [:]
    /// Valid grants a scoped catalog leaves out, for another Grafana instance or org: their names are still taken.
    private var elsewhere: Set<String> = []

    package init(files: [DecodedFile]) {
        var byKind: [ResourceKind: [String: [Resource]]] = [:]
        for file in files {
            errors += file.errors
            for rejected in file.rejected { unusable[rejected.kind, default: []].insert(rejected.name) }
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
                unusable[kind, default: []].insert(name)
                if kind == .grant {
                    duplicateGrants[name] = copies.compactMap { if case .grant(let grant) = $0 { grant } else { nil } }
                        .sorted { $0.metadata.location < $1.metadata.location }
                }
                let ordered = copies.map(\.metadata.location).sorted()
                for later in ordered.dropFirst() {
                    errors.append(.duplicateName(kind: kind, name: name, at: later, first: ordered[0]))
                    if kind == .grant {
                        rejectedGrants[name] = .duplicateName(kind: kind, name: name, at: later, first: ordered[0])
                    }
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
        for case .grant(let grant) in unique {
            let errorCount = errors.count
            if checkReferences(of: grant) {
                grants.append(grant)
            } else if let first = errors[errorCount...].first {
                rejectedGrants[grant.name] = first
            }
        }
        grants.sort { $0.name < $1.name }
        errors.sort { $0.location < $1.location }
    }

    /// The grants and policies that belong to `target`. The default target also reports, as rejected, grants whose
    /// `spec.grafana` or `spec.org` no configured instance matches; other targets just do not see them.
    package func scoped(to target: Target) -> ResourceCatalog {
        var scoped = self
        scoped.policies = policies.filter { target.applies($0.value.placement) }
        scoped.grants = []
        for grant in grants { scoped.place(grant, in: target) }
        scoped.errors.sort { $0.location < $1.location }
        return scoped
    }

    /// Adds a valid grant to this catalog scoped to `target`: kept when it belongs there, rejected when the default
    /// target finds its placement names no configured instance or org, else left out.
    private mutating func place(_ grant: AccessGrant, in target: Target) {
        switch target.resolve(grant.placement) {
        case .success where target.holds(grant.placement):
            grants.append(grant)
        case .failure(let problem) where target.isDefault:
            let field = grant.placement.grafana != nil && problem.isUnknownGrafana ? "spec.grafana" : "spec.org"
            let error = ResourceError.invalidValue(
                FieldPath(field), problem: String(problem.description.drop { $0 != " " }.dropFirst()),
                at: grant.location(of: field))
            errors.append(error)
            rejectedGrants[grant.name] = error
        default:
            elsewhere.insert(grant.name)
        }
    }

    /// This catalog, built from `before` and scoped to `target`, as `ResourceCatalog(files: after)` scoped to it
    /// would be, made by patching only the files that differ (both lists sorted by path, as read). Nil when the
    /// change is not one a patch settles alike: many files, a file with errors or with other kinds than grants, or
    /// a name defined twice (anywhere), rejected or unknown on either side. An edit of a few grant files (the daemon's usual
    /// event) then costs those files, not a whole build over 10,000.
    package func updated(from before: [DecodedFile], to after: [DecodedFile], scopedTo target: Target)
        -> ResourceCatalog?
    {
        var (gone, added) = ([DecodedFile](), [DecodedFile]())
        var (old, new) = (0, 0)
        while old < before.count || new < after.count {
            if new == after.count || (old < before.count && before[old].path < after[new].path) {
                gone.append(before[old])
                old += 1
            } else if old == before.count || after[new].path < before[old].path {
                added.append(after[new])
                new += 1
            } else {
                if before[old] != after[new] { (gone, added) = (gone + [before[old]], added + [after[new]]) }
                (old, new) = (old + 1, new + 1)
            }
            guard gone.count + added.count <= 64 else { return nil }
        }
        // Which copy of a name defined twice is in force is the caller's to say (`keepInForce`): built whole.
        let hasCopies = errors.contains { if case .newcomerName = $0 { true } else { false } }
        guard duplicateGrants.isEmpty, !hasCopies else { return nil }
        let touched = gone + added
        guard
            touched.allSatisfy({ file in
                file.errors.isEmpty && file.rejected.isEmpty
                    && file.resources.allSatisfy { if case .grant = $0 { true } else { false } }
            })
        else { return nil }
        var patched = self
        let paths = Set(touched.map(\.path))
        for file in gone {
            for case .grant(let grant) in file.resources {
                guard duplicateGrants[grant.name] == nil, unusable[.grant]?.contains(grant.name) != true else {
                    return nil
                }
                if let index = patched.position(of: grant.name), patched.grants[index] == grant {
                    patched.grants.remove(at: index)
                }
                patched.rejectedGrants[grant.name] = nil
                patched.elsewhere.remove(grant.name)
            }
        }
        patched.errors.removeAll { paths.contains($0.location.file) }
        for file in added {
            for case .grant(let grant) in file.resources {
                let name = grant.name
                guard patched.position(of: name) == nil, patched.rejectedGrants[name] == nil,
                    !patched.elsewhere.contains(name),
                    duplicateGrants[name] == nil, unusable[.grant]?.contains(name) != true,
                    grant.policy.map({ patched.policies[$0] != nil }) ?? true
                else { return nil }
                let errorCount = patched.errors.count
                if patched.checkReferences(of: grant) {
                    let (count, index) = (patched.grants.count, patched.insertionIndex(of: name))
                    patched.place(grant, in: target)
                    // Appended by `place`: moved to its place by name.
                    if patched.grants.count > count, index < count {
                        patched.grants.insert(patched.grants.removeLast(), at: index)
                    }
                } else if let first = patched.errors[errorCount...].first {
                    patched.rejectedGrants[name] = first
                }
            }
        }
        patched.errors.sort { $0.location < $1.location }
        return patched
    }

    /// The grant named `name`, found by binary search.
    package func grant(named name: String) -> AccessGrant? {
        position(of: name).map { grants[$0] }
    }

    /// Where the grant named `name` is in `grants` (sorted by name), if there.
    private func position(of name: String) -> Int? {
        let index = insertionIndex(of: name)
        return index < grants.count && grants[index].name == name ? index : nil
    }

    /// The first index whose grant's name is not below `name`.
    private func insertionIndex(of name: String) -> Int {
        var (low, high) = (0, grants.count)
        while low < high {
            let middle = (low + high) / 2
            if grants[middle].name < name { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Of a grant name defined twice, keeps `copy` (the one the controller already has in force) and refuses only the
    /// others, as newcomers: a file added later cannot revoke a working grant by reusing its name.
    package mutating func keepInForce(_ copy: AccessGrant) {
        let name = copy.name
        guard let copies = duplicateGrants[name], copies.contains(copy) else { return }
        duplicateGrants[name] = nil
        errors.removeAll {
            if case .duplicateName(.grant, name, _, _) = $0 { true } else { false }
        }
        rejectedGrants[name] = nil
        for newcomer in copies where newcomer != copy {
            errors.append(.newcomerName(name: name, at: newcomer.metadata.location, inForce: copy.metadata.location))
        }
        let errorCount = errors.count
        if checkReferences(of: copy) {
            unusable[.grant]?.remove(name)
            grants.append(copy)
            grants.sort { $0.name < $1.name }
        } else if let first = errors[errorCount...].first {
            rejectedGrants[name] = first
        }
        errors.sort { $0.location < $1.location }
    }

    /// True when any policy was among the inputs, even one left out for its errors.
    package var hasPolicies: Bool { !policies.isEmpty || unusable[.policy]?.isEmpty == false }

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
                        switch item.target {
                        case .team(let team, _):
                            errors.append(
                                .teamSubjectJoiningTeam(
                                    FieldPath("spec.bundle"), team: team, at: grant.location(of: "spec.bundle")))
                        case .orgRole:
                            errors.append(
                                .invalidValue(
                                    FieldPath("spec.bundle"),
                                    problem: "the subject is a team, and bundle \(name) asks for an organization role",
                                    at: grant.location(of: "spec.bundle")))
                        case .dataSource, .folder, .serviceAccountToken:
                            continue
                        }
                    }
                }
            } else {
                errors.append(reference(to: .bundle, name, field: "spec.bundle", of: grant))
            }
        }
        // Without any policy among the inputs, `validate` checks format only (DESIGN.md); the controller always
        // loads policies, and an unknown name there denies the grant.
        if let name = grant.policy, hasPolicies, policies[name] == nil {
            errors.append(reference(to: .policy, name, field: "spec.policy", of: grant))
        }
        return errors.count == errorCount
    }

    private func reference(to kind: ResourceKind, _ name: String, field: String, of grant: AccessGrant)
        -> ResourceError
    {
        let isUnusable = unusable[kind]?.contains(name) == true
        let (path, location) = (FieldPath(field), grant.location(of: field))
        return isUnusable
            ? .unusableReference(path, kind: kind, name: name, at: location)
            : .missingReference(path, kind: kind, name: name, at: location)
    }
}
