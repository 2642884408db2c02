import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `request --grafana-url` against the simulator: references resolved to a definite verdict, references that name
/// nothing refused, access already held said, and nothing but GET requests sent.
struct RequestGrafanaEndToEndTests {
    static let token = ["GRAFANA_TOKEN": "glsa_simulator_controller_token"]

    /// Every method the simulator was sent, from its request log.
    static func methods(_ simulator: SimulatorProcess) async throws -> Set<String> {
        let url = try #require(URL(string: simulator.url + "/__sim/requests"))
        let (data, _) = try await URLSession.shared.data(from: url)
        let log = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        #expect(!log.isEmpty)
        return Set(log.compactMap { $0["method"] as? String })
    }

    @Test("a data source named by uid gets Grafana's definite verdict, with GET requests only")
    func uidReferenceGetsADefiniteVerdict() async throws {
        let simulator = try await SimulatorProcess.start()
        let folder = try TemporaryDirectory()
        let arguments = [
            "--user", "judy@example.com", "--data-source", "loki-prod", "--for", "4h", "--reason", "r", "--approver",
            "bob@example.com", "--print",
        ]
        let offline = try await RequestEndToEndTests.request(arguments, grants: folder.path)
        #expect(
            offline.stderr.hasPrefix("verdict: DecidedAtRunTime under policy prod-datasources\n"), "\(offline.stderr)")
        let online = try await RequestEndToEndTests.request(
            arguments + ["--grafana-url", simulator.url], grants: folder.path, environment: Self.token)
        #expect(online.status == 0, "\(online.stderr)")
        #expect(
            online.stderr.hasPrefix(
                "verdict: Allowed by policy prod-datasources\n"
                    + "  validate, which does not read Grafana, will say DecidedAtRunTime\n"), "\(online.stderr)")
        #expect(try await Self.methods(simulator) == ["GET"])
        _ = await simulator.stop()
    }

    @Test("standing access is said, and the request still written")
    func standingAccessIsSaid() async throws {
        let simulator = try await SimulatorProcess.start()
        let folder = try TemporaryDirectory()
        let run = try await RequestEndToEndTests.request(
            [
                "--user", "bob@example.com", "--data-source", "prod-logs", "--for", "4h", "--reason", "r",
                "--approver", "carol@example.com", "--policy", "prod-datasources", "--grafana-url", simulator.url,
            ], grants: folder.path, environment: Self.token)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.lines.first
                == "note: user bob@example.com already holds Query on data source prod-logs or more "
                + "(standing access, not from a grant)")
        #expect(FileManager.default.fileExists(atPath: folder.path + "/bob-prod-logs-2026-11-21.yaml"))
        _ = await simulator.stop()
    }

    @Test(arguments: [
        (["--user", "judy@example.com", "--data-source", "billing"], "data source billing does not exist in Grafana"),
        (
            ["--user", "nobody@example.com", "--data-source", "prod-logs"],
            "user nobody@example.com does not exist in Grafana"
        ),
        (["--user", "judy@example.com", "--join-team", "db-admins"], "team db-admins does not exist in Grafana"),
    ])
    func referencesThatNameNothingAreRefused(arguments: [String], message: String) async throws {
        let simulator = try await SimulatorProcess.start()
        let folder = try TemporaryDirectory()
        let run = try await RequestEndToEndTests.request(
            arguments + ["--for", "4h", "--reason", "r", "--grafana-url", simulator.url], grants: folder.path,
            environment: Self.token)
        #expect(run.status == 1)
        #expect(run.stderr == "refused: \(message)\nnothing written\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
        _ = await simulator.stop()
    }

    @Test("access a grant gave is said to be granted, by which grant")
    func grantedAccessNamesItsGrant() async throws {
        let workspace = try await ControllerWorkspace.start()
        try workspace.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Edit}]")
        let once = try await workspace.once()
        #expect(once.status == 0, "\(once.stderr)")
        let run = try await BinaryRun.grafanaJIT(
            [
                "request", "--grants", workspace.grants + "/grants", "--policies", workspace.grants + "/policies",
                "--state", workspace.state, "--grafana-url", workspace.simulator.url, "--user", "alice@example.com",
                "--data-source", "prod-logs", "--permission", "Query", "--for", "2h", "--reason", "more time",
                "--print",
            ], environment: Self.token)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stderr.hasPrefix(
                "note: user alice@example.com already holds Query on data source prod-logs or more "
                    + "(granted by alice-logs)\n"), "\(run.stderr)")
        _ = await workspace.simulator.stop()
    }

    @Test("a Grafana that cannot be read leaves the offline check, with a warning")
    func unreadableGrafanaFallsBackToOffline() async throws {
        let simulator = try await SimulatorProcess.start()
        let folder = try TemporaryDirectory()
        let run = try await RequestEndToEndTests.request(
            [
                "--user", "judy@example.com", "--data-source", "prod-logs", "--for", "4h", "--reason", "r",
                "--approver", "bob@example.com", "--grafana-url", simulator.url,
            ], grants: folder.path, environment: ["GRAFANA_TOKEN": "glsa_simulator_viewer_token"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.hasPrefix("grafana-jit: warning: could not read Grafana, so the request is checked offline"))
        #expect(run.lines.first == "verdict: Allowed by policy prod-datasources")
        _ = await simulator.stop()
    }
}
