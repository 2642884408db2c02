import Foundation
import GrafanaAPI

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// What a receiver answered to one delivery.
package enum WebhookAnswer: Sendable, Equatable {
    case status(Int, retryAfter: Duration?)
    /// No HTTP answer at all: refused, reset, timed out.
    case unreachable(String)

    /// 2xx.
    var isDelivered: Bool {
        if case .status(let code, _) = self { return (200..<300).contains(code) }
        return false
    }

    /// The network, a timeout, 408, 429 or 5xx: worth another try. Other answers will not change by retrying.
    var isRetryable: Bool {
        switch self {
        case .unreachable: true
        case .status(let code, _): code == 408 || code == 429 || code >= 500
        }
    }

    var retryAfter: Duration? {
        if case .status(_, let retryAfter) = self { return retryAfter }
        return nil
    }
}

/// Posts a JSON body to a webhook.
package protocol WebhookTransport: Sendable {
    func post(_ body: Data, to url: URL) async -> WebhookAnswer
}

/// Webhooks over one long-lived URLSession of their own (swift-linux-notes §3), apart from Grafana's, so a slow
/// receiver never holds a connection Grafana's requests need.
package struct URLSessionWebhookTransport: WebhookTransport {
    private let session: URLSession
    private let userAgent: String

    package init(userAgent: String, timeout: Duration = .seconds(10)) {
        self.userAgent = userAgent
        let configuration = URLSessionConfiguration.ephemeral
        configuration.urlCache = nil
        configuration.timeoutIntervalForRequest = max(1, timeout.timeInterval.rounded(.up))
        session = URLSession(configuration: configuration)
    }

    package func post(_ body: Data, to url: URL) async -> WebhookAnswer {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(userAgent, forHTTPHeaderField: "User-Agent")
        do {
            let (_, response) = try await session.data(for: request)
            let http = response as? HTTPURLResponse
            let retryAfter = ResponseClassifier.parseRetryAfter(http?.value(forHTTPHeaderField: "Retry-After"))
            return .status(http?.statusCode ?? 0, retryAfter: retryAfter)
        } catch {
            return .unreachable((error as? URLError).map { "URLError \($0.code.rawValue)" } ?? "\(type(of: error))")
        }
    }
}
