import AccessModel
import Foundation
import GrafanaAPI

/// What one pass reads from Grafana to evaluate and resolve grants: users in bulk, every team, every data
/// source, the folders grants name, and the members of the teams policies name (for team-based eligibility and
/// approvers).
package struct GrafanaSnapshot: Sendable {
    package var users: [String: GrafanaUser] = [:]
    package var teams: [String: GrafanaTeam] = [:]
    package var dataSources: [String: GrafanaDataSource] = [:]
    /// Service accounts by name; read only when some grant asks for a token.
    package var serviceAccounts: [String: GrafanaServiceAccount] = [:]
    /// Folders by `uid:` and `title:` keys; read only when some grant names a folder.
    package var folders: [String: GrafanaFolder] = [:]
    /// User id → names of the policy-relevant teams they belong to.
    package var memberships: [Int: Set<String>] = [:]
    /// Schedule → lowercased emails and usernames on call now, when OnCall answered.
    package var onCall: [String: Set<String>]?
    /// Schedule → identity → end of the shift covering now, where OnCall's final shifts say.
    package var shiftEnds: [String: [String: Date]] = [:]
    /// Incident id → active, when Grafana Incident answered.
    package var incidents: [String: Bool]?

    package init() {}

    /// One listing per kind, plus one member read per team a policy names: never one lookup per grant.
    package static func read(from grafana: any GrafanaAPI, for catalog: ResourceCatalog) async throws(GrafanaAPIError)
        -> GrafanaSnapshot
    {
        var snapshot = GrafanaSnapshot()
        for user in try await grafana.orgUsers() {
            snapshot.users[user.login.lowercased()] = user
            snapshot.users[user.email.lowercased()] = user
        }
        for team in try await grafana.teams(matching: "") { snapshot.teams[team.name] = team }
        for source in try await grafana.dataSources() {
            snapshot.dataSources["uid:" + source.uid] = source
            snapshot.dataSources["name:" + source.name] = source
        }
        let items = catalog.grants.flatMap(catalog.accessItems(of:))
        try await snapshot.readFolders(
            from: grafana,
            named: Set(
                items.compactMap { item in
                    if case .folder(let reference, _) = item.target { reference } else { nil }
                }))
        let asksForTokens = items.contains { item in
            if case .serviceAccountToken = item.target { true } else { false }
        }
        if asksForTokens {
            for account in try await grafana.serviceAccounts() { snapshot.serviceAccounts[account.name] = account }
        }
        let globs = catalog.policies.values.flatMap { $0.subjects.teams + ($0.approval?.approvers.teams ?? []) }
        for name in snapshot.teams.keys.sorted() where globs.contains(where: { $0.matches(name) }) {
            guard let team = snapshot.teams[name] else { continue }
            for member in try await grafana.teamMembers(team: team.id) {
                snapshot.memberships[member.userId, default: []].insert(name)
            }
        }
        return snapshot
    }

    package func user(_ reference: String) -> GrafanaUser? { users[reference.lowercased()] }

    /// The top-level listing, then one lookup per reference it lacks (a nested folder, named by uid).
    private mutating func readFolders(from grafana: any GrafanaAPI, named references: Set<String>)
        async throws(GrafanaAPIError)
    {
        guard !references.isEmpty else { return }
        for folder in try await grafana.folders() { remember(folder) }
        for reference in references.sorted() where self.folder(reference) == nil {
            do throws(GrafanaAPIError) {
                remember(try await grafana.folder(uid: reference))
            } catch .notFound {
                continue
            }
        }
    }

    private mutating func remember(_ folder: GrafanaFolder) {
        folders["uid:" + folder.uid] = folder
        folders["title:" + folder.title] = folder
    }

    /// By uid first, then by title.
    package func folder(_ reference: String) -> GrafanaFolder? {
        folders["uid:" + reference] ?? folders["title:" + reference]
    }

    /// Every schedule a policy names, for `autoApprove.onCall` or `requireOnCall`.
    package static func schedules(in catalog: ResourceCatalog) -> [String] {
        Set(catalog.policies.values.flatMap { ($0.autoApprove?.onCallSchedules ?? []) + ($0.requireOnCall ?? []) })
            .sorted()
    }

    /// By uid first, then by name, as Grafana's own lookups go.
    package func dataSource(_ reference: String) -> GrafanaDataSource? {
        dataSources["uid:" + reference] ?? dataSources["name:" + reference]
    }

    /// The facts the policy evaluator needs, complete as far as Grafana goes; on-call is not known here.
    package var facts: AccessFacts {
        var facts = AccessFacts(onCall: onCall ?? [:], knowsGrafana: true, knowsOnCall: onCall != nil)
        facts.incidents = incidents ?? [:]
        facts.knowsIncidents = incidents != nil
        for (key, user) in users {
            facts.users[key] = UserFacts(
                id: user.id, login: user.login, email: user.email, teams: memberships[user.id] ?? [])
        }
        for (key, source) in dataSources {
            facts.dataSources[Self.reference(key)] = DataSourceFacts(
                uid: source.uid, name: source.name, type: source.type)
        }
        for (key, folder) in folders {
            facts.folders[Self.reference(key)] = FolderFacts(uid: folder.uid, title: folder.title)
        }
        return facts
    }

    /// `uid:x` or `name:x` → `x`, the reference a grant writes.
    private static func reference(_ key: String) -> String {
        String(key.drop { $0 != ":" }.dropFirst())
    }
}
