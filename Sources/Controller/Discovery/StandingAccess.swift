import AccessModel
import GrafanaAPI

/// What `discover` found in one Grafana org: its data sources, teams and folders, and who holds access to the
/// governed ones, each entry marked granted (by grafana-jit, with the grants), built-in, or standing.
package struct DiscoveryReport: Sendable, Codable, Equatable {
    package struct Resource: Sendable, Codable, Equatable {
        /// `datasource`, `team` or `folder`.
        package var kind: String
        /// A data source's or folder's uid, a team's name.
        package var id: String
        package var name: String
        /// A data source's type.
        package var type: String?
        /// A nested folder's parent (uid).
        package var parent: String?
        /// Selected by a policy (or, without policies, everything is).
        package var governed: Bool
    }

    package enum Source: String, Sendable, Codable {
        case granted
        case builtIn = "built-in"
        case standing
    }

    package struct Entry: Sendable, Codable, Equatable {
        package var resourceKind: String
        package var resource: String
        /// `user`, `team` or `role`.
        package var principalKind: String
        /// A user's login, a team's name or a built-in role.
        package var principal: String
        /// A user's email, for grant skeletons.
        package var email: String?
        package var level: String
        package var source: Source
        /// The grants that hold it, for `granted` entries.
        package var grants: [String]?
    }

    package var resources: [Resource] = []
    package var entries: [Entry] = []
    /// Resources whose access could not be read, and why.
    package var problems: [String] = []

    package var standing: [Entry] { entries.filter { $0.source == .standing } }

    /// Standing entries per resource, for the metrics.
    package var standingCounts: [[String]: Double] {
        standing.reduce(into: [:]) { $0[[$1.resourceKind, $1.resource], default: 0] += 1 }
    }
}

/// Reads access from Grafana and marks each entry against the ledger: one listing per kind, one permission or
/// member read per governed resource.
package struct StandingAccessScan {
    let grafana: any GrafanaAPI
    let catalog: ResourceCatalog
    /// The ledger as it is now: read after each Grafana read, so access the controller writes meanwhile (its
    /// ledger entry always comes first) is never mistaken for standing access.
    let ledger: @Sendable () async -> Ledger

    package init(grafana: any GrafanaAPI, catalog: ResourceCatalog, ledger: @escaping @Sendable () async -> Ledger) {
        self.grafana = grafana
        self.catalog = catalog
        self.ledger = ledger
    }

    package func run() async throws(GrafanaAPIError) -> DiscoveryReport {
        var report = DiscoveryReport()
        let users = Dictionary(try await grafana.orgUsers().map { ($0.id, $0) }) { first, _ in first }
        let teams = try await grafana.teams(matching: "")
        let teamNames = Dictionary(teams.map { ($0.id, $0.name) }) { first, _ in first }
        let policies = Array(catalog.policies.values)
        let everything = policies.isEmpty
        for source in try await grafana.dataSources() {
            let governed =
                everything
                || policies.contains {
                    $0.dataSources.contains { $0.matches(uid: source.uid, name: source.name, type: source.type) }
                }
            report.resources.append(
                .init(kind: "datasource", id: source.uid, name: source.name, type: source.type, governed: governed))
            guard governed else { continue }
            await read(
                .dataSource(source.uid), uid: source.uid, kind: "datasource", users: users, teams: teamNames,
                into: &report)
        }
        for team in teams {
            let governed = everything || policies.contains { $0.teams.contains { $0.matches(team.name) } }
            report.resources.append(.init(kind: "team", id: team.name, name: team.name, governed: governed))
            guard governed else { continue }
            let members = try await grafana.teamMembers(team: team.id)
            let ledger = await ledger()
            for member in members {
                let held = ledger.heldChange(for: Binding(.user(member.userId), on: .team(team.id)))
                report.entries.append(
                    .init(
                        resourceKind: "team", resource: team.name, principalKind: "user", principal: member.login,
                        email: member.email, level: member.isAdmin ? "Admin" : "Member",
                        source: held == nil ? .standing : .granted, grants: held?.grants))
            }
        }
        let folderPolicies = policies.filter { !$0.folders.isEmpty }
        for folder in try await folderTree() {
            let governed =
                everything
                || folderPolicies.contains { $0.folders.contains { $0.matches(uid: folder.uid, title: folder.title) } }
            report.resources.append(
                .init(kind: "folder", id: folder.uid, name: folder.title, parent: folder.parentUid, governed: governed))
            guard governed else { continue }
            await read(
                .folder(folder.uid), uid: folder.uid, kind: "folder", users: users, teams: teamNames, into: &report)
        }
        return report
    }

    /// Every folder, top level first, walking `parentUid` levels as deep as Grafana nests them (a bound stops a
    /// tree that never ends).
    private func folderTree() async throws(GrafanaAPIError) -> [GrafanaFolder] {
        var all: [GrafanaFolder] = []
        var level = try await grafana.folders(in: nil)
        var seen = Set<String>()
        for _ in 0..<Self.maxFolderDepth where !level.isEmpty {
            level = level.filter { seen.insert($0.uid).inserted }
            all += level
            var next: [GrafanaFolder] = []
            for folder in level { next += try await grafana.folders(in: folder.uid) }
            level = next
        }
        return all
    }

    /// Deeper than Grafana lets folders nest: a longer chain can only be a misread, never real folders.
    static let maxFolderDepth = 8

    /// One resource's permission rows; a resource whose permissions cannot be read (OSS data sources, a missing
    /// scope) is reported as a problem, not a failure of the whole scan.
    private func read(
        _ resource: PermissionResource, uid: String, kind: String, users: [Int: GrafanaUser], teams: [Int: String],
        into report: inout DiscoveryReport
    ) async {
        let rows: [GrafanaPermission]
        do {
            rows = try await grafana.permissions(on: resource)
        } catch {
            report.problems.append("\(resource): \(error)")
            return
        }
        let ledger = await ledger()
        for row in rows {
            var entry = DiscoveryReport.Entry(
                resourceKind: kind, resource: uid, principalKind: "role", principal: "", level: row.level,
                source: .builtIn)
            switch row.principal {
            case .builtInRole(let role):
                entry.principal = role
            case .user(let id):
                entry.principalKind = "user"
                entry.principal = users[id]?.login ?? "user \(id)"
                entry.email = users[id]?.email
            case .team(let id):
                entry.principalKind = "team"
                entry.principal = teams[id] ?? "team \(id)"
            }
            if let binding = Self.directBinding(row, on: resource) {
                if let held = ledger.heldChange(for: binding) {
                    entry.source = .granted
                    entry.grants = held.grants
                } else {
                    entry.source = .standing
                }
            }
            report.entries.append(entry)
        }
    }

    /// The binding of a user's or team's own row (managed, not inherited); nil for built-in roles and inherited
    /// rows, which are never standing access.
    static func directBinding(_ row: GrafanaPermission, on resource: PermissionResource) -> Binding? {
        guard row.isManaged, !row.isInherited else { return nil }
        switch row.principal {
        case .builtInRole: return nil
        case .user(let id): return Binding(.user(id), on: Binding.Resource(resource))
        case .team(let id): return Binding(.team(id), on: Binding.Resource(resource))
        }
    }
}
