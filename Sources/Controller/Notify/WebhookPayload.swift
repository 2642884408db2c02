import AccessModel
import Foundation

/// How a notification is written for a receiver: grafana-jit's own JSON object, or a Slack incoming-webhook message.
package enum WebhookFormat: String, Sendable, Equatable {
    case generic
    case slack

    func body(for notification: GrantNotification) -> Data {
        let object: [String: Any] =
            switch self {
            case .generic: Self.generic(notification)
            case .slack: Self.slack(notification)
            }
        // Strings, numbers, arrays and NSNull only: serialization cannot fail.
        return (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
            ?? Data()
    }

    /// Every field always present (null when unknown), so receivers can rely on the shape.
    private static func generic(_ notification: GrantNotification) -> [String: Any] {
        [
            "event": notification.event.rawValue,
            "grant": notification.grant,
            "subject": notification.subject,
            "grafana": notification.grafana ?? NSNull(),
            "org": notification.org ?? NSNull(),
            "resources": notification.resources,
            "message": notification.message,
            "expiresAt": notification.expiresAt?.rfc3339 ?? NSNull(),
            "reasons": notification.reasons,
            "commit": notification.commit ?? NSNull(),
            "pullRequest": notification.pullRequest ?? NSNull(),
            "time": notification.time.rfc3339,
        ]
    }

    /// `text` is what the notification preview shows; `blocks` lay the same facts out in the channel.
    private static func slack(_ notification: GrantNotification) -> [String: Any] {
        let title = notification.event.title
        var details = notification.reasons.map { "• " + escaped($0) }
        details += notification.resources.map { "• " + escaped($0) }
        var context = ["grant `\(escaped(notification.grant))`"]
        if let grafana = notification.grafana { context.append("Grafana \(escaped(grafana))") }
        if let org = notification.org { context.append("org \(org)") }
        if let commit = notification.commit { context.append("commit \(commit.prefix(12))") }
        if let pullRequest = notification.pullRequest { context.append("PR #\(pullRequest)") }
        var blocks: [[String: Any]] = [
            [
                "type": "section",
                "text": ["type": "mrkdwn", "text": "*\(title)*\n\(escaped(notification.message))"],
            ]
        ]
        if !details.isEmpty {
            blocks.append(["type": "section", "text": ["type": "mrkdwn", "text": details.joined(separator: "\n")]])
        }
        blocks.append([
            "type": "context", "elements": [["type": "mrkdwn", "text": context.joined(separator: " · ")]],
        ])
        return ["text": escaped("\(title): \(notification.message)"), "blocks": blocks]
    }

    /// Slack's mrkdwn treats `&`, `<` and `>` as markup (links, mentions); control characters are escaped too.
    private static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").inert
    }
}

/// Where notifications go and in which format.
package struct WebhookDestination: Sendable, Equatable {
    package var url: URL
    package var format: WebhookFormat

    package init(url: URL, format: WebhookFormat) {
        self.url = url
        self.format = format
    }

    /// Scheme, host and port, for logs: webhook URLs carry their secret in the path (Slack's do) or the user part.
    package var label: String {
        let port = url.port.map { ":\($0)" } ?? ""
        return "\(url.scheme ?? "http")://\(url.host ?? "?")\(port) (\(format.rawValue))"
    }
}
