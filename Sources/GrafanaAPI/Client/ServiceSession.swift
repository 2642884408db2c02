import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What the OnCall and Incident clients share: one long-lived session (swift-linux-notes §3), a request sent and
/// its answer classified like Grafana's, and a JSON object out of the body.
struct ServiceSession: Sendable {
    private let session: URLSession
    let userAgent: String
    /// Which service this is, for "unreachable" messages.
    let service: String

    init(service: String, userAgent: String, timeout: Duration) {
        self.service = service
        self.userAgent = userAgent
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.timeoutIntervalForRequest = max(1, timeout.timeInterval.rounded(.up))
        session = URLSession(configuration: configuration)
    }

    /// The body of a 2xx answer; network failures are transient, other statuses typed by `ResponseClassifier`.
    func send(_ urlRequest: URLRequest, as request: GrafanaRequest) async throws(GrafanaAPIError) -> Data {
        var urlRequest = urlRequest
        urlRequest.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: urlRequest)
        } catch {
            throw .transient(request, reason: "\(service) unreachable", retryAfter: nil)
        }
        let http = response as? HTTPURLResponse
        if let error = ResponseClassifier.error(
            status: http?.statusCode ?? 0, body: data, retryAfter: http?.value(forHTTPHeaderField: "Retry-After"),
            request: request)
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
