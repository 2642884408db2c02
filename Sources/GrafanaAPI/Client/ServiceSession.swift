import Foundation
import HTTPClient

/// What the OnCall and Incident clients share: one long-lived transport, a request sent and its answer classified
/// like Grafana's, and a JSON object out of the body.
final class ServiceSession: Sendable {
    private let http: HTTPClient
    let userAgent: String
    /// Which service this is, for "unreachable" messages.
    let service: String
    private let timeout: Duration

    init(service: String, userAgent: String, timeout: Duration, tls: TLSSettings) {
        self.service = service
        self.userAgent = userAgent
        self.timeout = timeout
        var settings = HTTPClient.Settings()
        settings.tls = tls
        http = HTTPClient(settings: settings)
    }

    deinit {
        http.shutdown()
    }

    /// The body of a 2xx answer; network failures are transient, other statuses typed by `ResponseClassifier`.
    func send(
        _ method: String, _ url: URL, headers: [(String, String)], body: [UInt8]? = nil, as request: GrafanaRequest
    ) async throws(GrafanaAPIError) -> Data {
        let answer: HTTPClientResponse
        do throws(HTTPClientError) {
            answer = try await http.send(
                HTTPClientRequest(
                    method: method, url: url.absoluteString,
                    headers: (headers + [("User-Agent", userAgent)]).map { (name: $0.0, value: $0.1) }, body: body,
                    timeout: timeout, connectTimeout: min(timeout, .seconds(5))))
        } catch {
            if case .certificate = error { throw GrafanaAPIError(error, request: request) }
            throw .transient(request, reason: "\(service) unreachable (\(error))", retryAfter: nil)
        }
        let data = Data(answer.body)
        if let error = ResponseClassifier.error(
            status: answer.status, body: data, retryAfter: answer.header("Retry-After"), request: request)
        {
            throw error
        }
        return data
    }

    /// A JSON object, or an error saying the answer was not one (never silently empty).
    static func object(_ data: Data, from request: GrafanaRequest) throws(GrafanaAPIError) -> [String: Any] {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .invalidRequest(request, status: 200, message: "the answer is not a JSON object")
        }
        return object
    }
}
