import Foundation
import Testing

/// Outputs that say why, and inputs that are never silently misread (the status and audit of a decision).
struct ExplanationEndToEndTests {
    @Test func statusOnAFolderThatDoesNotExistIsAUsageError() async throws {
        let run = try await BinaryRun.grafanaJIT(["status", "--state", "/nonexistent/grafana-jit-state"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("/nonexistent/grafana-jit-state"), "\(run.stderr)")
        #expect(run.stderr.contains("does not exist"))
    }

    @Test func aDeniedGrantsAuditNamesThePolicyItWasJudgedBy() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant(
            "too-long", access: "[{dataSource: prod-metrics, permission: Query}]", duration: "3d", extra: "policy: open"
        )
        _ = try await work.once()
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
        let denied = audit.filter { $0.contains(#""event":"grant.denied""#) }
        #expect(denied.count == 1 && denied[0].contains(#""policy":"open""#), "\(audit)")
        _ = await work.simulator.stop()
    }

    /// Each pass says what woke it, each change why it is made, each phase change from what and why.
    @Test func theLogSaysWhyForEveryPassAndChange() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant(
            "short", access: "[{dataSource: prod-metrics, permission: Query}]", expiresAt: Date().addingTimeInterval(6))
        let daemon = try await ControllerProcess.start(work, extra: ["--resync", "10m"])
        func lines(_ event: String) -> [Substring] {
            daemon.log.split(separator: "\n").filter { $0.contains("event=\(event) ") }
        }
        #expect(try await work.eventually { lines("pass.completed").contains { $0.contains("trigger=startup") } })
        #expect(lines("change.applied").contains { $0.contains("reason=granted") && $0.contains("change=grant") })
        try work.grant("later", user: "dave@example.com", access: "[{team: sre-leads}]")
        #expect(
            try await work.eventually(within: 20) {
                lines("pass.completed").contains { $0.contains("trigger=fileChange") && $0.contains("later.yaml") }
            }, "\(daemon.log)")
        #expect(
            try await work.eventually(within: 30) {
                lines("change.applied").contains { $0.contains("change=revoke") && $0.contains("reason=expired") }
            }, "\(daemon.log)")
        #expect(
            try await work.eventually {
                lines("grant.phaseChanged").contains {
                    $0.contains("grant=short") && $0.contains("phase=Expired") && $0.contains("previous=Active")
                        && $0.contains("reason=WindowEnded")
                }
            }, "\(daemon.log)")
        #expect(
            try await work.eventually {
                lines("pass.completed").contains { $0.contains("trigger=timer") && $0.contains("edge=end") }
            }, "\(daemon.log)")

        try work.remove("later")
        #expect(
            try await work.eventually(within: 20) {
                lines("change.applied").contains { $0.contains("change=revoke") && $0.contains("reason=fileDeleted") }
            }, "\(daemon.log)")
        // Reported after the change, in the same pass.
        #expect(
            try await work.eventually {
                lines("grant.phaseChanged").contains {
                    $0.contains("grant=later") && $0.contains("reason=RevokedByDeletion")
                }
            }, "\(daemon.log)")

        // A file that breaks and is fixed says so once.
        try work.directory.write("repo/grants/broken.yaml", "kind: [")
        #expect(try await work.eventually(within: 20) { !lines("file.rejected").isEmpty })
        try work.grant("broken", user: "erin@example.com", access: "[{team: sre-leads}]")
        #expect(try await work.eventually(within: 20) { lines("file.recovered").count == 1 }, "\(daemon.log)")
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func aDeniedGrantIsAWarningWithItsReasons() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("too-long", access: "[{dataSource: prod-metrics, permission: Query}]", duration: "3d")
        let run = try await work.once()
        let line = run.stderr.split(separator: "\n").first { $0.contains("event=grant.phaseChanged") }
        #expect(line?.contains("level=warning") == true && line?.contains("reasons=") == true, "\(run.stderr)")
        #expect(line?.contains("exceeds maxDuration") == true, "\(run.stderr)")
        _ = await work.simulator.stop()
    }

    @Test func aMissingGrantsFolderIsOneErrorAndNoCompletedPass() async throws {
        let work = try await ControllerWorkspace.start()
        let run = try await BinaryRun.grafanaJIT(
            ["run", "--once"] + work.arguments(grants: work.directory.path + "/nowhere"),
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        let lines = run.stderr.split(separator: "\n")
        #expect(lines.filter { $0.contains("event=pass.failed") }.count == 1, "\(run.stderr)")
        #expect(!lines.contains { $0.contains("event=pass.completed") || $0.contains("event=snapshot.changed") })
        #expect(run.stderr.contains("/nowhere/policies does not exist; nothing is changed until it does"))
        _ = await work.simulator.stop()
    }

    /// A pending grant shows when it starts; a grant that holds nothing shows no time; the reason is in words.
    @Test func statusSaysWhenAndWhyInWords() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant(
            "later", access: "[{team: sre-leads}]",
            extra: "startsAt: \(ControllerWorkspace.rfc3339(Date().addingTimeInterval(7_200)))")
        try work.grant("too-long", user: "dave@example.com", access: "[{team: sre-leads}]", duration: "3d")
        _ = try await work.once()
        let table = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        let header = try #require(table.lines.first)
        #expect(header.contains("WHY") && header.contains("STARTS IN") && header.contains("EXPIRES IN"))
        let later = try #require(table.lines.first { $0.hasPrefix("later ") })
        #expect(
            later.contains("waiting for its start") && (later.contains("1h59m") || later.contains("2h")), "\(later)")
        let denied = try #require(table.lines.first { $0.hasPrefix("too-long ") })
        #expect(denied.contains("no policy allows it") && denied.contains("  -  "), "\(denied)")
        let yaml = try await BinaryRun.grafanaJIT(["status", "--state", work.state, "--output", "yaml"])
        #expect(yaml.status == 0 && yaml.stdout.contains(#"phase: "Pending""#), "\(yaml.stdout)")
        _ = await work.simulator.stop()
    }

    /// `plan` writes nothing, not even the state folder, and says when grants count as new only because the state
    /// folder is.
    @Test func planLeavesNoTraceAndSaysWhenTheStateIsNew() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice", access: "[{team: sre-leads}]")
        let plan = try await BinaryRun.grafanaJIT(
            ["plan"] + work.arguments, environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.state), "plan created the state folder")
        #expect(plan.stdout.contains("1 change\n"), "\(plan.stdout)")
        #expect(plan.stdout.contains("remembers no grant, so every grant counts as new"), "\(plan.stdout)")
        _ = try await work.once()
        let again = try await BinaryRun.grafanaJIT(
            ["plan"] + work.arguments, environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(again.stdout == "no changes\n", "\(again.stdout)")
        _ = await work.simulator.stop()
    }

    @Test func helpWinsAndListsOnlyWhatTheCommandUses() async throws {
        let helpHelp = try await BinaryRun.grafanaJIT(["help", "help"])
        #expect(helpHelp.status == 0 && helpHelp.stdout.contains("USAGE: grafana-jit <command>"))
        let runHelp = try await BinaryRun.grafanaJIT(["run", "--help", "--grants"])
        #expect(runHelp.status == 0 && runHelp.stdout.hasPrefix("USAGE: grafana-jit run"), "\(runHelp.stderr)")
        let plan = try await BinaryRun.grafanaJIT(["plan", "--help"])
        #expect(!plan.stdout.contains("--audit-log") && !plan.stdout.contains("--write-deadline"))
        #expect(!plan.stdout.contains("Same flags as run") && plan.stdout.contains("--enforce-zero-standing"))
        let discover = try await BinaryRun.grafanaJIT(["discover", "--help"])
        #expect(!discover.stdout.contains("--brake-share") && !discover.stdout.contains("--secrets-dir"))
    }

    @Test func aBadValueFromTheEnvironmentNamesTheVariable() async throws {
        let run = try await BinaryRun.grafanaJIT(
            [
                "run", "--once", "--grants", "/nonexistent", "--state", "/nonexistent/state", "--grafana-url",
                "http://x",
            ],
            environment: ["GRAFANA_JIT_RESYNC": "soon", "GRAFANA_TOKEN": "t"])
        #expect(run.status == 2)
        #expect(
            run.stderr.contains("'soon' is not valid for --resync (from GRAFANA_JIT_RESYNC): expected a duration"),
            "\(run.stderr)")
    }
}
