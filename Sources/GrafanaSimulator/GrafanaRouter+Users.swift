import Foundation
import HTTPServer

/// `/api/users/lookup` and the org user endpoints (grafana-api.md §3, §4).
extension GrafanaRouter {
    func lookupUser() -> HTTPResponse {
        if let denied = require("users:read") { return denied }
        guard let user = model.user(loginOrEmail: request.query["loginOrEmail"] ?? "") else {
            return GrafanaResponses.message(404, "user not found")
        }
        var profile: [String: Any] = [
            "id": user.id, "email": user.email, "name": user.name, "login": user.login, "theme": "", "orgId": org,
            "isGrafanaAdmin": user.isGrafanaAdmin, "isDisabled": false, "isExternal": false, "authLabels": NSNull(),
            "avatarUrl": "", "createdAt": Self.timestamp, "updatedAt": Self.timestamp,
        ]
        if isAtLeast(11, 5) { profile["uid"] = user.uid }
        return .json(200, object: profile)
    }

    func orgUsers() -> HTTPResponse {
        if let denied = require("org.users:read") { return denied }
        return .json(200, object: limitedOrgUsers().map(orgUserDTO), sortingKeys: false)
    }

    /// Hidden users are dropped after paging, as Grafana's `searchOrgUsersHelper` does: a page may come back
    /// shorter than `perpage` (even empty) while `totalCount` still counts them.
    func orgUsersSearch() -> HTTPResponse {
        if let denied = require("org.users:read") { return denied }
        let query = request.query["query"]?.lowercased() ?? ""
        let users = model.members(ofOrg: org).filter { query.isEmpty || matches($0, query) }
        let (perPage, page) = paging()
        let pageUsers = users.dropFirst((page - 1) * perPage).prefix(perPage).filter { !caller.isHidden($0, in: model) }
        return .json(
            200,
            object: [
                "totalCount": users.count, "orgUsers": pageUsers.map(orgUserDTO), "page": page, "perPage": perPage,
            ], sortingKeys: false)
    }

    /// OSS lets any of several team/folder permission writers look users up; with an RBAC licence only readers.
    func orgUsersLookup() -> HTTPResponse {
        let allowed =
            model.edition == .oss
            ? [
                "org.users:read", "teams.permissions:write", "folders.permissions:write",
                "dashboards.permissions:write",
            ]
            : ["org.users:read"]
        guard allowed.contains(where: caller.can) else { return GrafanaResponses.accessDenied(allowed[0]) }
        return .json(
            200,
            object: limitedOrgUsers().map { user -> [String: Any] in
                var entry: [String: Any] = [
                    "userId": user.id, "login": user.login, "avatarUrl": Self.avatar(user.email),
                ]
                if isAtLeast(11, 5) { entry["uid"] = user.uid }
                return entry
            })
    }

    /// `PATCH /api/org/users/:userId {"role": ...}` (grafana-api.md §4); the same role again is fine.
    mutating func setOrgRole(_ reference: String) -> HTTPResponse {
        if let denied = require("org.users:write") { return denied }
        guard let role = jsonBody()?["role"] as? String, let parsed = GrafanaModel.OrgRole(rawValue: role) else {
            return GrafanaResponses.message(400, "Invalid role specified")
        }
        // Grafana does not map "not in this org" to 404: updateOrgUserHelper answers 500 (pkg/api/org_users.go, 10.x
        // through 12.x).
        guard let id = Int(reference),
            let index = model.users.firstIndex(where: { $0.id == id && $0.orgRoles[org] != nil })
        else { return GrafanaResponses.message(500, "Failed update org user", traceID: true) }
        model.users[index].orgRoles[org] = parsed
        return GrafanaResponses.success("Organization user updated")
    }

    /// `/api/org/users` and `/lookup`: `query` and `limit` go to the store, hidden users are dropped afterwards
    /// (the same helper as the search), so fewer than `limit` may come back.
    private func limitedOrgUsers() -> [GrafanaModel.User] {
        let query = request.query["query"]?.lowercased() ?? ""
        var users = model.members(ofOrg: org).filter { query.isEmpty || matches($0, query) }
        if let limit = Int(request.query["limit"] ?? ""), limit > 0 { users = Array(users.prefix(limit)) }
        return users.filter { !caller.isHidden($0, in: model) }
    }

    private func matches(_ user: GrafanaModel.User, _ query: String) -> Bool {
        [user.login, user.email, user.name].contains { $0.lowercased().contains(query) }
    }

    private func orgUserDTO(_ user: GrafanaModel.User) -> [String: Any] {
        var dto: [String: Any] = [
            "orgId": org, "userId": user.id, "email": user.email, "name": user.name,
            "avatarUrl": Self.avatar(user.email), "login": user.login, "role": user.orgRoles[org]?.rawValue ?? "None",
            "lastSeenAt": Self.timestamp, "lastSeenAtAge": "10 years", "accessControl": NSNull(),
            "isDisabled": false, "authLabels": NSNull(), "isExternallySynced": false,
        ]
        if isAtLeast(11, 5) { dto["uid"] = user.uid }
        if isAtLeast(12, 0) { dto["isProvisioned"] = false }
        return dto
    }

    static let timestamp = "2026-01-01T00:00:00Z"
}
