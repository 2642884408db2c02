import Foundation
import HTTPServer

/// Who is calling and in which org, after Grafana's authentication rules (grafana-api.md §2).
struct Caller {
    enum Identity {
        case serviceAccount(GrafanaModel.ServiceAccount)
        case user(GrafanaModel.User)
    }

    var identity: Identity
    var orgID: Int

    /// What each basic role may do in the simulator. Real basic roles hold many more actions; these are the ones
    /// the endpoints here check (the exact Viewer/Editor sets are a simplification, see docs/grafana.md).
    private static let readActions: Set<String> = [
        "datasources:read", "datasources:query", "teams:read", "org.users:read", "folders:read",
    ]
    private static let adminActions: Set<String> = readActions.union([
        "teams:create", "teams:write", "teams:delete", "teams.permissions:read", "teams.permissions:write",
        "datasources.permissions:read", "datasources.permissions:write", "org.users:write", "org.users:add",
        "folders.permissions:read", "folders.permissions:write", "serviceaccounts:read", "serviceaccounts:write",
        "serviceaccounts:create", "serviceaccounts:delete",
    ])

    func can(_ action: String) -> Bool {
        switch identity {
        case .serviceAccount(let account):
            if let actions = account.actions { return actions.contains(action) }
            return Self.actions(for: account.role).contains(action)
        case .user(let user):
            if user.isGrafanaAdmin { return true }
            return Self.actions(for: user.orgRoles[orgID] ?? .none).contains(action)
        }
    }

    /// Grafana's `IsHiddenUser`: a login in `[users] hidden_users` is left out of listings, except for server
    /// admins and the user themselves.
    func isHidden(_ user: GrafanaModel.User, in model: GrafanaModel) -> Bool {
        guard model.hiddenUsers.contains(user.login) else { return false }
        if case .user(let me) = identity { return !me.isGrafanaAdmin && me.login != user.login }
        return true
    }

    private static func actions(for role: GrafanaModel.OrgRole) -> Set<String> {
        switch role {
        case .none: []
        case .viewer, .editor: readActions
        case .admin: adminActions
        }
    }

    /// Authenticates a request, or returns Grafana's 401 answer.
    static func authenticate(_ request: HTTPRequest, in model: GrafanaModel) -> Result<Caller, Rejection> {
        let requestedOrg = request.header("X-Grafana-Org-Id").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard let authorization = request.header("Authorization") else {
            return .failure(Rejection(.unauthorized("auth.unauthorized", "Unauthorized")))
        }
        if authorization.hasPrefix("Bearer ") {
            return token(String(authorization.dropFirst(7)), requestedOrg: requestedOrg, in: model)
        }
        if authorization.hasPrefix("Basic "), let decoded = Data(base64Encoded: String(authorization.dropFirst(6))) {
            let pair = String(decoding: decoded, as: UTF8.self).split(separator: ":", maxSplits: 1).map(String.init)
            guard pair.count == 2, let user = model.user(loginOrEmail: pair[0]), let password = user.password,
                password == pair[1]
            else {
                return .failure(Rejection(.unauthorized("password-auth.failed", "Invalid username or password")))
            }
            let org = requestedOrg ?? user.orgRoles.keys.min() ?? 1
            guard user.orgRoles[org] != nil || user.isGrafanaAdmin else {
                return .failure(Rejection(GrafanaResponses.message(403, "Permission denied")))
            }
            return .success(Caller(identity: .user(user), orgID: org))
        }
        return .failure(Rejection(.unauthorized("auth.unauthorized", "Unauthorized")))
    }

    private static func token(_ key: String, requestedOrg: Int?, in model: GrafanaModel) -> Result<Caller, Rejection> {
        for account in model.serviceAccounts {
            guard let token = account.tokens.first(where: { $0.key == key }) else { continue }
            if token.isRevoked { return .failure(Rejection(.unauthorized("api-key.revoked", "Revoked API key"))) }
            if token.isExpired { return .failure(Rejection(.unauthorized("api-key.expired", "Expired API key"))) }
            if let requestedOrg, requestedOrg != account.orgID {
                return .failure(
                    Rejection(
                        .unauthorized(
                            "api-key.organization-mismatch", "API key does not belong to the requested organization")))
            }
            return .success(Caller(identity: .serviceAccount(account), orgID: account.orgID))
        }
        return .failure(Rejection(.unauthorized("api-key.invalid", "Invalid API key")))
    }

    /// An authentication failure's response.
    struct Rejection: Error {
        var response: HTTPResponse
        init(_ response: HTTPResponse) {
            self.response = response
        }
    }
}

extension HTTPResponse {
    /// The authn service's 401 (grafana-api.md §2.3).
    fileprivate static func unauthorized(_ id: String, _ message: String) -> HTTPResponse {
        GrafanaResponses.structured(401, id: id, message)
    }
}
