import Foundation
import YAML

/// Builds the simulator's starting state from a fixture file (`examples/grafana-fixture.yaml`).
enum FixtureLoader {
    static func model(from bytes: [UInt8], path: String) throws(FixtureError) -> GrafanaModel {
        let documents: [YAMLDocument]
        do {
            documents = try YAMLParser().documents(in: bytes)
        } catch {
            throw FixtureError(path: path, mark: error.mark, message: error.description)
        }
        guard let root = documents.first?.root else { return GrafanaModel() }
        var reader = FixtureReader(path: path)
        return try reader.model(root)
    }
}

/// A fixture mistake, with the place it was found.
package struct FixtureError: Error, Sendable, CustomStringConvertible {
    var path: String
    var mark: YAMLMark
    var message: String

    package var description: String { "\(path):\(mark): error: \(message)" }
}

private struct FixtureReader {
    let path: String
    var model = GrafanaModel()

    init(path: String) {
        self.path = path
    }

    func fail(_ node: YAMLNode, _ message: String) -> FixtureError {
        FixtureError(path: path, mark: node.mark, message: message)
    }

    func entries(_ node: YAMLNode, allowed: Set<String>) throws(FixtureError) -> [String: YAMLNode] {
        guard case .mapping(let entries) = node.content else { throw fail(node, "expected a mapping") }
        var result: [String: YAMLNode] = [:]
        for entry in entries {
            guard allowed.contains(entry.key) else { throw fail(node, "unknown field \(entry.key)") }
            result[entry.key] = entry.value
        }
        return result
    }

    func items(_ node: YAMLNode?) throws(FixtureError) -> [YAMLNode] {
        guard let node else { return [] }
        guard case .sequence(let items) = node.content else { throw fail(node, "expected a list") }
        return items
    }

    func string(_ node: YAMLNode?, _ field: String, in parent: YAMLNode, default value: String? = nil)
        throws(FixtureError) -> String
    {
        guard let node else {
            if let value { return value }
            throw fail(parent, "\(field) is required")
        }
        guard let scalar = node.scalar, scalar.value != .null else { throw fail(node, "\(field): expected a value") }
        return scalar.text
    }

    func int(_ node: YAMLNode?, default value: Int) throws(FixtureError) -> Int {
        guard let node else { return value }
        guard case .int(let number) = node.scalar?.value else { throw fail(node, "expected an integer") }
        return number
    }

    func bool(_ node: YAMLNode?) throws(FixtureError) -> Bool {
        guard let node else { return false }
        guard case .bool(let value) = node.scalar?.value else { throw fail(node, "expected true or false") }
        return value
    }

    func role(_ node: YAMLNode) throws(FixtureError) -> GrafanaModel.OrgRole {
        guard let text = node.scalar?.text, let role = GrafanaModel.OrgRole(rawValue: text) else {
            throw fail(node, "expected one of None, Viewer, Editor, Admin")
        }
        return role
    }

    mutating func model(_ root: YAMLNode) throws(FixtureError) -> GrafanaModel {
        let fields = try entries(
            root,
            allowed: [
                "edition", "version", "orgs", "users", "teams", "dataSources", "folders", "permissions",
                "serviceAccounts", "hiddenUsers", "oncall", "incidents", "apiKeyMaxSecondsToLive",
            ])
        let edition = try string(fields["edition"], "edition", in: root, default: "enterprise")
        guard let parsed = GrafanaModel.Edition(rawValue: edition) else {
            throw fail(fields["edition"] ?? root, "edition: expected enterprise or oss")
        }
        model.edition = parsed
        model.version = try string(fields["version"], "version", in: root, default: "11.4.0")
        model.apiKeyMaxSecondsToLive = try int(fields["apiKeyMaxSecondsToLive"], default: -1)
        for node in try items(fields["orgs"]) {
            let org = try entries(node, allowed: ["id", "name"])
            model.orgs[try int(org["id"], default: 1)] = try string(org["name"], "name", in: node)
        }
        for node in try items(fields["users"]) { try addUser(node) }
        for node in try items(fields["hiddenUsers"]) {
            model.hiddenUsers.insert(try string(node, "hiddenUsers", in: root))
        }
        for node in try items(fields["teams"]) { try addTeam(node) }
        for node in try items(fields["dataSources"]) { try addDataSource(node) }
        for node in try items(fields["folders"]) { try addFolder(node) }
        for node in try items(fields["permissions"]) { try addPermission(node) }
        for node in try items(fields["serviceAccounts"]) { try addServiceAccount(node) }
        if let node = fields["oncall"] { try addOnCall(node) }
        for node in try items(fields["incidents"]) {
            let incident = try entries(node, allowed: ["id", "status"])
            model.incidents[try string(incident["id"], "id", in: node)] = try string(
                incident["status"], "status", in: node, default: "active")
        }
        return model
    }

