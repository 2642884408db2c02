import Foundation

/// `--format html`: one self-contained page (no external script, style, font or image; a Content-Security-Policy
/// forbids fetching any), readable on paper, with a timeline per resource and tables a click sorts.
package enum ReviewHTML {
    package static func render(_ review: AccessReview) -> String {
        let title = "Access review \(ReviewText.time(review.period.from)) to \(ReviewText.time(review.period.to))"
        var body = header(review, title: title)
        body += attention(review)
        body += timelines(review)
        body += grantsTable(review.grants)
        body += totalsTable("Per user", first: "User", others: "Resources", review.users, id: "users")
        body += totalsTable("Per resource", first: "Resource", others: "Subjects", review.resources, id: "resources")
        body += deniedTable(review.grants.filter { $0.ending == .denied || !$0.denialReasons.isEmpty })
        body += revocationTables(review)
        body += standingTable(review.standingAccess)
        body += problems(review.problems)
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title.html)</title>
            <style>\(style)</style>
            </head>
            <body>
            \(body)<script>\(sorting)</script>
            </body>
            </html>

            """
    }

    private static func header(_ review: AccessReview, title: String) -> String {
        let active = review.grants.filter { $0.activatedAt != nil }
        let figures: [(String, String)] = [
            ("grants active in the period", "\(active.count)"),
            ("denied requests", "\(review.grants.filter { $0.ending == .denied }.count)"),
            ("revoked late", "\(review.grants.filter(\.isLate).count)"),
            ("held longer than asked", "\(review.grants.filter(\.heldLongerThanAsked).count)"),
            ("break-glass", "\(review.grants.filter(\.breakGlass).count)"),
            ("on-call waived", "\(review.grants.filter(\.onCallWaiver).count)"),
            ("failed revocations", "\(review.failedRevocations.count)"),
            ("held revocations", "\(review.heldRevocations.count)"),
            ("outstanding revocations", "\(review.outstandingRevocations.count)"),
            ("standing access entries", review.standingAccess.map { "\($0.count)" } ?? "not checked"),
        ]
        return """
            <header>
            <h1>\(title.html)</h1>
            <p class="meta">Period <time>\(ReviewText.time(review.period.from))</time> to <time>\(ReviewText.time(review.period.to))</time> \
            · generated <time id="generated">\(ReviewText.time(review.generatedAt))</time> \
            · revocations later than \(ReviewText.length(review.lateAfter)) are flagged late \
            · audit trail: \(review.auditFiles.map(\.html).joined(separator: ", "))</p>
            <dl class="figures">\(figures.map { "<div><dt>\($0.0.html)</dt><dd>\($0.1.html)</dd></div>" }.joined())</dl>
            </header>

            """
    }

    /// What a reviewer must look at first: late or over-long access, failures, break-glass and waived approvals.
    private static func attention(_ review: AccessReview) -> String {
        var items: [String] = []
        for grant in review.grants {
            let flags = ReviewFlags(grant).names
            guard !flags.isEmpty else { continue }
            var words: [String] = []
            if grant.isLate { words.append("revoked \(ReviewText.length(grant.lateSeconds)) late") }
            if grant.heldLongerThanAsked {
                words.append(
                    "held \(ReviewText.length(grant.heldSeconds)), asked \(ReviewText.length(grant.requestedSeconds))")
            }
            if grant.failedRevocations > 0 { words.append("\(grant.failedRevocations) failed revocation(s)") }
            if grant.heldRevocations > 0 { words.append("revocation held by the safety brake") }
            if grant.breakGlass { words.append("break-glass") }
            if grant.onCallWaiver { words.append("approval waived while on call") }
            items.append(
                "<li class=\"flagged\"><a href=\"#grant-\(anchor(grant))\">\(grant.grant.html)</a> "
                    + "(\(grant.subject.html)): \(words.joined(separator: "; ").html)</li>")
        }
        for entry in review.outstandingRevocations {
            items.append(
                "<li class=\"flagged\">still held: \(entry.subject.html) on \(entry.resource.html) "
                    + "(\(entry.permission.html), grants \(entry.grants.joined(separator: ", ").html))</li>")
        }
        guard !items.isEmpty else {
            return "<section id=\"attention\"><h2>Needs attention</h2><p>Nothing flagged.</p></section>\n"
        }
        return "<section id=\"attention\"><h2>Needs attention</h2><ul>\(items.joined())</ul></section>\n"
    }

    /// A fragment id from a grant's name and place; names are DNS-1123, but the place is escaped anyway.
    static func anchor(_ grant: GrantReview) -> String {
        let place = [grant.grafana, grant.org.map(String.init)].compactMap { $0 }.joined(separator: "-")
        return (place.isEmpty ? grant.grant : place + "-" + grant.grant).html
    }

    private static func problems(_ problems: [String]) -> String {
        guard !problems.isEmpty else { return "" }
        return "<section id=\"problems\"><h2>Problems reading the sources</h2><ul>"
            + problems.map { "<li>\($0.html)</li>" }.joined() + "</ul></section>\n"
    }

    private static let style = """
        body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:1.5rem;color:#111}
        h1{font-size:1.5rem;margin:0 0 .3rem}h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid #ccc}
        h3{font-size:1rem;margin:1rem 0 .3rem}.meta{color:#444;margin:.2rem 0 .8rem}
        .figures{display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;margin:0}.figures div{border:1px solid #ccc;padding:.3rem .6rem}
        .figures dt{font-size:.8rem;color:#555}.figures dd{margin:0;font-size:1.2rem;font-weight:600}
        table{border-collapse:collapse;width:100%;font-size:.85rem}th,td{border:1px solid #ccc;padding:.2rem .4rem;
        text-align:left;vertical-align:top;overflow-wrap:anywhere}th{background:#eee;cursor:pointer;user-select:none;overflow-wrap:normal}
        th[data-dir=a]::after{content:" \\25B2"}th[data-dir=d]::after{content:" \\25BC"}
        td.n{text-align:right;white-space:nowrap}tr.flagged td,li.flagged{background:#fff1e6}.flag{display:inline-block;
        border:1px solid #b45309;color:#b45309;border-radius:3px;padding:0 .25rem;margin:0 .15rem .1rem 0;font-size:.75rem}
        svg{display:block;max-width:100%;height:auto;margin-bottom:.6rem}svg text{font:11px system-ui,sans-serif;fill:#222}
        .legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:.8rem;height:.8rem;
        margin-right:.3rem;vertical-align:middle}
        @media print{body{margin:0;font-size:10pt}th{cursor:auto}th::after{content:""!important}
        section,svg,tr{break-inside:avoid}h2{break-after:avoid}a{color:inherit;text-decoration:none}
        tr.flagged td,li.flagged,th{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
        """

    /// Clicking a header sorts its table by that column (numbers by `data-v`), again to reverse.
    private static let sorting = """
        document.querySelectorAll("table.sortable th").forEach(function(th){th.tabIndex=0;
        th.addEventListener("click",function(){var t=th.closest("table"),b=t.tBodies[0],i=th.cellIndex,
        d=th.dataset.dir==="a"?"d":"a";t.querySelectorAll("th").forEach(function(h){delete h.dataset.dir});
        th.dataset.dir=d;function k(r){var c=r.cells[i];return c.dataset.v!==undefined?parseFloat(c.dataset.v):c.textContent}
        Array.from(b.rows).sort(function(x,y){var p=k(x),q=k(y),c=typeof p==="number"?p-q:p.localeCompare(q);
        return d==="a"?c:-c}).forEach(function(r){b.appendChild(r)})})});
        """
}
