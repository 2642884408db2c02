import Foundation
import HTTPServer

/// `/api/access-control/datasources/...` and `/api/access-control/folders/...` (grafana-api.md §8, §10). The
/// data-source routes exist in Enterprise and Cloud only (OSS 10.x–12.x answers the router's 404); the folder
/// routes in every edition.
extension GrafanaRouter {
    static func levels(_ kind: String) -> [String] {
        kind == "folders" ? ["View", "Edit", "Admin"] : ["Query", "Edit", "Admin"]
    }

    /// The actions behind each level (grafana-api.md §15). Enterprise's exact data-source Edit/Admin lists are
    /// unconfirmed; these follow Grafana's documentation.
    static func actions(_ level: String, kind: String) -> [String] {
        let (read, edit, admin): ([String], [String], [String]) =
            kind == "folders"
            ? (
                ["alert.rules:read", "dashboards:read", "folders:read"],
                [
                    "alert.rules:create", "alert.rules:delete", "alert.rules:write", "dashboards:create",
                    "dashboards:delete", "dashboards:write", "folders:delete", "folders:write",
                ],
                [
                    "dashboards.permissions:read", "dashboards.permissions:write", "folders.permissions:read",
                    "folders.permissions:write",
                ]
            )
            : (
                ["datasources:query", "datasources:read"], ["datasources:delete", "datasources:write"],
                ["datasources.permissions:read", "datasources.permissions:write"]
            )
        switch level {
        case "Query", "View": return read
        case "Edit": return read + edit
        default: return read + edit + admin
        }
    }

    mutating func resourcePermissions(kind: String, _ path: [String]) -> HTTPResponse {
        guard kind == "folders" || model.edition == .enterprise else { return GrafanaResponses.notFound }
        let (read, write) = ("\(kind).permissions:read", "\(kind).permissions:write")
        switch (request.method, path.count) {
        case ("GET", 1) where path[0] == "description":
            if let denied = require(read) { return denied }
            return .json(
                200,
                object: [
                    "assignments": ["users": true, "serviceAccounts": true, "teams": true, "builtInRoles": true],
                    "permissions": Self.levels(kind),
                ])
        case ("GET", 1):
            if let denied = require(read) { return denied }
            return .json(200, object: permissionRows(of: GrafanaModel.Resource(kind: kind, uid: path[0])))
        case ("POST", 3) where ["users", "teams", "builtInRoles"].contains(path[1]):
            if let denied = require(write) { return denied }
            return setPermission(on: GrafanaModel.Resource(kind: kind, uid: path[0]), kind: path[1], principal: path[2])
        default:
            return GrafanaResponses.notFound
        }
    }

    /// Unknown resources list nothing: GET does not validate the resource (derived from Grafana's code). A nested
    /// folder lists its ancestors' managed rows too, marked `isInherited` (grafana-api.md §10). Without the
    /// access-control licence (OSS), Grafana appends a synthetic, unmanaged Admin row to folder permissions.
    private func permissionRows(of resource: GrafanaModel.Resource) -> [[String: Any]] {
        let ancestors = resource.kind == "folders" ? model.ancestors(ofFolder: resource.uid, org: org) : []
        let managed =
            managedRows(on: resource, inherited: false)
            + ancestors.flatMap { managedRows(on: GrafanaModel.Resource(kind: "folders", uid: $0), inherited: true) }
        guard resource.kind == "folders", model.edition == .oss else { return managed }
        return managed + [
            [
                "id": 0, "roleName": "", "isManaged": false, "isInherited": false, "isServiceAccount": false,
                "builtInRole": "Admin", "actions": Self.actions("Admin", kind: "folders"), "permission": "Admin",
            ]
        ]
    }

    private func managedRows(on resource: GrafanaModel.Resource, inherited: Bool) -> [[String: Any]] {
        model.permissions.filter { $0.orgID == org && $0.resource == resource }.compactMap {
            permission -> [String: Any]? in
            var row: [String: Any] = [
                "id": permission.id, "isManaged": true, "isInherited": inherited, "isServiceAccount": false,
                "actions": Self.actions(permission.level, kind: resource.kind), "permission": permission.level,
            ]
            switch permission.principal {
            case .user(let id):
                guard let user = model.user(id: id) else { return nil }
                row["roleName"] = "managed:users:\(id):permissions"
                row["userId"] = id
                row["userLogin"] = user.login
                row["userAvatarUrl"] = Self.avatar(user.email)
                if isAtLeast(11, 5) { row["userUid"] = user.uid }
            case .team(let id):
                guard let team = model.teams.first(where: { $0.id == id }) else { return nil }
                row["roleName"] = "managed:teams:\(id):permissions"
                row["teamId"] = id
                row["team"] = team.name
                row["teamAvatarUrl"] = Self.avatar(team.name)
                if isAtLeast(11, 5) { row["teamUid"] = team.uid }
            case .builtInRole(let role):
                row["roleName"] = "managed:builtins:\(role.lowercased()):permissions"
                row["builtInRole"] = role
            }
            return row
        }
    }

