import Foundation
import TestSupport
import Testing

/// The HTML review as a browser shows it: Debian's Chromium, headless, renders it to a PNG and dumps the DOM after
/// the page's script ran. Skipped where no Chromium is installed (`.ci/ensure-deps --test` installs it when it can).
struct ReviewRenderingEndToEndTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// A short history with hostile names: a script tag, quotes and a right-to-left override.
    static let trail =
        [
            #"{"event":"permission.granted","grafana":"default","grant":"alice-logs","outcome":"success","permission":"Query","previous":"none","resource":"prod-logs","subject":"alice@example.com","time":"2026-11-02T09:00:00.100Z"}"#,
            #"{"approvers":["bob@example.com"],"event":"grant.activated","expiresAt":"2026-11-02T13:00:00Z","grafana":"default","grant":"alice-logs","outcome":"Active","policy":"prod","reason":"<script>alert('x')</script> \"quoted\" \u202Egpj.exe","resource":"Query on data source prod-logs","startsAt":"2026-11-02T09:00:00Z","subject":"user alice@example.com","ticket":"INC-1","time":"2026-11-02T09:00:00Z"}"#,
            #"{"event":"permission.revoked","grafana":"default","grant":"alice-logs","outcome":"failure","error":"Grafana answered 500","permission":"none","previous":"Query","resource":"prod-logs","subject":"alice@example.com","time":"2026-11-02T13:00:00.200Z"}"#,
            #"{"event":"grant.expired","grafana":"default","grant":"alice-logs","outcome":"Expired","resource":"Query on data source prod-logs","subject":"user alice@example.com","time":"2026-11-02T13:00:00.100Z"}"#,
            #"{"event":"permission.revoked","grafana":"default","grant":"alice-logs","outcome":"success","permission":"none","previous":"Query","resource":"prod-logs","subject":"alice@example.com","time":"2026-11-02T13:20:00Z"}"#,
            #"{"event":"permission.granted","grafana":"default","grant":"dave-team","outcome":"success","permission":"Member","previous":"none","resource":"<img src=x onerror=alert(1)>","subject":"dave@example.com","time":"2026-11-03T10:00:00Z"}"#,
            #"{"event":"grant.activated","breakGlass":true,"expiresAt":"2026-11-03T12:00:00Z","grafana":"default","grant":"dave-team","outcome":"Active","resource":"Member of team <img src=x onerror=alert(1)>","startsAt":"2026-11-03T10:00:00Z","subject":"user dave@example.com","time":"2026-11-03T10:00:00Z"}"#,
            #"{"error":"spec.duration: the window of 2d exceeds maxDuration 1d of policy prod","event":"grant.denied","grafana":"default","grant":"frank-admin","outcome":"Denied","resource":"Admin on data source prod-logs","subject":"user frank@example.com","time":"2026-11-04T08:00:00Z"}"#,
        ].joined(separator: "\n") + "\n"

    @Test(.enabled(if: chromium != nil, "no Chromium installed (.ci/ensure-deps --test installs Debian's chromium)"))
    func chromiumRendersTheReviewAndRunsItsScript() async throws {
        let chromium = try #require(Self.chromium)
        let directory = try TemporaryDirectory()
        try directory.write("state/audit.jsonl", Self.trail)
        let page = directory.path + "/review.html"
        let review = try await BinaryRun.grafanaJIT(
            ["review", "--state", directory.path + "/state", "--from", "2026-11-01", "--to", "2026-11-05"]
                + ["--output", page])
        #expect(review.status == 0, "\(review.stderr)")
        let browser = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            "--user-data-dir=\(directory.path)/profile", "--window-size=1200,1600",
        ]
        let png = directory.path + "/review.png"
        let shot = try await BinaryRun.run(
            chromium, browser + ["--screenshot=\(png)", "file://\(page)"], in: directory.path)
        let bytes = try #require(FileManager.default.contents(atPath: png), "\(shot.stderr)")
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) && bytes.count > 20_000, "\(bytes.count) bytes")
        // The DOM after the page's script ran: every header was made focusable, nothing hostile became an element.
        let dom = try await BinaryRun.run(chromium, browser + ["--dump-dom", "file://\(page)"], in: directory.path)
        #expect(dom.stdout.contains("<th tabindex=\"0\">Grant</th>"), "\(dom.stderr)")
        #expect(dom.stdout.components(separatedBy: "<script").count == 2)
        #expect(!dom.stdout.contains("<img") && dom.stdout.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(dom.stdout.contains("\\u{202e}gpj.exe"))
    }
}
