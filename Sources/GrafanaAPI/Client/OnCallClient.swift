import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Who is on call, from the Grafana OnCall / IRM public API (grafana-api.md §13).
package protocol OnCallAPI: Sendable {
    /// For each schedule named, the lowercased emails and usernames of the users on call now; a schedule that
    /// does not exist is an error (a typo must not silently deny or allow).
    func onCallNow(schedules: [String]) async throws(GrafanaAPIError) -> [String: Set<String>]
}

/// OnCall over HTTP: `{url}/api/v1/...` with trailing slashes, the raw token in `Authorization` (no `Bearer`),
/// page-number paging through `next`.
package actor HTTPOnCallClient: OnCallAPI {
    private let baseURL: URL
    private let token: String
    private let session: ServiceSession

    package init(baseURL: URL, token: String, userAgent: String, timeout: Duration = .seconds(10)) {
        self.baseURL = baseURL
        self.token = token
        session = ServiceSession(service: "OnCall", userAgent: userAgent, timeout: timeout)
    }

    package func onCallNow(schedules: [String]) async throws(GrafanaAPIError) -> [String: Set<String>] {
        var ids: [String: [String]] = [:]
        for name in schedules {
            let found = try await pages("/api/v1/schedules/", query: [("name", name)])
            guard let schedule = found.first(where: { $0["name"] as? String == name }) else {
                throw .notFound(
                    GrafanaRequest("GET", "/api/v1/schedules/"), message: "no OnCall schedule named \(name)")
            }
            ids[name] = schedule["on_call_now"] as? [String] ?? []
        }
        guard ids.values.contains(where: { !$0.isEmpty }) else { return ids.mapValues { _ in [] } }
        var identities: [String: Set<String>] = [:]
        for user in try await pages("/api/v1/users/", query: []) {
            guard let id = user["id"] as? String else { continue }
            identities[id] = Set(
                [user["email"] as? String, user["username"] as? String].compactMap { $0?.lowercased() })
        }
        return ids.mapValues { $0.reduce(into: Set<String>()) { $0.formUnion(identities[$1] ?? []) } }
    }

    /// Every result of a paged listing, following `next` until it is null.
    private func pages(_ path: String, query: [(String, String)]) async throws(GrafanaAPIError) -> [[String: Any]] {
        var results: [[String: Any]] = []
        var page = 1
        while true {
            let body = try await get(path, query: query + [("page", String(page))])
            let object = try ServiceSession.object(body, from: GrafanaRequest("GET", path))
            results += object["results"] as? [[String: Any]] ?? []
            guard object["next"] is String, page < 1_000 else { return results }
            page += 1
        }
    }

    private func get(_ path: String, query: [(String, String)]) async throws(GrafanaAPIError) -> Data {
        let request = GrafanaRequest("GET", path)
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else {
            throw .invalidRequest(request, status: 0, message: "cannot form a URL")
        }
        let basePath = components.path.trimmingSuffix("/")
        components.path = basePath + path
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components.url else { throw .invalidRequest(request, status: 0, message: "cannot form a URL") }
        var urlRequest = URLRequest(url: url)
        urlRequest.setValue(token, forHTTPHeaderField: "Authorization")
        return try await session.send(urlRequest, as: request)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
