import Controller
import HTTPServer
import Metrics

/// What `run --listen` serves: Prometheus metrics, liveness and readiness.
enum OperationsEndpoints {
    /// Scrapes and probes are small GETs, so a connection holds a few KiB and never a body (413 before reading it);
    /// idle connections go after 5 s, or sooner to make room at the cap, so a flood of them cannot lock out the
    /// kubelet's probes (issue: 60 4 MiB bodies took the process past its memory limit, 512 idle ones refused probes).
    static var limits: HTTPServer.Limits {
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 0
        limits.maxHeaderBytes = 8 * 1024
        limits.readBufferBytes = 2 * 1024
        limits.idleTimeoutSeconds = 5
        limits.requestTimeout = .seconds(5)
        limits.maxConnections = 64
        return limits
    }

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
