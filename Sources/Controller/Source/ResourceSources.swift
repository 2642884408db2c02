import AccessModel

/// The paths the operator configured, each with the kinds it may hold: grants from `--grants`, policies and
/// bundles from `--policies`, anything from a lint's plain paths. Trust comes from these paths, never from content.
package struct ResourceSources: Sendable, Equatable {
    package var grants: [String]
    package var policies: [String]
    /// `validate PATH...`: any kind anywhere, checked for format and references only.
    package var anywhere: [String]

    package init(grants: [String] = [], policies: [String] = [], anywhere: [String] = []) {
        self.grants = grants
        self.policies = policies
        self.anywhere = anywhere
    }

    /// Every root, in a stable order.
    package var paths: [String] { grants + policies + anywhere }

    var roots: [(path: String, place: ResourcePlace)] {
        grants.map { ($0, .grants) } + policies.map { ($0, .policies) } + anywhere.map { ($0, .anywhere) }
    }

    /// Decides each file's place by where it really is (links resolved): the most specific root containing it
    /// decides, so `--grants /repo --policies /repo/policies` reads policies only from the second. On a tie the
    /// narrower place wins (grants before policies before anywhere).
    package struct Placement: Sendable {
        private let roots: [(resolved: String, place: ResourcePlace)]

        init(_ sources: ResourceSources, fileSystem: any FileSystem) {
            roots = sources.roots.compactMap { root in
                // A root that cannot be resolved holds no files; finding it reports the error.
                guard let resolved = try? fileSystem.resolvedPath(of: root.path) else { return nil }
                return (resolved, root.place)
            }
        }

        package func place(ofResolved path: String) -> ResourcePlace {
            var best: (length: Int, place: ResourcePlace)?
            for root in roots
            where path == root.resolved
                || path.hasPrefix(root.resolved.hasSuffix("/") ? root.resolved : root.resolved + "/")
            {
                let length = root.resolved.utf8.count
                if length > best?.length ?? -1 { best = (length, root.place) }
            }
            // Found files always lie under a root; a file that does not is treated as the least trusted place.
            return best?.place ?? .grants
        }
    }
}
