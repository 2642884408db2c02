import Foundation
import GrafanaAPI
import HTTPClient

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

/// Webhooks over a transport of their own, apart from Grafana's, so a slow receiver never holds a connection
/// Grafana's requests need. The answer's body is not kept beyond a small limit: only the status matters.
package final class HTTPWebhookTransport: WebhookTransport {
    private let http: HTTPClient
    private let userAgent: String
    private let timeout: Duration

    package init(userAgent: String, timeout: Duration = .seconds(10), tls: TLSSettings = TLSSettings()) {
        self.userAgent = userAgent
        self.timeout = timeout
        var settings = HTTPClient.Settings()
        settings.tls = tls
        settings.maxConnections = 4
        settings.maxResponseBytes = 1 << 20
        http = HTTPClient(settings: settings)
    }

    deinit {
        http.shutdown()
    }

    package func post(_ body: Data, to url: URL) async -> WebhookAnswer {
        let request = HTTPClientRequest(
            method: "POST", url: url.absoluteString,
            headers: [("Content-Type", "application/json"), ("User-Agent", userAgent)], body: Array(body),
            timeout: timeout, connectTimeout: min(timeout, .seconds(5)))
        do throws(HTTPClientError) {
            let answer = try await http.send(request)
            return .status(answer.status, retryAfter: ResponseClassifier.parseRetryAfter(answer.header("Retry-After")))
        } catch {
            // The message names the host only: a webhook URL carries its own secret.
            return .unreachable(error.description)
        }
    }
}
