import Foundation

/// The review's tables: every cell escaped; numbers and times carry `data-v` so that sorting compares values.
extension ReviewHTML {
    static func grantsTable(_ grants: [GrantReview]) -> String {
        let header = [
            "Grant", "Subject", "Access", "Requested window", "Asked", "Held", "Ended", "Late", "Flags", "Reason",
            "Ticket", "Approvers", "Policy", "Commit",
        ]
        let rows = grants.map { grant -> String in
            let flags = ReviewFlags(grant).names.map { "<span class=\"flag\">\($0.html)</span>" }.joined()
            let commit =
                (grant.commit.map { String($0.prefix(12)) } ?? "-")
                + (grant.pullRequest.map { " (#\($0))" } ?? "")
            let cells = [
                cell(grant.grant), cell(grant.subject), cell(grant.access.joined(separator: "; ")),
                cell(
                    grant.startsAt == nil && grant.expiresAt == nil
                        ? "-" : "\(ReviewText.time(grant.startsAt)) – \(ReviewText.time(grant.expiresAt))",
                    sortBy: grant.startsAt.map { "\($0.timeIntervalSince1970)" }),
                number(grant.requestedSeconds), number(grant.heldSeconds),
                cell(
                    grant.ending.words
                        + ([.active, .pending].contains(grant.ending)
                            ? "" : grant.endedAt.map { " " + ReviewText.time($0) } ?? ""),
                    sortBy: nil),
                number(grant.lateSeconds), "<td>\(flags)</td>", cell(grant.reason ?? "-"), cell(grant.ticket ?? "-"),
                cell(grant.approvers.isEmpty ? "-" : grant.approvers.joined(separator: ", ")),
                cell(grant.policy ?? "-"), cell(commit),
            ]
            let flagged = ReviewFlags(grant).names.isEmpty ? "" : " class=\"flagged\""
            return "<tr id=\"grant-\(anchor(grant))\"\(flagged)>\(cells.joined())</tr>"
        }
        return section(
            "Grants", id: "grants", table(header, rows, empty: "No grant was active or decided in the period."))
    }

    static func totalsTable(
        _ title: String, first: String, others: String, _ totals: [UsageTotal], id: String
    ) -> String {
        let header = [first, "Grants", "Denied", "Held in period", "Revoked late", "Break-glass", others]
        let rows = totals.map { total in
            "<tr>"
                + [
                    cell(total.name), number(Double(total.grants), plain: true),
                    number(Double(total.denied), plain: true), number(total.heldSeconds),
                    number(Double(total.late), plain: true), number(Double(total.breakGlass), plain: true),
                    cell(total.counterparts.joined(separator: ", ")),
                ].joined() + "</tr>"
        }
        return section(title, id: id, table(header, rows, empty: "Nothing in the period."))
    }

    static func deniedTable(_ grants: [GrantReview]) -> String {
        let rows = grants.map { grant in
            "<tr>"
                + [
                    cell(grant.grant), cell(grant.subject), cell(grant.access.joined(separator: "; ")),
                    cell(ReviewText.time(grant.endedAt), sortBy: grant.endedAt.map { "\($0.timeIntervalSince1970)" }),
                    "<td><ul>" + grant.denialReasons.map { "<li>\($0.html)</li>" }.joined() + "</ul></td>",
                ].joined() + "</tr>"
        }
        return section(
            "Denied requests", id: "denied",
            table(["Grant", "Subject", "Access", "Denied at", "Reasons"], rows, empty: "No request was denied."))
    }

    static func revocationTables(_ review: AccessReview) -> String {
        func row(_ attempt: RevocationAttempt) -> String {
            "<tr>"
                + [
                    cell(ReviewText.time(attempt.time), sortBy: "\(attempt.time.timeIntervalSince1970)"),
                    cell(attempt.grants.joined(separator: ", ")), cell(attempt.subject), cell(attempt.resource),
                    cell(attempt.error),
                ].joined() + "</tr>"
        }
        let outstanding = review.outstandingRevocations.map { entry in
            "<tr class=\"flagged\">"
                + [
                    cell(entry.subject), cell(entry.resource), cell(entry.permission),
                    cell(entry.grants.joined(separator: ", ")),
                    cell(ReviewText.time(entry.since), sortBy: "\(entry.since.timeIntervalSince1970)"),
                    cell(entry.isPending ? "revocation written ahead, not yet confirmed" : "grants ended"),
                ].joined() + "</tr>"
        }
        return section(
            "Failed revocations", id: "failed",
            table(
                ["Time", "Grants", "Subject", "Resource", "Error"], review.failedRevocations.map(row),
                empty: "No revocation failed."))
            + section(
                "Revocations held by the safety brake", id: "held",
                table(
                    ["Time", "Grants", "Subject", "Resource", "Why"], review.heldRevocations.map(row),
                    empty: "The safety brake held no revocation."))
            + section(
                "Outstanding revocations (in the ledger now)", id: "outstanding",
                table(
                    ["Subject", "Resource", "Level", "Grants", "Held since", "State"], outstanding,
                    empty: "Nothing is left to revoke."))
    }

    static func standingTable(_ entries: [StandingEntry]?) -> String {
        guard let entries else {
            return section(
                "Standing access", id: "standing",
                "<p>Not checked: give <code>--grafana-url</code> to list access no grant holds.</p>")
        }
        var text = ""
        for kind in ["datasource", "team", "folder"] {
            let rows = entries.filter { $0.resourceKind == kind }.map { entry in
                "<tr>"
                    + [
                        cell(entry.resource), cell("\(entry.principalKind) \(entry.principal)"), cell(entry.level),
                        cell([entry.grafana, entry.org.map { "org \($0)" }].compactMap { $0 }.joined(separator: " ")),
                    ].joined() + "</tr>"
            }
            let title = ["datasource": "Data sources", "team": "Teams", "folder": "Folders"][kind] ?? kind
            text += "<h3>\(title)</h3>" + table(["Resource", "Who", "Level", "Grafana"], rows, empty: "None.")
        }
        return section("Standing access (held by no grant)", id: "standing", text)
    }

    private static func section(_ title: String, id: String, _ content: String) -> String {
        "<section id=\"\(id)\"><h2>\(title.html)</h2>\(content)</section>\n"
    }

    private static func table(_ header: [String], _ rows: [String], empty: String) -> String {
        guard !rows.isEmpty else { return "<p>\(empty.html)</p>" }
        return "<table class=\"sortable\"><thead><tr>" + header.map { "<th>\($0.html)</th>" }.joined()
            + "</tr></thead><tbody>\n" + rows.joined(separator: "\n") + "\n</tbody></table>"
    }

    private static func cell(_ text: String, sortBy value: String? = nil) -> String {
        "<td\(value.map { " data-v=\"\($0.html)\"" } ?? "")>\(text.html)</td>"
    }

    /// A length (`1h30m`) or, `plain`, a count; sorted by its value, blanks first.
    private static func number(_ value: Double?, plain: Bool = false) -> String {
        let text = value.map { plain ? String(Int($0)) : ReviewText.length($0) } ?? "-"
        return "<td class=\"n\" data-v=\"\(value.map { String($0) } ?? "-1")\">\(text.html)</td>"
    }
}
