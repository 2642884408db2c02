import AccessModel
import GrafanaAPI

extension Reconciler {
    /// Removals of standing access (`--enforce-zero-standing`): on every data source a policy with
    /// `standingAccess: revoke` selects, each user or team row that is managed, not inherited, held by no ledger
    /// entry and wanted by no active grant. Built-in role rows are never touched; access a live grant covers is
    /// left until that grant ends (then it is standing again, and goes).
    func standingRemovals(
        catalog: ResourceCatalog, snapshot: GrafanaSnapshot, desired: DesiredState
    ) async throws(GrafanaAPIError) -> [Change] {
        let strict = catalog.policies.values.filter { $0.standingAccess == .revoke }
        guard !strict.isEmpty else { return [] }
        let logins = Dictionary(snapshot.users.all.map { ($0.id, $0.login) }) { first, _ in first }
        let teamNames = Dictionary(snapshot.teams.values.map { ($0.id, $0.name) }) { first, _ in first }
        let sources = Dictionary(snapshot.dataSources.all.map { ($0.uid, $0) }) { first, _ in first }
        var removals: [Change] = []
        for source in sources.values.sorted(by: { $0.uid < $1.uid })
        where strict.contains(where: { policy in
            policy.dataSources.contains { $0.matches(uid: source.uid, name: source.name, type: source.type) }
        }) {
            for row in try await grafana.permissions(on: .dataSource(source.uid)) {
                guard let binding = StandingAccessScan.directBinding(row, on: .dataSource(source.uid)),
                    ledger.heldChange(for: binding) == nil, desired.bindings[binding] == nil
                else { continue }
                let subject =
                    switch binding.principal {
                    case .user(let id): logins[id] ?? "user \(id)"
                    case .team(let id): teamNames[id].map { "team " + $0 } ?? "team \(id)"
                    }
                removals.append(
                    Change(
                        kind: .removeStanding, binding: binding, from: Level(rawValue: row.level), to: nil, grants: [],
                        subjectName: subject, resourceName: source.name))
            }
        }
        return removals
    }
}
