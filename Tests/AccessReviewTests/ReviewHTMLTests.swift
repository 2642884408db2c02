import Foundation
import Testing

@testable import AccessReview
@testable import Controller

struct ReviewHTMLTests {
    let hostile = "<script>alert('x')</script>\"\u{202E}gpj.exe"

    private var hostileReview: AccessReview {
        var events = ReviewFixtures.history
        events[1].reason = hostile
        events[1].ticket = "\"><img src=x onerror=alert(1)>"
        events[0].resource = hostile
        var review = ReviewFixtures.review(events)
        review.standingAccess = [
            StandingEntry(
                grafana: "default", org: nil, resourceKind: "datasource", resource: hostile, principalKind: "user",
                principal: hostile, level: "Admin")
        ]
        return review
    }

    @Test func everythingFromFilesAndGrafanaIsEscaped() {
        let html = ReviewHTML.render(hostileReview)
        #expect(!html.contains("<script>alert"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("\u{202E}"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot;\\u{202e}gpj.exe"))
        // The page's own script is the only one.
        #expect(html.components(separatedBy: "<script>").count == 2)
    }

    @Test func thePageIsSelfContained() {
        let html = ReviewHTML.render(hostileReview)
        for reference in ["src=", "href=\"http", "@import", "url(http", "<link"] {
            #expect(!html.contains(reference), "\(reference)")
        }
        #expect(html.contains("Content-Security-Policy\" content=\"default-src 'none'"))
        #expect(html.contains("@media print"))
    }

    @Test func itHasTheHeaderTimelinesAndSortableTables() {
        let review = ReviewFixtures.review(ReviewFixtures.history)
        let html = ReviewHTML.render(review)
        #expect(html.contains("<time id=\"generated\">\(ReviewText.time(review.generatedAt))</time>"))
        #expect(html.components(separatedBy: "<svg ").count - 1 == 2)
        #expect(html.contains("<h3>prod-logs</h3>") && html.contains("<h3>prod-metrics</h3>"))
        for id in ["attention", "timeline", "grants", "users", "resources", "denied", "failed", "outstanding"] {
            #expect(html.contains("<section id=\"\(id)\">"), "\(id)")
        }
        #expect(html.contains("<table class=\"sortable\">"))
        #expect(html.contains("<tr id=\"grant-default-dave-logs\" class=\"flagged\">"))
        #expect(html.contains("revoked 2m late"))
        #expect(html.contains("Not checked: give <code>--grafana-url</code>"))
    }
}
