import GrafanaAPI

/// What Grafana reports for the bindings a pass touches: one read per data source and per team, never per grant.
package enum ActualState {
    package static func read(_ bindings: some Sequence<Binding>, from grafana: any GrafanaAPI)
        async throws(GrafanaAPIError) -> [Binding: Level]
    {
        var sources = Set<String>()
        var teams = Set<Int>()
        for binding in bindings {
            switch binding.resource {
            case .dataSource(let uid): sources.insert(uid)
            case .team(let id): teams.insert(id)
            }
        }
        var actual: [Binding: Level] = [:]
        for uid in sources.sorted() {
            for row in try await grafana.dataSourcePermissions(uid: uid) {
                guard let level = Level(rawValue: row.level), [.query, .edit, .admin].contains(level) else { continue }
                let principal: Binding.Principal
                switch row.principal {
                case .user(let id): principal = .user(id)
                case .team(let id): principal = .team(id)
                case .builtInRole: continue
                }
                let binding = Binding(principal, on: .dataSource(uid))
                actual[binding] = max(actual[binding] ?? level, level)
            }
        }
        for team in teams.sorted() {
            for member in try await grafana.teamMembers(team: team) {
                actual[Binding(.user(member.userId), on: .team(team))] = member.isAdmin ? .teamAdmin : .member
            }
        }
        return actual
    }
}
