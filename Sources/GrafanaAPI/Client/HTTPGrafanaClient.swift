import Foundation
import HTTPClient

/// Grafana over HTTP (libcurl, kept-alive connections), a bound on requests in flight, an optional rate, and
/// short-lived caches.
package actor HTTPGrafanaClient: GrafanaAPI {
    let connection: GrafanaConnection
    private let http: HTTPClient
    private let clock: any WallClock
    private let limiter: RequestLimiter
    private var users = ExpiringCache<GrafanaUser>()
    private var teamsByName = ExpiringCache<GrafanaTeam>()
    private var sources = ExpiringCache<GrafanaDataSource>()

    package init(connection: GrafanaConnection, clock: any WallClock = SystemClock()) {
        self.connection = connection
        self.clock = clock
        limiter = RequestLimiter(
            maxInFlight: connection.maxInFlight, requestsPerSecond: connection.requestsPerSecond, clock: clock)
        http = HTTPClient(settings: connection.transport)
    }

    deinit {
        http.shutdown()
    }

    // MARK: Calls

    package func health() async throws(GrafanaAPIError) -> GrafanaHealth {
        try await decode(GrafanaHealth.self, get("/api/health"))
    }

    package func orgUsers() async throws(GrafanaAPIError) -> [GrafanaUser] {
        let all = try await allPages(OrgUserPage.self, "/api/org/users/search")
        let now = clock.now()
        for user in all { remember(user, at: now) }
        return all
    }

    package func user(loginOrEmail: String) async throws(GrafanaAPIError) -> GrafanaUser {
        let key = loginOrEmail.lowercased()
        if let cached = users.value(for: key, at: clock.now()) { return cached }
        let path = "/api/org/users"
        let candidates = try await decode(
            [GrafanaUser].self, get(path, query: [("query", loginOrEmail), ("limit", "1000")]))
        guard let user = candidates.first(where: { $0.login.lowercased() == key || $0.email.lowercased() == key })
        else {
            throw .notFound(
                GrafanaRequest("GET", path), message: "no user with login or email \(loginOrEmail) in the org")
        }
        remember(user, at: clock.now())
        return user
    }

    package func teams(matching query: String) async throws(GrafanaAPIError) -> [GrafanaTeam] {
        try await searchTeams([("query", query)])
    }

    package func team(named name: String) async throws(GrafanaAPIError) -> GrafanaTeam {
        if let cached = teamsByName.value(for: name, at: clock.now()) { return cached }
        guard let team = try await searchTeams([("name", name)]).first(where: { $0.name == name }) else {
            throw .notFound(GrafanaRequest("GET", "/api/teams/search"), message: "no team named \(name)")
        }
        teamsByName.store(team, for: name, until: clock.now() + connection.cacheTTL.timeInterval)
        return team
    }

    package func teamMembers(team: Int) async throws(GrafanaAPIError) -> [GrafanaTeamMember] {
        try await decode([GrafanaTeamMember].self, get("/api/teams/\(team)/members"))
    }

    /// "Already a member" is Grafana's 400 "User is already added to this team" (all versions): a success.
    package func addTeamMember(team: Int, user: Int) async throws(GrafanaAPIError) -> WriteOutcome {
        do {
            _ = try await send("POST", "/api/teams/\(team)/members", body: ["userId": user])
            return .changed
        } catch .invalidRequest(_, 400, "User is already added to this team") {
            return .unchanged
        }
    }

    /// "Not a member" is 404 "Team member not found" (no full stop); 404 "Team not found" is a real error.
    package func removeTeamMember(team: Int, user: Int) async throws(GrafanaAPIError) -> WriteOutcome {
        do {
            _ = try await send("DELETE", "/api/teams/\(team)/members/\(user)")
            return .changed
        } catch .notFound(_, "Team member not found") {
            return .unchanged
        }
    }

    package func setTeamRole(team: Int, user: Int, role: String) async throws(GrafanaAPIError) {
        _ = try await send("POST", "/api/access-control/teams/\(team)/users/\(user)", body: ["permission": role])
    }

    package func setOrgRole(user: Int, role: String) async throws(GrafanaAPIError) {
        _ = try await send("PATCH", "/api/org/users/\(user)", body: ["role": role])
        users = ExpiringCache()
    }

    package func dataSources() async throws(GrafanaAPIError) -> [GrafanaDataSource] {
        let all = try await decode([GrafanaDataSource].self, get("/api/datasources"))
        let until = clock.now() + connection.cacheTTL.timeInterval
        for source in all {
            sources.store(source, for: source.uid, until: until)
            sources.store(source, for: "name:" + source.name, until: until)
        }
        return all
    }

    package func dataSource(uidOrName: String) async throws(GrafanaAPIError) -> GrafanaDataSource {
        let now = clock.now()
        if let cached = sources.value(for: uidOrName, at: now) ?? sources.value(for: "name:" + uidOrName, at: now) {
            return cached
        }
        let source: GrafanaDataSource
        do {
            source = try await decode(GrafanaDataSource.self, get("/api/datasources/uid/" + Self.segment(uidOrName)))
        } catch .notFound {
            source = try await decode(GrafanaDataSource.self, get("/api/datasources/name/" + Self.segment(uidOrName)))
        }
        sources.store(source, for: uidOrName, until: clock.now() + connection.cacheTTL.timeInterval)
        return source
    }

    /// `/api/folders` pages (`limit`, `page`, `parentUid` for a nested level) until a short one: it has no total
    /// count.
    package func folders(in parent: String?) async throws(GrafanaAPIError) -> [GrafanaFolder] {
        var all: [GrafanaFolder] = []
        for page in 1... {
            let query =
                [("limit", String(connection.pageSize)), ("page", String(page))]
                + (parent.map { [("parentUid", $0)] } ?? [])
            let result = try await decode([GrafanaFolder].self, get("/api/folders", query: query))
            all += result
            if result.count < connection.pageSize { break }
        }
        return all
    }

    package func folder(uid: String) async throws(GrafanaAPIError) -> GrafanaFolder {
        try await decode(GrafanaFolder.self, get("/api/folders/" + Self.segment(uid)))
    }

    package func permissions(on resource: PermissionResource) async throws(GrafanaAPIError) -> [GrafanaPermission] {
        let path = Self.permissionPath(resource)
        let rows = try await permissionAPI { () async throws(GrafanaAPIError) in try await get(path) }
        return try PermissionRows.parse(rows, request: GrafanaRequest("GET", path))
    }

    package func setPermission(on resource: PermissionResource, principal: GrafanaPrincipal, level: String?)
        async throws(GrafanaAPIError)
    {
        let path = Self.permissionPath(resource) + "/" + principal.pathSegment
        _ = try await permissionAPI { () async throws(GrafanaAPIError) in
            try await send("POST", path, body: ["permission": level ?? ""])
        }
    }

    package func serviceAccounts() async throws(GrafanaAPIError) -> [GrafanaServiceAccount] {
        try await allPages(ServiceAccountPage.self, "/api/serviceaccounts/search")
    }

    package func serviceAccountTokens(serviceAccount: Int) async throws(GrafanaAPIError) -> [GrafanaToken] {
        try await decode([GrafanaToken].self, get("/api/serviceaccounts/\(serviceAccount)/tokens"))
    }

    package func createServiceAccountToken(serviceAccount: Int, name: String, secondsToLive: Int)
        async throws(GrafanaAPIError) -> CreatedToken
    {
        let body: [String: Any] = ["name": name, "secondsToLive": secondsToLive]
        return try await decode(
            CreatedToken.self, send("POST", "/api/serviceaccounts/\(serviceAccount)/tokens", body: body))
    }

    /// Gone already is 404 "service account token not found" (errutil `serviceaccounts.ErrTokenNotFound`).
    package func deleteServiceAccountToken(serviceAccount: Int, token: Int) async throws(GrafanaAPIError)
        -> WriteOutcome
    {
        do {
            _ = try await send("DELETE", "/api/serviceaccounts/\(serviceAccount)/tokens/\(token)")
            return .changed
        } catch .notFound(_, "service account token not found") {
            return .unchanged
        }
    }

    package func permissionAPIStatus() async throws(GrafanaAPIError) -> PermissionAPIStatus {
        do {
            _ = try await permissionAPI { () async throws(GrafanaAPIError) in
                try await get("/api/access-control/datasources/description")
            }
            return .available
        } catch .unsupported {
            return .unavailable(
                "this Grafana has no data-source permission API (open-source Grafana, or Enterprise without a licence); "
                    + "data-source grants cannot be applied, team grants still can")
        } catch .forbidden(_, let missing, let message) {
            return .unavailable(
                "the service account may not manage data-source permissions: "
                    + (missing.map { "it needs \($0)" } ?? message))
        }
    }

    // MARK: Plumbing

    /// A bare 404 "Not found" from the permission routes is the router's: the API does not exist here.
    private func permissionAPI(_ call: () async throws(GrafanaAPIError) -> Data) async throws(GrafanaAPIError) -> Data {
        do {
            return try await call()
        } catch .notFound(let request, "Not found") {
            throw .unsupported(request, message: "Not found")
        }
    }

    private func searchTeams(_ filter: [(String, String)]) async throws(GrafanaAPIError) -> [GrafanaTeam] {
        try await allPages(TeamPage.self, "/api/teams/search", filter: filter)
    }

    /// Grafana's search pages (`perpage`, `page`, `totalCount`), read until the pages cover `totalCount`: the
    /// org-user search drops hidden users after paging, so a short or even empty page need not be the last.
    private func allPages<Page: SearchPage>(_ type: Page.Type, _ path: String, filter: [(String, String)] = [])
        async throws(GrafanaAPIError) -> [Page.Item]
    {
        let pageSize = max(1, connection.pageSize)
        var all: [Page.Item] = []
        for page in 1... {
            let query = filter + [("perpage", String(pageSize)), ("page", String(page))]
            let result = try await decode(type, get(path, query: query))
            all += result.items
            if all.count >= result.totalCount || page * pageSize >= result.totalCount { break }
            guard page < Self.maxSearchPages else {
                throw .invalidRequest(
                    GrafanaRequest("GET", path), status: 200,
                    message: "totalCount \(result.totalCount) still not reached after \(page) pages of \(pageSize)")
            }
        }
        return all
    }

    /// Enough for ten million items at Grafana's default page size; a `totalCount` past it is not believed.
    static let maxSearchPages = 10_000

    private func remember(_ user: GrafanaUser, at now: Date) {
        let until = now + connection.cacheTTL.timeInterval
        users.store(user, for: user.login.lowercased(), until: until)
        users.store(user, for: user.email.lowercased(), until: until)
    }

    private func get(_ path: String, query: [(String, String)] = []) async throws(GrafanaAPIError) -> Data {
        try await send("GET", path, query: query)
    }

    /// One request, within the in-flight and rate limits; a "not found" empties the caches, since what they
    /// hold may be what went away.
    private func send(_ method: String, _ path: String, query: [(String, String)] = [], body: [String: Any]? = nil)
        async throws(GrafanaAPIError) -> Data
    {
        let request = GrafanaRequest(method, path)
        guard let url = connection.url(path: path, query: query) else {
            throw .invalidRequest(request, status: 0, message: "cannot form a URL")
        }
        // Bodies are small dictionaries of strings and numbers, which always serialise.
        let bytes = body.map { (try? JSONSerialization.data(withJSONObject: $0)).map(Array.init) ?? [] }
        await limiter.acquire()
        let started = ContinuousClock.now
        let outcome: Result<HTTPClientResponse, HTTPClientError>
        do throws(HTTPClientError) {
            outcome = .success(try await http.send(connection.request(method, url: url, body: bytes)))
        } catch {
            outcome = .failure(error)
        }
        await limiter.release()
        if let observer = connection.observer {
            // No status means no answer: the observer counts it as an error (the error itself is thrown below).
            observer(method, try? outcome.get().status, (ContinuousClock.now - started).timeInterval)
        }
        let response: HTTPClientResponse
        switch outcome {
        case .success(let answer): response = answer
        case .failure(let error): throw GrafanaAPIError(error, request: request)
        }
        let data = Data(response.body)
        if let error = ResponseClassifier.error(
            status: response.status, body: data, retryAfter: response.header("Retry-After"), request: request)
        {
            // What the caches hold may be what went away; the idempotent "not a member" and OSS's missing route
            // say nothing about them.
            let harmless = ["Team member not found", "Not found", "service account token not found"]
            if case .notFound(_, let message) = error, !harmless.contains(message) {
                users = ExpiringCache()
                teamsByName = ExpiringCache()
                sources = ExpiringCache()
            }
            throw error
        }
        return data
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ data: Data) throws(GrafanaAPIError) -> Value {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw .invalidRequest(
                GrafanaRequest("GET", "(response)"), status: 200, message: "unexpected answer: \(error)")
        }
    }

    private static func permissionPath(_ resource: PermissionResource) -> String {
        "/api/access-control/\(resource.route.kind)/" + segment(resource.route.uid)
    }

    private static func segment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// One page of a Grafana search answer; each endpoint names its list differently.
private protocol SearchPage: Decodable {
    associatedtype Item
    var totalCount: Int { get }
    var items: [Item] { get }
}

private struct OrgUserPage: SearchPage {
    var totalCount: Int
    var orgUsers: [GrafanaUser]
    var items: [GrafanaUser] { orgUsers }
}

private struct TeamPage: SearchPage {
    var totalCount: Int
    var teams: [GrafanaTeam]
    var items: [GrafanaTeam] { teams }
}

private struct ServiceAccountPage: SearchPage {
    var totalCount: Int
    var serviceAccounts: [GrafanaServiceAccount]
    var items: [GrafanaServiceAccount] { serviceAccounts }
}
