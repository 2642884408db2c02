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
}
