import Foundation

/// The slice of Grafana the simulator keeps: orgs' users, teams, data sources, permissions and credentials.
struct GrafanaModel: Sendable {
    enum Edition: String, Sendable {
        /// Enterprise or Cloud: the access-control data-source permission API exists.
        case enterprise
        /// Open source 10.x–12.x: no data-source permission routes (404 "Not found").
        case oss
    }

    enum OrgRole: String, Sendable, CaseIterable {
        case none = "None"
        case viewer = "Viewer"
        case editor = "Editor"
        case admin = "Admin"
    }

    struct User: Sendable {
        var id: Int
        var uid: String
        var login: String
        var email: String
        var name: String
        var password: String?
        var isGrafanaAdmin: Bool
        var orgRoles: [Int: OrgRole]
    }

    struct Team: Sendable {
        var id: Int
        var uid: String
        var orgID: Int
        var name: String
        var email: String
        /// User id → 0 (Member) or 4 (Admin), Grafana's numeric team permission.
        var members: [Int: Int]
    }

    struct DataSource: Sendable {
        var id: Int
        var uid: String
        var orgID: Int
        var name: String
        var type: String
        var url: String
    }

    struct Folder: Sendable {
        var id: Int
        var uid: String
        var orgID: Int
        var title: String
        var parentUID: String?
    }

    /// What a managed permission is on: `datasources` or `folders` (the access-control route's name) and a uid.
    struct Resource: Sendable, Hashable {
        var kind: String
        var uid: String
    }

    enum Principal: Sendable, Hashable {
        case user(Int)
        case team(Int)
        case builtInRole(String)
    }

    /// A managed permission: one principal's level on one data source or folder.
    struct Permission: Sendable {
        var id: Int
        var orgID: Int
        var resource: Resource
        var principal: Principal
        var level: String
    }

    struct Token: Sendable {
        var id: Int
        var name: String
        var key: String
        /// nil: never expires (`secondsToLive` 0).
        var expiresAt: Date?
        var isRevoked: Bool
        var created = Date()

        var isExpired: Bool { expiresAt.map { $0 <= Date() } ?? false }
    }

    struct ServiceAccount: Sendable {
        var id: Int
        var orgID: Int
        var name: String
        var role: OrgRole
        /// RBAC actions granted instead of the role's defaults, to simulate missing scopes.
        var actions: Set<String>?
        var tokens: [Token]
    }

    var edition: Edition = .enterprise
    var version = "11.4.0"
    /// `[auth] api_key_max_seconds_to_live`: the longest token lifetime; -1 (the default) for no limit.
    var apiKeyMaxSecondsToLive = -1
    var orgs: [Int: String] = [1: "Main Org."]
    var users: [User] = []
    var teams: [Team] = []
    var dataSources: [DataSource] = []
    var folders: [Folder] = []
    var permissions: [Permission] = []
    var serviceAccounts: [ServiceAccount] = []
    /// Grafana OnCall, served under `/oncall/`: its token and schedules.
    var onCallToken: String?
    var schedules: [Schedule] = []
    /// Grafana Incident, served under `/incident/`: incident id → status (`active` or `resolved`).
    var incidents: [String: String] = [:]
    /// Logins in Grafana's `[users] hidden_users`: left out of org-user and team-member listings.
    var hiddenUsers: Set<String> = []
    var nextPermissionID = 1
    var nextTokenID = 1

    /// The version's major number, for the answers that changed between releases.
    var majorVersion: Int { Int(version.split(separator: ".").first ?? "11") ?? 11 }

    func user(id: Int) -> User? { users.first { $0.id == id } }

    /// Grafana's `GetByLogin`: a string with `@` is tried as an e-mail first, then as a login; one without `@`
    /// only as a login. A login may equal another user's e-mail, so the order decides who is found.
    func user(loginOrEmail: String) -> User? {
        let key = loginOrEmail.lowercased()
        if key.contains("@"), let byEmail = users.first(where: { $0.email.lowercased() == key }) { return byEmail }
        return users.first { $0.login.lowercased() == key }
    }

    /// A folder's parent, grandparent and so on, nearest first (a cycle in a fixture ends the walk).
    func ancestors(ofFolder uid: String, org: Int) -> [String] {
        var chain: [String] = []
        var current = folders.first { $0.orgID == org && $0.uid == uid }?.parentUID
        while let parent = current, !chain.contains(parent), parent != uid {
            chain.append(parent)
            current = folders.first { $0.orgID == org && $0.uid == parent }?.parentUID
        }
        return chain
    }

    /// A team by numeric id or uid, in an org (Grafana 11+ accepts either in the path).
    func teamIndex(_ reference: String, org: Int) -> Int? {
        teams.firstIndex { $0.orgID == org && (String($0.id) == reference || $0.uid == reference) }
    }

    func dataSource(uid: String, org: Int) -> DataSource? {
        dataSources.first { $0.orgID == org && $0.uid == uid }
    }

    /// Whether the resource a permission route names exists in the org.
    func exists(_ resource: Resource, org: Int) -> Bool {
        switch resource.kind {
        case "folders": folders.contains { $0.orgID == org && $0.uid == resource.uid }
        default: dataSource(uid: resource.uid, org: org) != nil
        }
    }

    func members(ofOrg org: Int) -> [User] {
        users.filter { $0.orgRoles[org] != nil }.sorted { $0.login < $1.login }
    }
}

extension GrafanaModel {
    /// One OnCall schedule with a single current shift: these users from `shiftStart`, until `shiftEnd` when
    /// set (then nobody is on call, as OnCall computes `on_call_now` from the final schedule at request time).
    struct Schedule {
        var id: String
        var name: String
        var users: [Int]
        var shiftStart = Date()
        var shiftEnd: Date?

        func onCall(at now: Date) -> [Int] {
            now < shiftEnd ?? .distantFuture ? users : []
        }
    }
}
