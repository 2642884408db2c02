/// Why a request got no answer. Never holds the URL or a header: messages name the host only.
package enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The deadline passed (connect or whole exchange).
    case timedOut(host: String)
    case connectionRefused(host: String)
    case hostNotFound(host: String)
    /// The connection broke, or the server closed it without (a whole) answer.
    case connectionLost(host: String, detail: String)
    /// The server's certificate or the TLS handshake failed; `problem` says how.
    case certificate(host: String, problem: CertificateProblem)
    /// The answer was larger than the limit; the connection is dropped.
    case tooLarge(host: String, limit: Int)
    case cancelled
    /// Anything else libcurl reports, with its own words.
    case other(host: String, code: Int, detail: String)

    package enum CertificateProblem: Sendable, Equatable, CustomStringConvertible {
        case unknownAuthority
        case nameMismatch
        case expired
        /// The handshake failed otherwise (a client certificate refused or missing, a protocol mismatch).
        case handshake(String)
        /// A local file (CA bundle, client certificate or key) could not be used.
        case localFile(String)

        package var description: String {
            switch self {
            case .unknownAuthority: "its certificate is signed by an unknown authority (pass --ca-file with its CA)"
            case .nameMismatch: "its certificate does not name this host"
            case .expired: "its certificate has expired"
            case .handshake(let detail): "the TLS handshake failed: \(detail)"
            case .localFile(let detail): "a local certificate file could not be used: \(detail)"
            }
        }
    }

    /// Worth another try: the server may answer next time. Certificate problems and oversized answers will not go
    /// away by themselves.
    package var isTransient: Bool {
        switch self {
        case .timedOut, .connectionRefused, .hostNotFound, .connectionLost, .other: true
        case .certificate, .tooLarge, .cancelled: false
        }
    }

    package var description: String {
        switch self {
        case .timedOut(let host): "\(host): timed out"
        case .connectionRefused(let host): "\(host): connection refused"
        case .hostNotFound(let host): "\(host): host not found"
        case .connectionLost(let host, let detail): "\(host): connection lost (\(detail))"
        case .certificate(let host, let problem): "\(host): TLS: \(problem)"
        case .tooLarge(let host, let limit): "\(host): answer larger than \(limit) bytes"
        case .cancelled: "cancelled"
        case .other(let host, let code, let detail): "\(host): transfer failed (libcurl \(code): \(detail))"
        }
    }
}
