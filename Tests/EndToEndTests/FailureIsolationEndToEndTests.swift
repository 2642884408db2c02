import Foundation
import Testing

/// One thing that fails waits alone: an API this Grafana lacks, one data source that cannot be read, a write that
/// fails. Every other grant is applied and ends on time; the ones that wait say why, in status and audit.
struct FailureIsolationEndToEndTests {
    private func status(_ grant: String, in work: ControllerWorkspace) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: work.state + "/status/\(grant).json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    private func reason(_ status: [String: Any]) -> String? {
        (status["conditions"] as? [[String: Any]])?.first?["reason"] as? String
    }

    /// Open-source Grafana has no data-source permission API: data-source grants fail with that, team grants apply.
    @Test func onOpenSourceGrafanaTeamGrantsStillApply() async throws {
        let work = try await ControllerWorkspace.start(replacing: [("edition: enterprise", "edition: oss")])
        try work.grant("logs", access: "[{dataSource: prod-logs, permission: Query}]")
        try work.grant("team", user: "dave@example.com", access: "[{team: sre-leads}]")
        let run = try await work.once()
        #expect(run.status == 1, "\(run.stderr)")
        #expect(try await work.access().contains("dave@sre-leads=Member"))
        let logs = try status("logs", in: work)
        #expect(logs["phase"] as? String == "Failed" && reason(logs) == "Unsupported", "\(logs)")
        #expect((logs["message"] as? String)?.contains("not supported by this Grafana") == true, "\(logs)")
        #expect(try status("team", in: work)["phase"] as? String == "Active")
        _ = await work.simulator.stop()
    }

    /// One data source answers 403, then 500, then 404, while another grant is applied and revoked on time; once it
    /// reads again, its grant is applied.
    @Test func oneUnreadableDataSourceDelaysNoOtherGrant() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("logs", access: "[{dataSource: prod-logs, permission: Edit}]")
        try work.grant(
            "metrics", user: "dave@example.com", access: "[{dataSource: prod-metrics, permission: Query}]",
            expiresAt: Date().addingTimeInterval(12))
        let path = "/api/access-control/datasources/loki-prod"
        try await work.control("PUT", "/__sim/faults", body: #"{"failingPaths": {"\#(path)": 403}}"#)
        let daemon = try await ControllerProcess.start(work, extra: ["--resync", "2s"])
        #expect(try await work.eventually(within: 20) { try await work.access().contains("dave@prom-prod=Query") })
        for status in [500, 404] {
            try await work.control("PUT", "/__sim/faults", body: #"{"failingPaths": {"\#(path)": \#(status)}}"#)
            // The status file appears with the first pass: until then there is nothing to read.
            #expect(
                try await work.eventually(within: 20) {
                    (try? self.status("logs", in: work))?["phase"] as? String == "Failed"
                })
        }
        #expect(
            try await work.eventually(within: 40) { try await !work.access().contains("dave@prom-prod=Query") },
            "the other grant's expiry was delayed")
        // A 404 on the permission route is what open-source Grafana answers too: it reads as unsupported, once the
        // data source is tried again (on a loaded machine its backoff may outlast the other grant's expiry).
        #expect(
            try await work.eventually(within: 20) {
                let logs = try self.status("logs", in: work)
                return self.reason(logs) == "Unsupported"
                    && (logs["message"] as? String)?.contains("waiting for data source loki-prod") == true
            }, "\((try? status("logs", in: work)) ?? [:])")
        try await work.control("PUT", "/__sim/faults", body: "{}")
        #expect(try await work.eventually(within: 20) { try await work.access().contains("alice@loki-prod=Edit") })
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func aFailedWriteIsAuditedAndShown() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("metrics", access: "[{dataSource: prod-metrics, permission: Query}]")
        try await work.control("PUT", "/__sim/faults", body: #"{"writeErrorRate": 1}"#)
        _ = try await BinaryRun.grafanaJIT(
            ["run", "--once", "--write-deadline", "1s"] + work.arguments,
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(
            audit.contains { $0.contains(#""event":"permission.granted""#) && $0.contains(#""outcome":"failure""#) },
            "\(audit)")
        let metrics = try status("metrics", in: work)
        #expect(metrics["phase"] as? String == "Failed" && reason(metrics) == "ApplyFailed", "\(metrics)")
        _ = await work.simulator.stop()
    }
}
