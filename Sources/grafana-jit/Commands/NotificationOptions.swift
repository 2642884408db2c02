import AccessModel
import Controller
import Foundation
import GrafanaAPI
import HTTPClient

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
            "notify-url-file", "FILE", environment: "GRAFANA_JIT_NOTIFY_URL_FILE",
            help: "File of --notify-url URLs, one per line: keeps the webhooks' secrets off the command line."),
        .value(
            "notify-slack-url-file", "FILE", environment: "GRAFANA_JIT_NOTIFY_SLACK_URL_FILE",
            help: "File of --notify-slack-url URLs, one per line."),
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
                guard let url = Self.webhookURL(text) else {
                    // The URL may hold the webhook's secret: name its scheme only.
                    let shown = URL(string: text)?.scheme.map { "\($0)://…" } ?? "a URL without a scheme"
                    throw .invalidValue(option: option, value: shown, expected: "an http or https URL")
                }
                destinations.append(WebhookDestination(url: url, format: format))
            }
            if let file = arguments.value(option + "-file") {
                destinations += try Self.urls(inFile: file, option: option + "-file").map {
                    WebhookDestination(url: $0, format: format)
                }
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

    /// The URLs of a file, one per line; blank lines and surrounding whitespace are ignored. Errors name the file
    /// and line, never the text: a webhook URL is a secret.
    static func urls(inFile path: String, option: String) throws(UsageError) -> [URL] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidValue(option: option, value: path, expected: "a readable file of URLs, one per line")
        }
        var urls: [URL] = []
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (index, line) in lines.enumerated() {
            let text = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            guard let url = webhookURL(text) else {
                throw .invalidValue(
                    option: option, value: "\(path) line \(index + 1)", expected: "an http or https URL on each line")
            }
            urls.append(url)
        }
        return urls
    }

    /// An http(s) URL with a host, or nil.
    private static func webhookURL(_ text: String) -> URL? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            return nil
        }
        return url
    }

    /// Nil when no webhook is configured.
    /// `tls` is the options' (`--ca-file`, client certificate): receivers behind a private CA need it too.
    func makeNotifier(logger: Logger, metrics: ControllerMetrics, tls: TLSSettings) -> Notifier? {
        guard !destinations.isEmpty else { return nil }
        return Notifier(
            destinations: destinations,
            transport: HTTPWebhookTransport(userAgent: "grafana-jit/\(GrafanaJIT.version)", tls: tls),
            clock: SystemClock(), logger: logger, metrics: metrics)
    }
}
