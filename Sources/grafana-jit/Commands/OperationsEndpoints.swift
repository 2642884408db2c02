import Controller
import HTTPServer
import Metrics

/// What `run --listen` serves: Prometheus metrics, liveness and readiness.
enum OperationsEndpoints {
    static func answer(_ request: HTTPRequest, metrics: MetricsRegistry, readiness: Readiness) -> HTTPResponse {
        guard request.method == "GET" || request.method == "HEAD" else {
            return .text(405, "method not allowed\n")
        }
        switch request.path {
        case "/metrics":
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/plain; version=0.0.4; charset=utf-8")],
                body: Array(metrics.render().utf8))
        case "/healthz":
            return .text(200, "ok\n")
        case "/readyz":
            let status = readiness.status
            return .text(status.ready ? 200 : 503, status.reason + "\n")
        default:
            return .text(404, "not found: try /metrics, /healthz or /readyz\n")
        }
    }
}