    private mutating func addUser(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(
            node, allowed: ["login", "email", "name", "uid", "password", "isGrafanaAdmin", "orgs"])
        let id = model.users.count + 1
        let login = try string(fields["login"], "login", in: node)
        var roles: [Int: GrafanaModel.OrgRole] = [1: .viewer]
        if let orgs = fields["orgs"] {
            roles = [:]
            guard case .mapping(let entries) = orgs.content else { throw fail(orgs, "orgs: expected {orgId: role}") }
            for entry in entries {
                guard let org = Int(entry.key), model.orgs[org] != nil else {
                    throw fail(orgs, "orgs: unknown org \(entry.key)")
                }
                roles[org] = try role(entry.value)
            }
        }
        model.users.append(
            GrafanaModel.User(
                id: id,
                uid: try string(fields["uid"], "uid", in: node, default: "u\(String(100_000 + id).dropFirst())"),
                login: login, email: try string(fields["email"], "email", in: node, default: login + "@example.com"),
                name: try string(fields["name"], "name", in: node, default: login),
                password: try fields["password"].map { node throws(FixtureError) in
                    try string(node, "password", in: node)
                },
                isGrafanaAdmin: try bool(fields["isGrafanaAdmin"]), orgRoles: roles))
    }

    private mutating func addTeam(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(node, allowed: ["name", "email", "uid", "org", "members"])
        let id = model.teams.count + 1
        var team = GrafanaModel.Team(
            id: id, uid: try string(fields["uid"], "uid", in: node, default: "t\(String(100_000 + id).dropFirst())"),
            orgID: try int(fields["org"], default: 1), name: try string(fields["name"], "name", in: node),
            email: try string(fields["email"], "email", in: node, default: ""), members: [:])
        for member in try items(fields["members"]) {
            let memberFields = try entries(member, allowed: ["login", "permission"])
            let login = try string(memberFields["login"], "login", in: member)
            guard let user = model.user(loginOrEmail: login) else { throw fail(member, "unknown user \(login)") }
            let permission = try string(memberFields["permission"], "permission", in: member, default: "Member")
            guard ["Member", "Admin"].contains(permission) else { throw fail(member, "permission: Member or Admin") }
            team.members[user.id] = permission == "Admin" ? 4 : 0
        }
        model.teams.append(team)
    }

    private mutating func addDataSource(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(node, allowed: ["uid", "name", "type", "org", "url"])
        model.dataSources.append(
            GrafanaModel.DataSource(
                id: model.dataSources.count + 1, uid: try string(fields["uid"], "uid", in: node),
                orgID: try int(fields["org"], default: 1), name: try string(fields["name"], "name", in: node),
                type: try string(fields["type"], "type", in: node),
                url: try string(fields["url"], "url", in: node, default: "http://localhost")))
    }

    private mutating func addFolder(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(node, allowed: ["uid", "title", "org", "parent"])
        let parent = try fields["parent"].map { parent throws(FixtureError) in
            let uid = try string(parent, "parent", in: node)
            guard model.folders.contains(where: { $0.uid == uid }) else { throw fail(parent, "unknown folder \(uid)") }
            return uid
        }
        model.folders.append(
            GrafanaModel.Folder(
                id: 100 + model.folders.count + 1, uid: try string(fields["uid"], "uid", in: node),
                orgID: try int(fields["org"], default: 1), title: try string(fields["title"], "title", in: node),
                parentUID: parent))
    }

