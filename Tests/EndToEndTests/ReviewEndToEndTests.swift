import Foundation
import TestSupport
import Testing

/// `review` over a history the real controller wrote against the simulator: grants expired on time, deleted,
/// denied, and revoked late after failed revocations; then the review in each format, with its figures.
struct ReviewEndToEndTests {
    private func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    private func audit(_ work: ControllerWorkspace) -> String {
        (try? String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)) ?? ""
    }

    @Test func aScriptedHistoryIsReviewedInEveryFormat() async throws {
        let work = try await ControllerWorkspace.start()
        // Only the late grant's end is timed against the test's steps: a generous margin for a loaded machine.
        let lateEnd = Date().addingTimeInterval(25)
        try work.grant(
            "late", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Edit}]", expiresAt: lateEnd)
        try work.grant("deleted", user: "erin@example.com", access: "[{team: sre-leads}]")
        try work.grant(
            "denied", user: "frank@example.com", access: "[{dataSource: prod-logs, permission: Query}]",
            duration: "2d")
        let daemon = try await ControllerProcess.start(work, extra: ["--resync", "1s", "--write-deadline", "1s"])
        #expect(
            try await work.eventually(within: 20) {
                let access = try await work.access()
                return access.contains("dave@loki-prod=Edit") && access.contains("erin@sre-leads=Member")
            })
        try work.remove("deleted")
        #expect(try await work.eventually(within: 20) { try await !work.access().contains("erin@sre-leads=Member") })
        // Every write fails from before the late grant's end until its revocation has failed and it is 5 s overdue.
        try await work.control("PUT", "/__sim/faults", body: #"{"writeErrorRate": 1}"#)
        try #require(Date() < lateEnd, "the machine was too slow to fail the late grant's revocation")
        #expect(
            try await work.eventually(within: 60) {
                Date() > lateEnd.addingTimeInterval(5)
                    && self.audit(work).split(separator: "\n").contains {
                        $0.contains(#""grant":"late""#) && $0.contains(#""event":"permission.revoked""#)
                            && $0.contains(#""outcome":"failure""#)
                    }
            })
        try await work.control("PUT", "/__sim/faults", body: "{}")
        #expect(try await work.eventually(within: 30) { try await !work.access().contains("dave@loki-prod=Edit") })
        // Written only now, so that its end comes while every write works.
        try work.grant(
            "on-time", access: "[{dataSource: prod-metrics, permission: Query}]",
            expiresAt: Date().addingTimeInterval(6))
        #expect(try await work.eventually(within: 20) { try await work.access().contains("alice@prom-prod=Query") })
        #expect(try await work.eventually(within: 30) { try await !work.access().contains("alice@prom-prod=Query") })
        _ = await daemon.stop()

        let review = ["review", "--state", work.state, "--since", "1h", "--late-after", "3s"]
        let environment = ["GRAFANA_TOKEN": "glsa_simulator_controller_token"]
        let jsonRun = try await BinaryRun.grafanaJIT(
            review + ["--format", "json", "--grafana-url", work.simulator.url], environment: environment)
        #expect(jsonRun.status == 0, "\(jsonRun.stderr)")
        #expect(!(jsonRun.stdout + jsonRun.stderr).contains("glsa_simulator_controller_token"))
        let document = try json(jsonRun.stdout)
        let grants = try #require(document["grants"] as? [[String: Any]])
        func grant(_ name: String) throws -> [String: Any] {
            try #require(grants.first { $0["grant"] as? String == name }, "\(name) in \(grants)")
        }
        let onTime = try grant("on-time")
        #expect(onTime["ending"] as? String == "expired" && onTime["isLate"] as? Bool == false, "\(onTime)")
        #expect((onTime["lateSeconds"] as? Double ?? 99) < 3, "\(onTime)")
        #expect((onTime["heldSeconds"] as? Double ?? 0) > 3, "\(onTime)")
        let late = try grant("late")
        #expect(late["ending"] as? String == "expired" && late["isLate"] as? Bool == true, "\(late)")
        #expect((late["lateSeconds"] as? Double ?? 0) >= 5, "\(late)")
        #expect((late["failedRevocations"] as? Int ?? 0) >= 1 && late["heldLongerThanAsked"] as? Bool == true)
        #expect(late["subject"] as? String == "user dave@example.com" && late["reason"] as? String == "end-to-end test")
        #expect(late["access"] as? [String] == ["Edit on data source prod-logs"] && late["policy"] as? String == "open")
        #expect(try grant("deleted")["ending"] as? String == "deleted")
        let denied = try grant("denied")
        #expect(denied["ending"] as? String == "denied" && denied["activatedAt"] == nil, "\(denied)")
        #expect((denied["denialReasons"] as? [String])?.contains { $0.contains("exceeds maxDuration") } == true)
        let failed = try #require(document["failedRevocations"] as? [[String: Any]])
        #expect(!failed.isEmpty && failed.allSatisfy { $0["grants"] as? [String] == ["late"] }, "\(failed)")
        let users = try #require(document["users"] as? [[String: Any]])
        let dave = try #require(users.first { $0["name"] as? String == "dave@example.com" })
        #expect(
            dave["grants"] as? Int == 1 && dave["late"] as? Int == 1
                && dave["counterparts"] as? [String] == ["prod-logs"])
        let frank = try #require(users.first { $0["name"] as? String == "frank@example.com" })
        #expect(frank["denied"] as? Int == 1 && frank["grants"] as? Int == 0)
        // The fixture's hand-made access to prod-logs is standing: no grant holds it.
        let standing = try #require(document["standingAccess"] as? [[String: Any]])
        #expect(!standing.isEmpty && standing.allSatisfy { $0["principal"] as? String != "dave" }, "\(standing)")
        #expect(try #require(document["outstandingRevocations"] as? [Any]).isEmpty)

        let csv = try await BinaryRun.grafanaJIT(review + ["--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        let rows = csv.stdout.components(separatedBy: "\r\n").dropLast()
        let events = grants.reduce(0) { $0 + (($1["events"] as? [Any])?.count ?? 0) }
        #expect(rows.count == 1 + events && rows.first?.hasPrefix("time,grant,event,outcome,") == true)
        #expect(rows.contains { $0.contains(",late,permission.revoked,failure,dave@example.com,prod-logs,") })

        let page = work.directory.path + "/review.html"
        let html = try await BinaryRun.grafanaJIT(review + ["--output", page])
        #expect(html.status == 0 && html.stderr.contains("wrote the review of 4 grant(s) to \(page)"), "\(html.stderr)")
        let text = try String(contentsOfFile: page, encoding: .utf8)
        #expect(text.hasPrefix("<!DOCTYPE html>") && text.hasSuffix("</html>\n"))
        for resource in ["prod-logs", "prod-metrics", "sre-leads"] { #expect(text.contains("<h3>\(resource)</h3>")) }
        #expect(text.components(separatedBy: "<svg ").count - 1 == 3)
        #expect(text.contains("<tr id=\"grant-default-late\" class=\"flagged\">"))
        #expect(text.contains("Not checked: give <code>--grafana-url</code>"))
        _ = await work.simulator.stop()
    }

    @Test func aMalformedLineIsReportedAndTheReviewStillWritten() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "state/audit.jsonl",
            #"{"event":"grant.denied","grant":"g","outcome":"Denied","subject":"user a@example.com","time":"2026-11-01T10:00:00Z","error":"no policy allows it"}"#
                + "\n{\"event\": \"grant.activ\n")
        try directory.write(
            "state/audit.jsonl.1",
            #"{"event":"grant.denied","grant":"old","outcome":"Denied","time":"2026-10-01T10:00:00Z"}"# + "\n")
        let run = try await BinaryRun.grafanaJIT(
            [
                "review", "--state", directory.path + "/state", "--from", "2026-09-01", "--to", "2026-12-01",
                "--format", "csv",
            ])
        #expect(run.status == 1)
        #expect(
            run.stderr
                == "grafana-jit: warning: \(directory.path)/state/audit.jsonl:2: not a JSON object (cut off, or not an "
                + "audit line); the line is skipped\n")
        // CRLF ends each record (RFC 4180).
        let rows = run.stdout.components(separatedBy: "\r\n")
        #expect(rows.count == 4 && rows[1].hasPrefix("2026-10-01T10:00:00Z,old,grant.denied,Denied,"), "\(rows)")
    }

    @Test(arguments: [
        (["--format", "pdf"], "'pdf' is not valid for --format: expected html, csv or json"),
        ([], "'review' needs --format html, csv or json"),
        (["--format", "json", "--since", "1d", "--from", "2026-01-01"], "--since cannot be used with --from"),
        (["--format", "json", "--from", "2026-13-01"], "'2026-13-01' is not valid for --from"),
        (["--format", "json", "--since", "soon"], "'soon' is not valid for --since"),
    ])
    func badOptionsAreUsageErrors(extra: [String], message: String) async throws {
        let directory = try TemporaryDirectory()
        try directory.write("state/audit.jsonl", "")
        let run = try await BinaryRun.grafanaJIT(["review", "--state", directory.path + "/state"] + extra)
        #expect(run.status == 2 && run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func aStateFolderWithoutATrailIsAUsageError() async throws {
        let directory = try TemporaryDirectory()
        let run = try await BinaryRun.grafanaJIT(["review", "--state", directory.path, "--format", "json"])
        #expect(run.status == 2 && run.stderr.contains("give --audit-log FILE"), "\(run.stderr)")
    }
}
