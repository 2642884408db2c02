import Controller
import Foundation
import Testing

/// A Grafana with `api_key_max_seconds_to_live` refuses a token that would outlive the limit (400, before its name is
/// checked). The grant that asked fails with Grafana's words; nothing is left half-created; a shorter grant works.
struct TokenLimitEndToEndTests {
    @Test func aTokenLongerThanGrafanasLimitFailsItsGrantAndLeavesNothing() async throws {
        let work = try await ControllerWorkspace.start(settings: "apiKeyMaxSecondsToLive: 3600")
        try work.grant("long-token", access: "[{serviceAccountToken: {serviceAccount: ci-dashboards}}]", duration: "4h")
        try work.grant(
            "short-token", user: "dave@example.com", access: "[{serviceAccountToken: {serviceAccount: ci-dashboards}}]",
            duration: "30m")
        let run = try await work.once()
        #expect(run.status == 1)
        let tokens = try await work.tokens(of: "ci-dashboards")
        #expect(tokens.count == 1, "\(tokens)")
        #expect(!FileManager.default.fileExists(atPath: work.state + "/secrets/long-token.token"))
        #expect(FileManager.default.fileExists(atPath: work.state + "/secrets/short-token.token"))
        let status = try String(contentsOfFile: work.state + "/status/long-token.json", encoding: .utf8)
        #expect(status.contains(#""phase" : "Failed""#) || status.contains(#""phase":"Failed""#), "\(status)")
        #expect(status.contains("Number of seconds before expiration is greater than the global limit"), "\(status)")
        #expect(status.contains("ApplyFailed"))
        let ledger = try await LedgerStore(directory: work.state, fileSystem: LocalFileSystem()).load()
        #expect(ledger.tokens["long-token"] == nil, "\(ledger.tokens)")
        // Tried again on the next pass, refused again, still nothing left behind.
        _ = try await work.once()
        #expect(try await work.tokens(of: "ci-dashboards").count == 1)
        _ = await work.simulator.stop()
    }
}
