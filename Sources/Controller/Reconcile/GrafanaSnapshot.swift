import AccessModel
import Foundation
import GrafanaAPI

/// What one pass reads from Grafana to evaluate and resolve grants: users in bulk, every team, every data
/// source, the folders grants name, and the members of the teams policies name (for team-based eligibility and
/// approvers). Every reference resolves here, by one set of rules, for both the verdict and the write.
package struct GrafanaSnapshot: Sendable {
    package var users = IdentityIndex()
    package var teams: [String: GrafanaTeam] = [:]
    package var dataSources = ObjectIndex<GrafanaDataSource>(kind: "data source", nameWord: "name")
    /// Service accounts by name; read only when some grant asks for a token.
    package var serviceAccounts: [String: GrafanaServiceAccount] = [:]
    /// Folders from the listing and from lookups; read only when some grant names a folder.
    package var folders = ObjectIndex<GrafanaFolder>(kind: "folder", nameWord: "title")
    /// User id → names of the policy-relevant teams they belong to.
    package var memberships: [Int: Set<String>] = [:]
    /// Schedule → lowercased emails and usernames on call now, when OnCall answered.
    package var onCall: [String: Set<String>]?
    /// Schedule → identity → end of the shift covering now, where OnCall's final shifts say.
    package var shiftEnds: [String: [String: Date]] = [:]
    /// Incident id → active, when Grafana Incident answered.
    package var incidents: [String: Bool]?
    /// Which facts (all but on-call and incidents) these are: the same generation, the same facts. A read that finds
    /// what the last one found keeps its generation. 0 for facts made by hand, which nothing may assume unchanged.
    package var generation: UInt64 = 0

    /// Whether the two hold the same users, teams, data sources, service accounts, folders and memberships.
    package func sameFacts(as other: GrafanaSnapshot) -> Bool {
        users.all == other.users.all && teams == other.teams && serviceAccounts == other.serviceAccounts
            && memberships == other.memberships && dataSources.same(as: other.dataSources)
            && folders.same(as: other.folders)
    }

    package init() {}

    /// Which facts the grants and policies need besides users, teams and data sources: folders (some grant names
    /// one), service accounts (some grant asks for a token), and the members of the teams policies name.
    package struct Needs: Sendable, Equatable {
        var folders: Bool
        var serviceAccounts: Bool
        var memberTeams: Set<Glob>

        /// One look at each grant's items, building nothing (every full resync asks, at 10,000 grants).
        package init(_ catalog: ResourceCatalog) {
            var (folders, serviceAccounts) = (false, false)
            func look(at items: [AccessItem]) {
                for item in items {
                    switch item.target {
                    case .folder: folders = true
                    case .serviceAccountToken: serviceAccounts = true
                    default: continue
                    }
                }
            }
            for grant in catalog.grants where !(folders && serviceAccounts) {
                look(at: grant.access)
                if let bundle = grant.bundle.flatMap({ catalog.bundles[$0] }) { look(at: bundle.access) }
            }
            (self.folders, self.serviceAccounts) = (folders, serviceAccounts)
            memberTeams = Set(
                catalog.policies.values.flatMap { $0.subjects.teams + ($0.approval?.approvers.teams ?? []) })
        }
    }

    /// One listing per kind, plus one member read per team a policy names: never one lookup per grant. Folders
    /// the listing lacks are looked up apart (`Reconciler.lookUpFolders`), so a failing one fails only its grants.
    package static func read(from grafana: any GrafanaAPI, for catalog: ResourceCatalog) async throws(GrafanaAPIError)
        -> GrafanaSnapshot
    {
        try await read(from: grafana, needing: Needs(catalog))
    }

    package static func read(from grafana: any GrafanaAPI, needing needs: Needs) async throws(GrafanaAPIError)
        -> GrafanaSnapshot
    {
        var snapshot = GrafanaSnapshot()
        for user in try await grafana.orgUsers() { snapshot.users.add(user) }
        for team in try await grafana.teams(matching: "") { snapshot.teams[team.name] = team }
        for source in try await grafana.dataSources() {
            snapshot.dataSources.add(source, uid: source.uid, name: source.name)
        }
        if needs.folders {
            for folder in try await grafana.folders() {
                snapshot.folders.add(folder, uid: folder.uid, name: folder.title)
            }
        }
        if needs.serviceAccounts {
            for account in try await grafana.serviceAccounts() { snapshot.serviceAccounts[account.name] = account }
        }
        for name in snapshot.teams.keys.sorted() where needs.memberTeams.contains(where: { $0.matches(name) }) {
            guard let team = snapshot.teams[name] else { continue }
            for member in try await grafana.teamMembers(team: team.id) {
                snapshot.memberships[member.userId, default: []].insert(name)
            }
        }
        return snapshot
    }

    /// Every folder reference the grants make, as written.
    static func folderReferences(in catalog: ResourceCatalog) -> Set<String> {
        Set(
            catalog.grants.flatMap(catalog.accessItems(of:)).compactMap { item in
                if case .folder(let reference, _) = item.target { reference } else { nil }
            })
    }

    package func user(_ reference: String) -> Result<GrafanaUser, ReferenceProblem> { users.user(reference) }

    package func folder(_ reference: String) -> Result<GrafanaFolder, ReferenceProblem> { folders.resolve(reference) }

    package func dataSource(_ reference: String) -> Result<GrafanaDataSource, ReferenceProblem> {
        dataSources.resolve(reference)
    }

    /// Every schedule a policy names, for `autoApprove.onCall` or `requireOnCall`.
    package static func schedules(in catalog: ResourceCatalog) -> [String] {
        Set(catalog.policies.values.flatMap { ($0.autoApprove?.onCallSchedules ?? []) + ($0.requireOnCall ?? []) })
            .sorted()
    }

    /// The accounts (`#id`) a roster's identities name; an identity that is no account, or two, names none.
    func accounts(_ identities: Set<String>) -> Set<String> {
        // An identity that names no account, or two, is left out: that absence is the answer (fail closed).
        Set(identities.compactMap { identity in try? users.user(identity).get() }.map { "#\($0.id)" })
    }

    /// The facts the policy evaluator needs, complete as far as Grafana goes. References that name no single object
    /// are left out, so no verdict can rest on them; on-call compares resolved accounts, never spellings.
    package var facts: AccessFacts {
        var facts = AccessFacts(
            onCall: (onCall ?? [:]).mapValues(accounts), knowsGrafana: true, knowsOnCall: onCall != nil)
        facts.comparesAccounts = true
        facts.incidents = incidents ?? [:]
        facts.knowsIncidents = incidents != nil
        for (key, user) in users.unique {
            facts.users[key] = UserFacts(
                id: user.id, login: user.login, email: user.email, teams: memberships[user.id] ?? [])
        }
        for (reference, source) in dataSources.resolvable {
            facts.dataSources[reference] = DataSourceFacts(uid: source.uid, name: source.name, type: source.type)
        }
        for (reference, folder) in folders.resolvable {
            facts.folders[reference] = FolderFacts(uid: folder.uid, title: folder.title)
        }
        return facts
    }
}

