import GrafanaAPI

/// What Grafana reports for the bindings a pass touches: one read per data source, folder and team, never per grant.
/// A read that fails leaves only its own object unknown (`unreadable`), never the others.
package struct ActualState: Sendable {
    package var levels: [Binding: Level] = [:]
    /// Objects whose read failed this pass, with why: nothing is planned on them until they read again.
    package var unreadable: [Binding.Resource: GrafanaAPIError] = [:]
    /// Objects read this pass, with or without rows.
    package var read: Set<Binding.Resource> = []
    /// Of those, the ones read ahead of the pass (`ResyncPrefetch`), before it began.
    package var readAhead: Set<Binding.Resource> = []
}

extension ActualState {
    private enum Read: Sendable {
        case permissions(PermissionResource)
        case team(Int)
        /// Every org user's role, in one listing.
        case orgRoles

        /// The object whose bindings this read reports.
        var object: Binding.Resource {
            switch self {
            case .permissions(let resource): Binding.Resource(resource)
            case .team(let id): .team(id)
            case .orgRoles: .orgRole
            }
        }
    }

    /// Reads run `concurrency` at a time; the client's own in-flight limit still applies.
    package static func read(_ bindings: some Sequence<Binding>, from grafana: any GrafanaAPI, concurrency: Int = 8)
        async -> ActualState
    {
        await read(objects: Set(bindings.map(\.resource)), from: grafana, concurrency: concurrency)
    }

    /// Reads these objects' bindings.
    package static func read(objects: Set<Binding.Resource>, from grafana: any GrafanaAPI, concurrency: Int = 8)
        async -> ActualState
    {
        var resources = Set<PermissionResource>()
        var teams = Set<Int>()
        var orgRoles = false
        for object in objects {
            switch object {
            case .dataSource, .folder:
                if let resource = object.permissionResource { resources.insert(resource) }
            case .team(let id): teams.insert(id)
            case .orgRole: orgRoles = true
            }
        }
        let reads =
            resources.sorted { $0.description < $1.description }.map(Read.permissions) + teams.sorted().map(Read.team)
            + (orgRoles ? [.orgRoles] : [])
        let results = await forEach(reads, concurrency: concurrency) {
            read -> Result<[(Binding, Level)], GrafanaAPIError> in
            do throws(GrafanaAPIError) {
                return .success(try await levels(read, from: grafana))
            } catch {
                return .failure(error)
            }
        }
        // `forEach` keeps input order, so each result pairs with its read. (A tuple of the private `Read` and the
        // result crossed the task group corrupted in release builds: swift_retain on a bad pointer.)
        var actual = ActualState()
        for (read, result) in zip(reads, results) {
            switch result {
            case .success(let levels):
                actual.read.insert(read.object)
                for (binding, level) in levels { actual.levels[binding] = max(actual.levels[binding] ?? level, level) }
            case .failure(let error):
                actual.unreadable[read.object] = error
            }
        }
        return actual
    }

    private static func levels(_ read: Read, from grafana: any GrafanaAPI) async throws(GrafanaAPIError) -> [(
        Binding, Level
    )] {
        switch read {
        case .permissions(let resource):
            let on = Binding.Resource(resource)
            let levels: Set<Level> =
                if case .folder = resource { [.view, .edit, .admin] } else { [.query, .edit, .admin] }
            // Only a principal's own managed row is its level here: a row inherited from a parent folder or from a
            // fixed or basic role is never written, restored or counted as drift (grafana-api.md §8.1, §10).
            return try await grafana.permissions(on: resource).compactMap { row in
                guard row.isManaged, !row.isInherited, let level = Level(rawValue: row.level), levels.contains(level)
                else { return nil }
                switch row.principal {
                case .user(let id): return (Binding(.user(id), on: on), level)
                case .team(let id): return (Binding(.team(id), on: on), level)
                case .builtInRole: return nil
                }
            }
        case .team(let team):
            return try await grafana.teamMembers(team: team).map { member in
                (Binding(.user(member.userId), on: .team(team)), member.isAdmin ? .teamAdmin : .member)
            }
        case .orgRoles:
            return try await grafana.orgUsers().compactMap { user in
                Level(orgRole: user.role).map { (Binding(.user(user.id), on: .orgRole), $0) }
            }
        }
    }
}

/// Runs `body` for each element, at most `concurrency` at once, and returns the results in input order.
package func forEach<Element: Sendable, Output: Sendable>(
    _ elements: [Element], concurrency: Int, _ body: @escaping @Sendable (Element) async -> Output
) async -> [Output] {
    await withTaskGroup(of: (Int, Output).self) { group in
        var results = [Output?](repeating: nil, count: elements.count)
        var next = 0
        for _ in 0..<min(max(1, concurrency), elements.count) {
            let index = next
            group.addTask { (index, await body(elements[index])) }
            next += 1
        }
        while let (index, output) = await group.next() {
            results[index] = output
            if next < elements.count {
                let index = next
                group.addTask { (index, await body(elements[index])) }
                next += 1
            }
        }
        return results.compactMap { $0 }
    }
}
