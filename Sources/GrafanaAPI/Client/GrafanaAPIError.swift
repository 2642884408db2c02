import HTTPClient

/// Why a Grafana call failed, decided once from the status and Grafana's message; never carries credentials.
package enum GrafanaAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Worth retrying: the network, a timeout, 5xx, or 429 (with Grafana's `Retry-After` when it sent one).
    case transient(GrafanaRequest, reason: String, retryAfter: Duration?)
    /// The user, team, data source (or membership) named does not exist.
    case notFound(GrafanaRequest, message: String)
    /// The credentials were refused (401).
    case unauthorized(GrafanaRequest, message: String)
    /// The credentials lack a permission; `missingPermission` when Grafana names it.
    case forbidden(GrafanaRequest, missingPermission: String?, message: String)
    /// This Grafana has no such API (open-source Grafana has no data-source permission API).
    case unsupported(GrafanaRequest, message: String)
    /// Grafana refused the request itself (4xx).
    case invalidRequest(GrafanaRequest, status: Int, message: String)
    /// The TLS connection failed: the certificate (unknown authority, name mismatch, expired) or the handshake.
    /// Not retried as transient: it will not mend by itself.
    case tls(GrafanaRequest, message: String)

    package var request: GrafanaRequest {
        switch self {
        case .transient(let request, _, _), .notFound(let request, _), .unauthorized(let request, _),
            .forbidden(let request, _, _), .unsupported(let request, _), .invalidRequest(let request, _, _),
            .tls(let request, _):
            request
        }
    }

    package var isRetryable: Bool {
        if case .transient = self { true } else { false }
    }

    package var retryAfter: Duration? {
        if case .transient(_, _, let retryAfter) = self { retryAfter } else { nil }
    }

    package var description: String {
        switch self {
        case .transient(let request, let reason, let retryAfter):
            "\(request): \(reason)" + (retryAfter.map { " (retry after \($0.timeInterval)s)" } ?? "")
        case .notFound(let request, let message): "\(request): not found: \(message)"
        case .unauthorized(let request, let message): "\(request): unauthorized: \(message)"
        case .forbidden(let request, let missing, let message):
            "\(request): forbidden: \(message)"
                + (missing.map { " (the service account needs \($0))" } ?? "")
        case .unsupported(let request, let message): "\(request): not supported by this Grafana: \(message)"
        case .invalidRequest(let request, let status, let message): "\(request): \(status): \(message)"
        case .tls(let request, let message): "\(request): \(message)"
        }
    }
}

extension GrafanaAPIError {
    /// The transport's failure as a Grafana call's: timeouts and broken connections are transient; certificate
    /// problems and oversized answers are not.
    package init(_ error: HTTPClientError, request: GrafanaRequest) {
        switch error {
        case .certificate: self = .tls(request, message: error.description)
        case .tooLarge: self = .invalidRequest(request, status: 0, message: error.description)
        default: self = .transient(request, reason: error.description, retryAfter: nil)
        }
    }
}

/// Method and path of a call, for messages; no query string, header or body.
package struct GrafanaRequest: Sendable, Equatable, CustomStringConvertible {
    package var method: String
    package var path: String

    package init(_ method: String, _ path: String) {
        self.method = method
        self.path = path
    }

    package var description: String { "\(method) \(path)" }
}