/// Why a reference names no single Grafana object; the grant that makes it fails alone.
package enum ReferenceProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case missing(String)
    case ambiguous(String)
    case lookupFailed(String)

    package var description: String {
        switch self {
        case .missing(let message), .ambiguous(let message), .lookupFailed(let message): message
        }
    }

    /// The status condition's reason.
    var reason: Reason {
        switch self {
        case .missing: .notFoundInGrafana
        case .ambiguous: .ambiguousReference
        case .lookupFailed: .lookupFailed
        }
    }
}

/// Users by login and email (lowercased). A string that is one account's login and another's email names no one:
/// a grant, approval or on-call match for it would depend on which account a table kept.
package struct IdentityIndex: Sendable {
    private(set) var unique: [String: GrafanaUser] = [:]
    private var ambiguous: [String: [GrafanaUser]] = [:]
    /// Every account, in listing order.
    package private(set) var all: [GrafanaUser] = []

    package init() {}

    package mutating func add(_ user: GrafanaUser) {
        all.append(user)
        for key in Set([user.login.lowercased(), user.email.lowercased()]) where !key.isEmpty {
            if var accounts = ambiguous[key] {
                accounts.append(user)
                ambiguous[key] = accounts
            } else if let other = unique[key], other.id != user.id {
                unique[key] = nil
                ambiguous[key] = [other, user]
            } else {
                unique[key] = user
            }
        }
    }

    package func user(_ reference: String) -> Result<GrafanaUser, ReferenceProblem> {
        let key = reference.lowercased()
        if let user = unique[key] { return .success(user) }
        if let accounts = ambiguous[key] {
            let names = accounts.map { "\($0.login) <\($0.email)> (id \($0.id))" }.joined(separator: " and ")
            return .failure(
                .ambiguous(
                    "user \(reference) is ambiguous: it names \(names) (one's login is the other's email); "
                        + "name the account by the identity only it has"))
        }
        return .failure(.missing("user \(reference) does not exist in Grafana"))
    }
}

