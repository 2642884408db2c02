import AccessModel
import Controller
import Foundation
import GrafanaAPI

/// `run`'s webhook options: where notifications go and when expiring-soon notices are sent.
struct NotificationOptions {
    static let specs: [OptionSpec] = [
        .repeatable(
            "notify-url", "URL", environment: "GRAFANA_JIT_NOTIFY_URL",
            help: "POST each notification as JSON to this URL (repeatable)."),
        .repeatable(
            "notify-slack-url", "URL", environment: "GRAFANA_JIT_NOTIFY_SLACK_URL",
            help: "POST each notification as a Slack message to this incoming webhook (repeatable)."),
        .value(
            "notify-expiring", "DURATIONS", environment: "GRAFANA_JIT_NOTIFY_EXPIRING",
            help: "Lead times of the expiring-soon notice, comma-separated (default 1h,10m; 0 for none)."),
    ]

    let destinations: [WebhookDestination]
    let expiryNotices: [Duration]

    init(_ arguments: ParsedArguments) throws(UsageError) {
        var destinations: [WebhookDestination] = []
        for (option, format) in [("notify-url", WebhookFormat.generic), ("notify-slack-url", .slack)] {
            for text in arguments.all(option) {
                guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil
                else {
                    // The URL may hold the webhook's secret: name its scheme only.
                    let shown = URL(string: text)?.scheme.map { "\($0)://…" } ?? "a URL without a scheme"
                    throw .invalidValue(option: option, value: shown, expected: "an http or https URL")
                }
                destinations.append(WebhookDestination(url: url, format: format))
            }
        }
        self.destinations = destinations
        let leads = arguments.value("notify-expiring") ?? "1h,10m"
        if leads == "0" {
            expiryNotices = []
        } else {
            var parsed: [Duration] = []
            for part in leads.split(separator: ",") {
                let text = part.trimmingCharacters(in: .whitespaces)
                guard let lead = Duration(text: text) else {
                    throw .invalidValue(
                        option: "notify-expiring", value: leads, expected: "durations like 1h,10m, or 0")
                }
                parsed.append(lead)
            }
            expiryNotices = parsed
        }
    }

    /// Nil when no webhook is configured.
    func makeNotifier(logger: Logger, metrics: ControllerMetrics) -> Notifier? {
        guard !destinations.isEmpty else { return nil }
        return Notifier(
            destinations: destinations,
            transport: URLSessionWebhookTransport(userAgent: "grafana-jit/\(GrafanaJIT.version)"),
            clock: SystemClock(), logger: logger, metrics: metrics)
    }
}
