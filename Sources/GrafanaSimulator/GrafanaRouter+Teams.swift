import Foundation
import HTTPServer

/// Team search, lookup and membership (grafana-api.md §5), with the answers that differ between 11.x and 12.x.
extension GrafanaRouter {
    func searchTeams() -> HTTPResponse {
        if let denied = require("teams:read") { return denied }
        let query = request.query["query"]?.lowercased() ?? ""
        let name = request.query["name"]
        let teams = model.teams.filter { team in
            team.orgID == org && (query.isEmpty || team.name.lowercased().contains(query))
                && (name.map { $0 == team.name } ?? true)
        }.sorted { $0.name.lowercased() < $1.name.lowercased() }
        let (perPage, page) = paging()
        let pageTeams = teams.dropFirst((page - 1) * perPage).prefix(perPage)
        return .json(
            200,
            object: [
                "totalCount": teams.count, "teams": pageTeams.map(teamDTO), "page": page, "perPage": perPage,
            ])
    }

    func team(_ reference: String) -> HTTPResponse {
        guard let index = model.teamIndex(reference, org: org) else {
            return Int(reference) == nil
                ? GrafanaResponses.notFound : require("teams:read") ?? teamNotFound(traceID: true)
        }
        if let denied = require("teams:read") { return denied }
        return .json(200, object: teamDTO(model.teams[index]))
    }

    /// 10.x/11.x do not check that the team exists here: an unknown numeric id lists no members; an unknown UID
    /// fails in the UID resolver first. Hidden users are left out (`GetTeamMembers` calls `IsHiddenUser`).
    func teamMembers(_ reference: String) -> HTTPResponse {
        if let denied = require("teams.permissions:read") { return denied }
        guard let index = model.teamIndex(reference, org: org) else {
            return Int(reference) == nil ? GrafanaResponses.notFound : .json(200, object: [Any]())
        }
        let team = model.teams[index]
        let visible = team.members.keys.sorted().compactMap { model.user(id: $0) }.filter {
            !caller.isHidden($0, in: model)
        }
        let members = visible.map { user -> [String: Any] in
            var dto: [String: Any] = [
                "orgId": org, "teamId": team.id, "teamUID": team.uid, "userId": user.id, "auth_module": "",
                "email": user.email, "name": user.name, "login": user.login, "avatarUrl": Self.avatar(user.email),
                "labels": [String](), "permission": team.members[user.id] ?? 0,
            ]
            if model.majorVersion >= 12 { dto["userUID"] = user.uid }
            return dto
        }
        return .json(200, object: members)
    }

    mutating func addTeamMember(_ reference: String) -> HTTPResponse {
        // The UID resolver answers before any permission check (grafana-api.md §1.3).
        if Int(reference) == nil, model.teamIndex(reference, org: org) == nil { return GrafanaResponses.notFound }
        if let denied = require("teams.permissions:write") { return denied }
        guard let userID = jsonBody()?["userId"] as? Int, userID > 0 else { return GrafanaResponses.badRequestData }
        guard let index = model.teamIndex(reference, org: org) else {
            // 12.x checks the team first; 10.x/11.x fail inside the permission service with a 500.
            return model.majorVersion >= 12
                ? teamNotFound(traceID: true)
                : GrafanaResponses.message(500, "Failed to add Member to Team", traceID: true)
        }
        // The permission service's user check outer-joins `org_user`: a user of another org passes, only an
        // unknown id fails (pkg/api/team_members.go → resourcepermissions validateUser → GetSignedInUser).
        guard model.user(id: userID) != nil else {
            return GrafanaResponses.message(500, "Failed to add Member to Team", traceID: true)
        }
        guard model.teams[index].members[userID] == nil else {
            return GrafanaResponses.message(400, "User is already added to this team")
        }
        model.teams[index].members[userID] = 0
        return GrafanaResponses.success("Member added to Team")
    }

    mutating func removeTeamMember(_ reference: String, userReference: String) -> HTTPResponse {
        if Int(reference) == nil, model.teamIndex(reference, org: org) == nil { return GrafanaResponses.notFound }
        if let denied = require("teams.permissions:write") { return denied }
        guard let index = model.teamIndex(reference, org: org) else {
            return teamNotFound(traceID: model.majorVersion >= 12)
        }
        guard let userID = Int(userReference) ?? model.users.first(where: { $0.uid == userReference })?.id else {
            return GrafanaResponses.message(400, "userId is invalid", traceID: true)
        }
        guard model.user(id: userID) != nil else {
            return GrafanaResponses.message(500, "Failed to remove Member from Team", traceID: true)
        }
        guard model.teams[index].members.removeValue(forKey: userID) != nil else {
            return GrafanaResponses.message(404, "Team member not found")
        }
        return GrafanaResponses.success("Team Member removed")
    }

    /// `/api/access-control/teams/:teamId/users/:userId`: add-or-update with `Member`/`Admin`, remove with `""`
    /// (grafana-api.md §5.4); registered in open-source Grafana too.
    mutating func setTeamRole(_ reference: String, userReference: String) -> HTTPResponse {
        if let denied = require("teams.permissions:write") { return denied }
        guard let index = model.teamIndex(reference, org: org) else { return GrafanaResponses.notFound }
        guard let userID = Int(userReference) ?? model.users.first(where: { $0.uid == userReference })?.id else {
            return GrafanaResponses.message(404, "User not found")
        }
        guard let role = jsonBody()?["permission"] as? String else { return GrafanaResponses.badRequestData }
        guard ["Member", "Admin", ""].contains(role) else {
            return GrafanaResponses.structured(
                400, id: "resourcePermissions.invalidPermission",
                "Permission [\(role)] is invalid for this resource type",
                extra: ["permission": role])
        }
        // Same user check as adding a member: any existing user passes, whatever their orgs.
        guard model.user(id: userID) != nil else {
            return GrafanaResponses.structured(
                400, id: "accesscontrol.assignmentEntityNotFound", "user not found", extra: ["assignment": "user"])
        }
        guard !role.isEmpty else {
            guard model.teams[index].members.removeValue(forKey: userID) != nil else {
                // Newer Grafana maps this to 404; 11.x code returns the hook's error unmapped (grafana-api.md §5.4).
                return model.majorVersion >= 12
                    ? GrafanaResponses.message(404, "Team member not found")
                    : GrafanaResponses.message(500, "Internal Server Error", traceID: true)
            }
            return GrafanaResponses.success("Permission removed")
        }
        model.teams[index].members[userID] = role == "Admin" ? 4 : 0
        return GrafanaResponses.success("Permission updated")
    }

    private func teamNotFound(traceID: Bool) -> HTTPResponse {
        GrafanaResponses.message(404, "Team not found", traceID: traceID)
    }

    private func teamDTO(_ team: GrafanaModel.Team) -> [String: Any] {
        var dto: [String: Any] = [
            "id": team.id, "uid": team.uid, "orgId": team.orgID, "name": team.name, "email": team.email,
            "avatarUrl": Self.avatar(team.name), "memberCount": team.members.count, "permission": 0,
            "accessControl": NSNull(),
        ]
        if model.majorVersion >= 12 {
            dto["externalUID"] = ""
            dto["isProvisioned"] = false
        }
        return dto
    }
}