/// Data sources or folders by uid and by name (title), with the one rule for resolving a reference: `uid:` and
/// `name:` say which; a plain reference that is one object's uid and another's name is ambiguous.
package struct ObjectIndex<Object: Sendable>: Sendable {
    let kind: String
    let nameWord: String
    fileprivate var byUID: [String: (name: String, object: Object)] = [:]
    fileprivate var byName: [String: (uid: String, object: Object)] = [:]
    /// References whose lookup failed, with why.
    fileprivate var failures: [String: ReferenceProblem] = [:]

    package init(kind: String, nameWord: String) {
        self.kind = kind
        self.nameWord = nameWord
    }

    /// Every object, one per uid.
    package var all: [Object] { byUID.values.map(\.object) }

    package mutating func add(_ object: Object, uid: String, name: String) {
        byUID[uid] = (name, object)
        byName[name] = (uid, object)
    }

    mutating func record(_ problem: ReferenceProblem, for reference: String) {
        failures[reference] = problem
    }

    package func resolve(_ reference: String) -> Result<Object, ReferenceProblem> {
        let written = ObjectReference(reference)
        let uidMatch = written.form == .name ? nil : byUID[written.value]
        let nameMatch = written.form == .uid ? nil : byName[written.value]
        switch (uidMatch, nameMatch) {
        case (let byUID?, let byName?) where byName.uid != written.value:
            return .failure(
                .ambiguous(
                    "\(kind) \(reference) is ambiguous: it is the uid of \(byUID.name) and the \(nameWord) of the "
                        + "\(kind) with uid \(byName.uid); write uid:\(written.value) or \(nameWord):\(written.value)"))
        case (let match?, _):
            return .success(match.object)
        case (nil, let match?):
            return .success(match.object)
        case (nil, nil):
            if let failure = failures[reference] { return .failure(failure) }
            return .failure(.missing("\(kind) \(reference) does not exist in Grafana"))
        }
    }

    /// Every reference that resolves to one object, plain and prefixed, for the policy evaluator.
    var resolvable: [(String, Object)] {
        let keys =
            byUID.keys.flatMap { [$0, "uid:" + $0] } + byName.keys.flatMap { [$0, "name:" + $0, "title:" + $0] }
        // A key that is ambiguous is left out on purpose: no verdict may rest on it.
        return Set(keys).compactMap { key in (try? resolve(key).get()).map { (key, $0) } }
    }
}

extension ObjectIndex where Object: Equatable {
    /// The same objects under the same uids and names, and the same failed lookups.
    func same(as other: ObjectIndex) -> Bool {
        byUID.count == other.byUID.count && byName.count == other.byName.count && failures == other.failures
            && byUID.allSatisfy { uid, entry in
                other.byUID[uid].map { $0.name == entry.name && $0.object == entry.object } ?? false
            }
            && byName.allSatisfy { name, entry in
                other.byName[name].map { $0.uid == entry.uid && $0.object == entry.object } ?? false
            }
    }
}
