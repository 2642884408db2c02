import AccessModel
import Controller
import Foundation

/// `--format csv`: one row per grant event in the period, with the grant's figures repeated on each row so that a
/// spreadsheet can filter and pivot without joins. RFC 4180: CRLF line ends, fields quoted when they hold a comma,
/// quote or line break; a cell a spreadsheet would run as a formula is defused.
package enum ReviewCSV {
    static let header = [
        "time", "grant", "event", "outcome", "subject", "resource", "permission", "previous", "error", "grantSubject",
        "access", "reason", "ticket", "approvers", "policy", "commit", "pullRequest", "startsAt", "expiresAt",
        "requestedSeconds", "activatedAt", "revokedAt", "heldSeconds", "ending", "lateSeconds", "flags", "grafana",
        "org", "source",
    ]

    package static func render(_ review: AccessReview) -> String {
        var rows = [header]
        for grant in review.grants {
            for event in grant.events {
                rows.append(row(event, of: grant))
            }
        }
        return rows.map { $0.map(field).joined(separator: ",") + "\r\n" }.joined()
    }

    private static func row(_ event: GrantEvent, of grant: GrantReview) -> [String] {
        [
            time(event.time), grant.grant, event.event, event.outcome, event.subject ?? "", event.resource ?? "",
            event.permission ?? "", event.previous ?? "", event.error ?? "", grant.subject,
            grant.access.joined(separator: "; "), grant.reason ?? "", grant.ticket ?? "",
            grant.approvers.joined(separator: "; "), grant.policy ?? "", grant.commit ?? "",
            grant.pullRequest.map(String.init) ?? "", time(grant.startsAt), time(grant.expiresAt),
            seconds(grant.requestedSeconds), time(grant.activatedAt), time(grant.revokedAt),
            seconds(grant.heldSeconds), grant.ending.rawValue, seconds(grant.lateSeconds),
            ReviewFlags(grant).names.joined(separator: " "), grant.grafana ?? "", grant.org.map(String.init) ?? "",
            event.source,
        ]
    }

    private static func time(_ date: Date?) -> String { date?.rfc3339 ?? "" }

    private static func seconds(_ value: Double?) -> String { value.map { String(Int($0.rounded())) } ?? "" }

    /// A CSV field: control and bidirectional characters escaped (`\n`, `\u{202e}`: one record per line, read in
    /// order), a leading `=`, `+`, `-`, `@` gets a `'` so spreadsheets show it as text (OWASP's advice against
    /// formula injection); then RFC 4180 quoting.
    static func field(_ text: String) -> String {
        var text = text.inert
        if let first = text.unicodeScalars.first, "=+-@".unicodeScalars.contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
