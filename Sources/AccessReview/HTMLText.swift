import AccessModel
import Controller
import Foundation

extension String {
    /// Safe as HTML text or a quoted attribute value: `& < > " '` as entities, and control and bidirectional
    /// characters shown escaped (`\u{202e}`) rather than obeyed, since names come from files and from Grafana.
    var html: String {
        var result = ""
        result.reserveCapacity(count)
        for character in inert {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }
}

/// How the review writes times and lengths for people.
enum ReviewText {
    /// `2026-11-21 14:00:00Z`, or `-`.
    static func time(_ date: Date?) -> String {
        guard let date else { return "-" }
        return date.rfc3339.replacingOccurrences(of: "T", with: " ")
    }

    /// `4h`, `1h30m`, `12s`, `0s`, or `-`.
    static func length(_ seconds: Double?) -> String {
        guard let seconds else { return "-" }
        return Duration.seconds(Int64(seconds.rounded())).text
    }
}
