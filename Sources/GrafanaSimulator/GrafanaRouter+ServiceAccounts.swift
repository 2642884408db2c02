import Foundation
import HTTPServer

/// Service accounts and their tokens (grafana-api.md §11).
extension GrafanaRouter {
    func searchServiceAccounts() -> HTTPResponse {
        if let denied = require("serviceaccounts:read") { return denied }
        let (perPage, page) = paging()
        let query = (request.query["query"] ?? "").lowercased()
        let matching = model.serviceAccounts.filter {
            $0.orgID == org && (query.isEmpty || $0.name.lowercased().contains(query))
        }.sorted { $0.name < $1.name }
        let slice = matching.dropFirst((page - 1) * perPage).prefix(perPage)
        return .json(
            200,
            object: [
                "totalCount": matching.count, "page": page, "perPage": perPage,
                "serviceAccounts": slice.map { account -> [String: Any] in
                    [
                        "id": account.id, "uid": "sa\(account.id)", "name": account.name, "login": "sa-\(account.name)",
                        "orgId": account.orgID, "isDisabled": false, "role": account.role.rawValue,
                        "tokens": account.tokens.count, "avatarUrl": Self.avatar(account.name),
                        "isExternal": false, "accessControl": [String: Bool](),
                    ]
                },
            ])
    }

    /// `GET|POST /api/serviceaccounts/:id/tokens` and `DELETE .../tokens/:tokenId`.
    mutating func serviceAccountTokens(_ reference: String, _ rest: [String]) -> HTTPResponse {
        guard let index = model.serviceAccounts.firstIndex(where: { String($0.id) == reference && $0.orgID == org })
        else {
            if let denied = require(request.method == "GET" ? "serviceaccounts:read" : "serviceaccounts:write") {
                return denied
            }
            return GrafanaResponses.structured(404, id: "serviceaccounts.ErrNotFound", "service account not found")
        }
        switch (request.method, rest.count) {
        case ("GET", 0):
            if let denied = require("serviceaccounts:read") { return denied }
            return .json(200, object: model.serviceAccounts[index].tokens.map(Self.tokenRow))
        case ("POST", 0):
            if let denied = require("serviceaccounts:write") { return denied }
            return createToken(account: index)
        case ("DELETE", 1):
            if let denied = require("serviceaccounts:write") { return denied }
            guard let token = model.serviceAccounts[index].tokens.firstIndex(where: { String($0.id) == rest[0] })
            else {
                return GrafanaResponses.structured(
                    404, id: "serviceaccounts.ErrTokenNotFound", "service account token not found")
            }
            model.serviceAccounts[index].tokens.remove(at: token)
            return GrafanaResponses.success("Service account token deleted")
        default:
            return GrafanaResponses.notFound
        }
    }

    /// Token names are unique per org (11.x+: 400 errutil; up to 10.x: 409); 0 seconds means no expiry.
    private mutating func createToken(account index: Int) -> HTTPResponse {
        guard let body = jsonBody(), let name = body["name"] as? String, !name.isEmpty else {
            return GrafanaResponses.badRequestData
        }
        let seconds = body["secondsToLive"] as? Int ?? 0
        // Checked before the name, as Grafana does (pkg/services/serviceaccounts/api/token.go).
        if model.apiKeyMaxSecondsToLive != -1 {
            if seconds == 0 {
                return GrafanaResponses.message(400, "Number of seconds before expiration should be set")
            }
            if seconds > model.apiKeyMaxSecondsToLive {
                return GrafanaResponses.message(
                    400, "Number of seconds before expiration is greater than the global limit")
            }
        }
        let taken = model.serviceAccounts.contains { account in
            account.orgID == org && account.tokens.contains { $0.name == name }
        }
        if taken {
            return model.majorVersion >= 11
                ? GrafanaResponses.structured(
                    400, id: "serviceaccounts.ErrTokenAlreadyExists",
                    "service account token with given name already exists in the organization")
                : GrafanaResponses.message(
                    409, "service account token with given name already exists in the organization")
        }
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        let secret = String((0..<32).map { _ in alphabet.randomElement() ?? "a" })
        let token = GrafanaModel.Token(
            id: model.nextTokenID, name: name, key: "glsa_\(secret)_\(String(format: "%08x", model.nextTokenID))",
            expiresAt: seconds > 0 ? Date().addingTimeInterval(TimeInterval(seconds)) : nil, isRevoked: false)
        model.nextTokenID += 1
        model.serviceAccounts[index].tokens.append(token)
        return .json(200, object: ["id": token.id, "name": token.name, "key": token.key])
    }

    private static func tokenRow(_ token: GrafanaModel.Token) -> [String: Any] {
        let formatter = ISO8601DateFormatter()
        let remaining = token.expiresAt.map { Int($0.timeIntervalSinceNow) } ?? 0
        return [
            "id": token.id, "name": token.name, "created": formatter.string(from: token.created),
            "lastUsedAt": NSNull(), "expiration": token.expiresAt.map { formatter.string(from: $0) } ?? NSNull(),
            "secondsUntilExpiration": remaining > 0 && remaining < 7 * 86_400 ? remaining : 0,
            "hasExpired": token.isExpired, "isRevoked": token.isRevoked,
        ]
    }
}
