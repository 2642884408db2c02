import Foundation
import HTTPServer

/// Answers one authenticated Grafana API request against the model, as Grafana would: same paths, status codes,
/// JSON field names and error texts (grafana-api.md).
struct GrafanaRouter {
    var model: GrafanaModel
    let caller: Caller
    let request: HTTPRequest

    var org: Int { caller.orgID }

    mutating func route() -> HTTPResponse {
        let parts = request.path.split(separator: "/").map(String.init)
        guard parts.first == "api" else { return GrafanaResponses.notFound }
        switch (request.method, Array(parts.dropFirst())) {
        case ("GET", ["users", "lookup"]): return lookupUser()
        case ("GET", ["org", "users"]): return orgUsers()
        case ("GET", ["org", "users", "lookup"]): return orgUsersLookup()
        case ("GET", ["org", "users", "search"]): return orgUsersSearch()
        case ("PATCH", let path) where path.count == 3 && path[0] == "org" && path[1] == "users":
            return setOrgRole(path[2])
        case ("GET", ["teams", "search"]): return searchTeams()
        case ("GET", let path) where path.count == 2 && path[0] == "teams": return team(path[1])
        case ("GET", let path) where path.count == 3 && path[0] == "teams" && path[2] == "members":
            return teamMembers(path[1])
        case ("POST", let path) where path.count == 3 && path[0] == "teams" && path[2] == "members":
            return addTeamMember(path[1])
        case ("DELETE", let path) where path.count == 4 && path[0] == "teams" && path[2] == "members":
            return removeTeamMember(path[1], userReference: path[3])
        case ("GET", ["datasources"]): return dataSources()
        case ("GET", let path) where path.count == 3 && path[0] == "datasources" && ["uid", "name"].contains(path[1]):
            return dataSource(by: path[1], path[2])
        case ("POST", let path)
        where path.count == 5 && path[0] == "access-control" && path[1] == "teams" && path[3] == "users":
            return setTeamRole(path[2], userReference: path[4])
        case (_, let path)
        where path.count >= 3 && path[0] == "access-control" && ["datasources", "folders"].contains(path[1]):
            return resourcePermissions(kind: path[1], Array(path.dropFirst(2)))
        case ("GET", ["serviceaccounts", "search"]): return searchServiceAccounts()
        case (_, let path) where path.count >= 3 && path[0] == "serviceaccounts" && path[2] == "tokens":
            return serviceAccountTokens(path[1], Array(path.dropFirst(3)))
        case ("GET", ["folders"]): return folders()
        case ("GET", let path) where path.count == 2 && path[0] == "folders": return folder(path[1])
        default: return GrafanaResponses.notFound
        }
    }

    /// The RBAC check every guarded route starts with.
    func require(_ action: String) -> HTTPResponse? {
        caller.can(action) ? nil : GrafanaResponses.accessDenied(action)
    }

    /// The `perpage` (or `limit`) and `page` rules Grafana's list handlers share: defaults 1000 and 1, bad values
    /// replaced.
    func paging(sizeKey: String = "perpage") -> (perPage: Int, page: Int) {
        let perPage = Int(request.query[sizeKey] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 1000
        let page = Int(request.query["page"] ?? "").flatMap { $0 > 0 ? $0 : nil } ?? 1
        return (perPage, page)
    }

    /// The body's JSON object, or nil when it is not one.
    func jsonBody() -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
    }

    /// Whether this version is at least `major.minor`.
    func isAtLeast(_ major: Int, _ minor: Int) -> Bool {
        let parts = model.version.split(separator: ".").compactMap { Int($0) }
        return (parts.first ?? 0, parts.dropFirst().first ?? 0) >= (major, minor)
    }

    static func avatar(_ email: String) -> String {
        "/avatar/" + String(email.lowercased().utf8.reduce(UInt64(5381)) { ($0 &* 33) &+ UInt64($1) }, radix: 16)
    }
}
