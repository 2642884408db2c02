import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct SimulateEndToEndTests {
    @Test func servesGrafanaOnAFreePortAndStopsCleanlyOnSIGTERM() async throws {
        let simulator = try await SimulatorProcess.start()
        let (data, response) = try await URLSession.shared.data(
            from: try #require(URL(string: simulator.url + "/api/health")))
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: data, as: UTF8.self).contains("\"version\":\"11.4.0\""))
        let (status, log) = await simulator.stop()
        #expect(status == 0)
        #expect(log.contains("event=simulator.stopped signal=SIGTERM"))
    }

    /// A real third-party client is the best judge of fidelity: Python's grafana-client, unchanged.
    @Test func thePythonGrafanaClientWorksAgainstIt() async throws {
        let simulator = try await SimulatorProcess.start()
        let run = try await BinaryRun.python([
            "Tests/GrafanaClientCompat/check_grafana_client.py", simulator.url, "glsa_simulator_controller_token",
        ])
        _ = await simulator.stop()
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("OK: 0 check(s) failed"))
    }

    @Test(arguments: [
        (["simulate"], "'simulate' needs --fixture FILE"),
        (["simulate", "--fixture", "x", "--listen", "nowhere"], "'nowhere' is not valid for --listen"),
        (["simulate", "--fixture", "x", "--faults", "{"], "'{' is not valid for --faults"),
    ])
    func usageErrorsExitWithTwo(arguments: [String], message: String) async throws {
        let run = try await BinaryRun.grafanaJIT(arguments)
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test func aBrokenFixtureIsReportedWithItsLine() async throws {
        let run = try await BinaryRun.grafanaJIT([
            "simulate", "--fixture", "examples/grants/alice-prod-logs-inc-4711.yaml",
        ])
        #expect(run.status == 2)
        #expect(
            run.stderr.contains("alice-prod-logs-inc-4711.yaml:2:1: error: unknown field apiVersion"), "\(run.stderr)")
    }
}

/// The README's first command: the controller against the built-in simulator with the example grants.
struct DemoEndToEndTests {
    @Test func theDemoAppliesTheExamplesAndRevokesTheShortGrant() async throws {
        let run = try await BinaryRun.grafanaJIT(["demo", "--short-grant", "2s"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("After the first pass:"))
        let after = try #require(run.stdout.components(separatedBy: "After the short grant's end:").last)
        #expect(after.contains("demo-short-lived") && after.contains("Expired"))
        #expect(run.stdout.contains("\"event\":\"permission.revoked\""))
        #expect(!run.stderr.contains("glsa_"))
        // It says where its temporary folder is, and removes it.
        let removed = try #require(run.lines.last { $0.hasPrefix("Removed ") })
        let folder = String(removed.dropFirst("Removed ".count))
        #expect(run.stdout.contains("temporary folder \(folder)"))
        #expect(!FileManager.default.fileExists(atPath: folder))
    }

    /// Copying the examples must not need to own them (FileManager.copyItem copies the owner and failed with EPERM).
    /// Needs root to switch users; elsewhere there is nobody else to be.
    @Test func theDemoRunsForAUserWhoDoesNotOwnTheCheckout() async throws {
        let setpriv = "/usr/bin/setpriv"
        let asAnotherUser = ["--reuid=65533", "--regid=65533", "--clear-groups", BinaryRun.executable]
        // Skipped where that user cannot even start the binary (not root, no setpriv, a closed folder on the way).
        guard geteuid() == 0, FileManager.default.isExecutableFile(atPath: setpriv),
            try await BinaryRun.run(setpriv, asAnotherUser + ["--version"], in: BinaryRun.projectRoot).status == 0
        else { return }
        let run = try await BinaryRun.run(
            setpriv, asAnotherUser + ["demo", "--short-grant", "2s"], in: BinaryRun.projectRoot)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("\"event\":\"permission.revoked\""))
    }
}
