import AccessModel
import Controller
import Foundation
import GrafanaAPI

/// The baseline the benchmark compares against: what a script or a simple Terraform-like loop does. For each
/// grant, one after another: look up the user, look up the data source (or team), read its permissions (or
/// members), and write when the access is missing. No caches, no batching, no ledger; it never revokes.
struct NaiveReconciler {
    let grafana: any GrafanaAPI
    let grants: [(user: String, items: [AccessItem.Target])]

    /// The grants of a folder, read as the controller reads them.
    init(grafana: any GrafanaAPI, folder: String) {
        self.grafana = grafana
        let catalog = ResourceCatalog(
            files: ResourceLoader(fileSystem: LocalFileSystem()).decode(ResourceSources(grants: [folder])))
        grants = catalog.grants.map { grant in (grant.subject.name, catalog.accessItems(of: grant).map(\.target)) }
    }

    func pass() async throws(GrafanaAPIError) {
        for grant in grants {
            let user = try await grafana.user(loginOrEmail: grant.user)
            for item in grant.items {
                switch item {
                case .dataSource(let reference, let permission):
                    let source = try await grafana.dataSource(uidOrName: reference)
                    let rows = try await grafana.permissions(on: .dataSource(source.uid))
                    if !rows.contains(where: { $0.principal == .user(user.id) && $0.level == permission.rawValue }) {
                        try await grafana.setPermission(
                            on: .dataSource(source.uid), principal: .user(user.id), level: permission.rawValue)
                    }
                case .team(let name, _):
                    let team = try await grafana.team(named: name)
                    if try await !grafana.teamMembers(team: team.id).contains(where: { $0.userId == user.id }) {
                        _ = try await grafana.addTeamMember(team: team.id, user: user.id)
                    }
                default:
                    continue
                }
            }
        }
    }
}
