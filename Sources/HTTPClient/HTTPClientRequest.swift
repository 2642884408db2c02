/// One HTTP request: what to send and how long it may take.
package struct HTTPClientRequest: Sendable {
    package var method: String
    /// An absolute `http` or `https` URL, already escaped.
    package var url: String
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]?
    /// The whole exchange, connect included, with millisecond resolution.
    package var timeout: Duration
    /// Connecting alone (TCP and TLS handshake).
    package var connectTimeout: Duration

    package init(
        method: String, url: String, headers: [(name: String, value: String)] = [], body: [UInt8]? = nil,
        timeout: Duration = .seconds(10), connectTimeout: Duration = .seconds(5)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// The URL's host, for messages (never the URL itself, which may hold user info or a secret query).
    package var host: String {
        let afterScheme = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard afterScheme.count > 2 else { return "(unknown host)" }
        let authority = afterScheme[2].split(separator: "@").last ?? afterScheme[2]
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        return String(authority.split(separator: ":").first ?? authority)
    }
}

/// An answer: status, headers (names lowercased) and body.
package struct HTTPClientResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    /// The first value of a header, by name in any case.
    package func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}
