import AccessModel
import AccessRequests
import Controller
import Foundation
import GrafanaAPI

/// `request --grafana-url`: what Grafana says about a request, read with GET requests only: the facts the verdict
/// needs (so a data source named by uid or selected by type gets a definite one), references that name nothing,
/// and access the subject already holds.
struct GrafanaLookup {
    let grafana: any GrafanaAPI
    /// The controller's ledger, to tell access a grant gave from standing access; empty without `--state`.
    let ledger: Ledger

    /// The listings the controller reads for this grant, plus nested folders it names by uid.
    func snapshot(for draft: GrantDraft) async throws(GrafanaAPIError) -> GrafanaSnapshot {
        var snapshot = try await GrafanaSnapshot.read(from: grafana, for: draft.catalog)
        for case .folder(let reference, _) in draft.catalog.accessItems(of: draft.grant).map(\.target) {
            let written = ObjectReference(reference)
            guard case .failure(.missing) = snapshot.folder(reference), written.form != .name else { continue }
            do {
                let folder = try await grafana.folder(uid: written.value)
                snapshot.folders.add(folder, uid: folder.uid, name: folder.title)
            } catch .notFound {
                continue
            }
        }
        return snapshot
    }

    /// References that name no single Grafana object, in the controller's words: the grant would fail as written.
    static func problems(_ draft: GrantDraft, in snapshot: GrafanaSnapshot) -> [String] {
        var problems: [String] = []
        switch draft.grant.subject {
        case .user(let reference):
            if case .failure(let problem) = snapshot.user(reference) { problems.append(problem.description) }
        case .team(let name):
            if snapshot.teams[name] == nil { problems.append("team \(name) does not exist in Grafana") }
        }
        for item in draft.catalog.accessItems(of: draft.grant) {
            switch item.target {
            case .dataSource(let reference, _):
                if case .failure(let problem) = snapshot.dataSource(reference) { problems.append(problem.description) }
            case .folder(let reference, _):
                if case .failure(let problem) = snapshot.folder(reference) { problems.append(problem.description) }
            case .team(let name, _):
                if snapshot.teams[name] == nil { problems.append("team \(name) does not exist in Grafana") }
            case .serviceAccountToken(let account, _):
                if snapshot.serviceAccounts[account] == nil {
                    problems.append("service account \(account) does not exist in Grafana")
                }
            case .orgRole:
                continue
            }
        }
        return problems
    }

    /// One line per item the subject already holds at the level asked for, or above: standing, or which grant
    /// gave it. Whatever cannot be read is said, and does not stop the request.
    func heldAccess(_ draft: GrantDraft, in snapshot: GrafanaSnapshot) async -> [String] {
        guard let principal = principal(draft.grant.subject, in: snapshot) else { return [] }
        var lines: [String] = []
        for item in draft.catalog.accessItems(of: draft.grant) {
            do {
                guard let how = try await holding(item.target, by: principal, in: snapshot) else { continue }
                lines.append("\(draft.grant.subject) already holds \(item.summary) or more (\(how))")
            } catch {
                lines.append("could not check whether \(draft.grant.subject) holds \(item.summary): \(error)")
            }
        }
        return lines
    }

    /// The subject as Grafana knows it: a user with its org role, or a team.
    private enum Principal {
        case user(GrafanaUser)
        case team(GrafanaTeam)

        var binding: Binding.Principal {
            switch self {
            case .user(let user): .user(user.id)
            case .team(let team): .team(team.id)
            }
        }
    }

    private func principal(_ subject: Subject, in snapshot: GrafanaSnapshot) -> Principal? {
        switch subject {
        case .user(let reference):
            if case .success(let user) = snapshot.user(reference) { .user(user) } else { nil }
        case .team(let name): snapshot.teams[name].map(Principal.team)
        }
    }

    /// How the principal already holds the target at its level or above; nil when it does not.
    private func holding(_ target: AccessItem.Target, by principal: Principal, in snapshot: GrafanaSnapshot)
        async throws(GrafanaAPIError) -> String?
    {
        switch (target, principal) {
        case (.dataSource(let reference, let permission), _):
            guard case .success(let source) = snapshot.dataSource(reference) else { return nil }
            let levels = Permission.allCases.map(\.rawValue)
            return try await row(
                on: .dataSource(source.uid), atLeast: permission.rawValue, in: levels, by: principal, snapshot)
        case (.folder(let reference, let permission), _):
            guard case .success(let folder) = snapshot.folder(reference) else { return nil }
            let levels = FolderPermission.allCases.map(\.rawValue)
            return try await row(
                on: .folder(folder.uid), atLeast: permission.rawValue, in: levels, by: principal, snapshot)
        case (.team(let name, let role), .user(let user)):
            guard let team = snapshot.teams[name],
                let member = try await grafana.teamMembers(team: team.id).first(where: { $0.userId == user.id }),
                role == .member || member.isAdmin
            else { return nil }
            return source(Binding(.user(user.id), on: .team(team.id)))
        case (.orgRole(let role), .user(let user)):
            guard let current = OrgRole(rawValue: user.role), current >= role else { return nil }
            return current == role ? source(Binding(.user(user.id), on: .orgRole)) : "as \(current.rawValue)"
        case (.team, .team), (.orgRole, .team), (.serviceAccountToken, _):
            return nil
        }
    }

    /// A permission row giving the principal `level` or above: its own, a team's it is in, or a built-in role's.
    private func row(
        on resource: PermissionResource, atLeast level: String, in levels: [String], by principal: Principal,
        _ snapshot: GrafanaSnapshot
    ) async throws(GrafanaAPIError) -> String? {
        let binding: Binding.Resource =
            switch resource {
            case .dataSource(let uid): .dataSource(uid)
            case .folder(let uid): .folder(uid)
            }
        let rank = { (text: String) in levels.firstIndex(of: text) ?? -1 }
        let rows = try await grafana.permissions(on: resource).filter { rank($0.level) >= rank(level) }
        for row in rows {
            switch (row.principal, principal) {
            case (.user(let id), .user(let user)) where id == user.id:
                return source(Binding(.user(id), on: binding))
            case (.team(let id), .team(let team)) where id == team.id:
                return source(Binding(.team(id), on: binding))
            case (.team(let id), .user(let user)):
                let members = try await grafana.teamMembers(team: id)
                if members.contains(where: { $0.userId == user.id }) {
                    let team = snapshot.teams.values.first { $0.id == id }?.name ?? "with id \(id)"
                    return "through team \(team), standing access"
                }
            case (.builtInRole(let role), .user(let user)):
                if let needed = OrgRole(rawValue: role), let current = OrgRole(rawValue: user.role), current >= needed {
                    return "through the organization role \(current.rawValue)"
                }
            default:
                continue
            }
        }
        return nil
    }

    /// `granted by alice-prod-logs-inc-4711`, or standing access when no grant in the ledger holds it.
    private func source(_ binding: Binding) -> String {
        guard let change = ledger.heldChange(for: binding), !change.grants.isEmpty else {
            return "standing access, not from a grant"
        }
        return "granted by \(change.grants.sorted().joined(separator: ", "))"
    }
}