    /// Checks in Grafana's order (path id, body, level, resource, principal); the first failure answers.
    private mutating func setPermission(on resource: GrafanaModel.Resource, kind: String, principal reference: String)
        -> HTTPResponse
    {
        var userID: Int?
        if kind == "users" {
            userID = Int(reference) ?? model.users.first { $0.uid == reference }?.id
            guard userID != nil else { return GrafanaResponses.message(404, "User not found") }
        }
        // Go decodes a missing or null "permission" to "", which removes (grafana-api.md §8.2).
        guard let body = jsonBody() else { return GrafanaResponses.badRequestData }
        let level = body["permission"] as? String ?? ""
        guard level.isEmpty || Self.levels(resource.kind).contains(level) else {
            return GrafanaResponses.structured(
                400, id: "resourcePermissions.invalidPermission",
                "Permission [\(level)] is invalid for this resource type",
                extra: ["permission": level])
        }
        // The resource validators return plain errors, which Grafana turns into a 500; from 12.2 an unknown folder is
        // errutil's folder.notFound (pkg/services/dashboards/errors.go; grafana issue 109328 shows 12.1's 500).
        guard model.exists(resource, org: org) else {
            if resource.kind == "folders", isAtLeast(12, 2) {
                return .json(404, object: ["messageId": "folder.notFound", "message": "NotFound", "statusCode": 404])
            }
            return GrafanaResponses.message(500, "Internal Server Error", traceID: true)
        }
        let principal: GrafanaModel.Principal
        switch resolvePrincipal(kind: kind, reference: reference, userID: userID) {
        case .success(let resolved): principal = resolved
        case .failure(let rejection): return rejection.response
        }
        let existing = model.permissions.firstIndex {
            $0.orgID == org && $0.resource == resource && $0.principal == principal
        }
        if level.isEmpty {
            if let existing { model.permissions.remove(at: existing) }
            return GrafanaResponses.success("Permission removed")
        }
        if let existing {
            model.permissions[existing].level = level
        } else {
            model.permissions.append(
                GrafanaModel.Permission(
                    id: model.nextPermissionID, orgID: org, resource: resource, principal: principal, level: level))
            model.nextPermissionID += 1
        }
        return GrafanaResponses.success("Permission updated")
    }

    private func resolvePrincipal(kind: String, reference: String, userID: Int?)
        -> Result<GrafanaModel.Principal, Caller.Rejection>
    {
        switch kind {
        case "users":
            guard let userID, model.user(id: userID)?.orgRoles[org] != nil else {
                return .failure(Caller.Rejection(assignmentNotFound("user")))
            }
            return .success(.user(userID))
        case "teams":
            guard let index = model.teamIndex(reference, org: org) else {
                return .failure(
                    Caller.Rejection(
                        Int(reference) == nil ? GrafanaResponses.notFound : assignmentNotFound("team")))
            }
            return .success(.team(model.teams[index].id))
        default:
            if reference == "None" {
                return .failure(
                    Caller.Rejection(
                        GrafanaResponses.structured(
                            400, id: "accesscontrol.noneRoleAssignment", "none role cannot receive permissions")))
            }
            guard ["Viewer", "Editor", "Admin"].contains(reference) else {
                return .failure(
                    Caller.Rejection(
                        GrafanaResponses.structured(
                            400, id: "accesscontrol.invalidBuiltInRole", "built-in role [\(reference)] is not valid",
                            extra: ["builtInRole": reference])))
            }
            return .success(.builtInRole(reference))
        }
    }

    private func assignmentNotFound(_ kind: String) -> HTTPResponse {
        GrafanaResponses.structured(
            400, id: "accesscontrol.assignmentEntityNotFound", "\(kind) not found", extra: ["assignment": kind])
    }
}