    /// `{dataSource: uid, ...}` with Query/Edit/Admin, or `{folder: uid, ...}` with View/Edit/Admin.
    private mutating func addPermission(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(node, allowed: ["dataSource", "folder", "user", "team", "builtInRole", "permission"])
        let resource: GrafanaModel.Resource
        let orgID: Int
        if let folderNode = fields["folder"] {
            let uid = try string(folderNode, "folder", in: node)
            guard let folder = model.folders.first(where: { $0.uid == uid }) else {
                throw fail(node, "unknown folder \(uid)")
            }
            (resource, orgID) = (GrafanaModel.Resource(kind: "folders", uid: uid), folder.orgID)
        } else {
            let uid = try string(fields["dataSource"], "dataSource or folder", in: node)
            guard let source = model.dataSources.first(where: { $0.uid == uid }) else {
                throw fail(node, "unknown data source \(uid)")
            }
            (resource, orgID) = (GrafanaModel.Resource(kind: "datasources", uid: uid), source.orgID)
        }
        let principal: GrafanaModel.Principal
        if let login = fields["user"] {
            let name = try string(login, "user", in: node)
            guard let user = model.user(loginOrEmail: name) else { throw fail(login, "unknown user \(name)") }
            principal = .user(user.id)
        } else if let teamNode = fields["team"] {
            let name = try string(teamNode, "team", in: node)
            guard let team = model.teams.first(where: { $0.name == name && $0.orgID == orgID }) else {
                throw fail(teamNode, "unknown team \(name)")
            }
            principal = .team(team.id)
        } else {
            principal = .builtInRole(try string(fields["builtInRole"], "user, team or builtInRole", in: node))
        }
        let level = try string(fields["permission"], "permission", in: node)
        let levels = GrafanaRouter.levels(resource.kind)
        guard levels.contains(level) else { throw fail(node, "permission: one of \(levels.joined(separator: ", "))") }
        model.permissions.append(
            GrafanaModel.Permission(
                id: model.nextPermissionID, orgID: orgID, resource: resource, principal: principal, level: level))
        model.nextPermissionID += 1
    }

    private mutating func addOnCall(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(node, allowed: ["token", "schedules"])
        model.onCallToken = try string(fields["token"], "token", in: node)
        for (index, schedule) in try items(fields["schedules"]).enumerated() {
            let scheduleFields = try entries(schedule, allowed: ["name", "onCallNow"])
            var ids: [Int] = []
            for login in try items(scheduleFields["onCallNow"]) {
                let name = try string(login, "onCallNow", in: schedule)
                guard let user = model.user(loginOrEmail: name) else { throw fail(login, "unknown user \(name)") }
                ids.append(user.id)
            }
            model.schedules.append(
                GrafanaModel.Schedule(
                    id: "S\(index + 1)", name: try string(scheduleFields["name"], "name", in: schedule), users: ids))
        }
    }

    private mutating func addServiceAccount(_ node: YAMLNode) throws(FixtureError) {
        let fields = try entries(node, allowed: ["name", "org", "role", "actions", "tokens"])
        var tokens: [GrafanaModel.Token] = []
        for tokenNode in try items(fields["tokens"]) {
            let token = try entries(tokenNode, allowed: ["name", "key", "expired", "revoked"])
            tokens.append(
                GrafanaModel.Token(
                    id: model.nextTokenID, name: try string(token["name"], "name", in: tokenNode),
                    key: try string(token["key"], "key", in: tokenNode),
                    expiresAt: try bool(token["expired"]) ? .distantPast : nil, isRevoked: try bool(token["revoked"])))
            model.nextTokenID += 1
        }
        let actions = try fields["actions"].map { node throws(FixtureError) in
            Set(try items(node).map { item throws(FixtureError) in try string(item, "action", in: node) })
        }
        model.serviceAccounts.append(
            GrafanaModel.ServiceAccount(
                id: model.serviceAccounts.count + 1, orgID: try int(fields["org"], default: 1),
                name: try string(fields["name"], "name", in: node),
                role: try fields["role"].map { node throws(FixtureError) in try role(node) } ?? .viewer,
                actions: actions, tokens: tokens))
    }
}
