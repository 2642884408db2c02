import Foundation
import HTTPClient

/// Where Grafana is and how to authenticate; the token never appears in any message.
package struct GrafanaConnection: Sendable {
    package enum Credentials: Sendable {
        /// A service-account token, sent as `Authorization: Bearer`.
        case token(String)
        case basic(user: String, password: String)
    }

    /// With or without a sub-path: `https://host/grafana/`.
    package var baseURL: URL
    package var credentials: Credentials
    /// Sent as `X-Grafana-Org-Id` when set.
    package var orgID: Int?
    /// The whole request, in milliseconds if need be.
    package var timeout: Duration = .seconds(10)
    /// Connecting alone (TCP and TLS); never longer than `timeout`.
    package var connectTimeout: Duration = .seconds(5)
    /// CA file, client certificate, or no verification at all.
    package var tls = TLSSettings()
    package var userAgent: String
    /// Most requests in flight at once.
    package var maxInFlight = 8
    /// Optional ceiling on requests per second.
    package var requestsPerSecond: Double?
    /// Items per page when listing users and teams (Grafana's default and usual maximum is 1000).
    package var pageSize = 1000
    /// How long looked-up users, teams and data sources are reused.
    package var cacheTTL: Duration = .seconds(60)
    /// Told of every request that got an answer or failed on the way: method, status (nil: no answer) and
    /// seconds taken. For metrics; never given the path or the body.
    package var observer: (@Sendable (_ method: String, _ status: Int?, _ seconds: TimeInterval) -> Void)?

    package init(baseURL: URL, credentials: Credentials, orgID: Int? = nil, userAgent: String) {
        self.baseURL = baseURL
        self.credentials = credentials
        self.orgID = orgID
        self.userAgent = userAgent
    }

    var authorization: String {
        switch credentials {
        case .token(let token): "Bearer \(token)"
        case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        }
    }

    /// One request as the transport sends it: method, URL, headers (credentials, org, user agent) and body.
    func request(_ method: String, url: URL, body: [UInt8]?) -> HTTPClientRequest {
        var headers = [("Authorization", authorization), ("User-Agent", userAgent), ("Accept", "application/json")]
        if let orgID { headers.append(("X-Grafana-Org-Id", String(orgID))) }
        if body != nil { headers.append(("Content-Type", "application/json")) }
        return HTTPClientRequest(
            method: method, url: url.absoluteString, headers: headers.map { (name: $0.0, value: $0.1) }, body: body,
            timeout: timeout, connectTimeout: min(connectTimeout, timeout))
    }

    /// Transport settings: TLS, and as many connections as requests may be in flight.
    var transport: HTTPClient.Settings {
        var settings = HTTPClient.Settings()
        settings.tls = tls
        settings.maxConnections = max(1, maxInFlight)
        return settings
    }

    /// `base` + `/api/...`, keeping any sub-path of the base URL.
    func url(path: String, query: [(String, String)]) -> URL? {
        var base = baseURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        var text = base + path
        if !query.isEmpty {
            text += "?" + query.map { "\(Self.escape($0.0))=\(Self.escape($0.1))" }.joined(separator: "&")
        }
        return URL(string: text)
    }

    /// Query escaping that also escapes `+` and `&`, which servers would otherwise read as a space or a separator.
    private static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
