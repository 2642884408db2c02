import Foundation
import Testing

/// An attacker who can write grants only (the documented CODEOWNERS model) tries to write policy: through `validate`
/// and through `run` against the simulator, asserting on Grafana's state, they get nothing while the good grants
/// apply (RELIABILITY.md, "Trust boundaries").
struct TrustBoundaryTests {
    /// A policy that would let its author do anything, for as long as they like.
    static let selfServe = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: self-serve}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "*"}]
          permissions: [Admin]
          orgRoles: [Admin]
          maxDuration: 1d
        """

    static let approved = "  duration: 1h\n  reason: r\n  approvedBy: [bob@example.com]\n"

    @Test func aPolicyWrittenWhereGrantsGoWidensNothing() async throws {
        let work = try await ControllerWorkspace.start(policy: HostileInputTests.policy)
        try work.directory.write(
            "repo/grants/good-alice.yaml",
            HostileInputTests.grant(
                "good-alice", "  access: [{dataSource: prod-metrics, permission: Query}]\n" + Self.approved))
        // The policy as a second document of the attacker's own grant file...
        try work.directory.write(
            "repo/grants/mallory.yaml",
            HostileInputTests.grant(
                "mallory", user: "dave@example.com",
                "  access: [{dataSource: prod-logs, permission: Admin}, {orgRole: Admin}]\n  policy: self-serve\n"
                    + Self.approved) + "\n---\n" + Self.selfServe)
        // ...and alone in another folder of the checkout.
        try work.directory.write(
            "repo/docs/policy.yaml", Self.selfServe.replacingOccurrences(of: "self-serve", with: "docs"))

        let validate = try await BinaryRun.grafanaJIT(["validate"] + work.sources())
        #expect(validate.status == 1)
        let misplaced = "error: kind: AccessPolicy"
        #expect(
            validate.lines.contains {
                $0.hasPrefix(
                    work.grants + "/grants/mallory.yaml:15:18: " + misplaced
                        + " \"self-serve\" is under a --grants path")
            }, "\(validate.stdout)")
        #expect(
            validate.lines.contains {
                $0.hasPrefix(work.grants + "/docs/policy.yaml:3:18: " + misplaced + " \"docs\"")
            },
            "\(validate.stdout)")
        #expect(
            validate.lines.contains {
                $0.hasPrefix(
                    work.grants
                        + "/grants/mallory.yaml:7:11: error: spec.policy: AccessPolicy \"self-serve\" does not exist")
            }, "\(validate.stdout)")

        _ = try await work.once()
        let access = try await work.access()
        #expect(access.contains("alice@prom-prod=Query"))
        #expect(!access.contains { $0.hasPrefix("dave@") }, "\(access)")
        #expect(try await work.orgRoles()["dave"] != "Admin")
        _ = await work.simulator.stop()
    }

    @Test func withoutPoliciesEveryGrantIsDeniedAndTheStartSaysSo() async throws {
        let work = try await ControllerWorkspace.start(policy: HostileInputTests.policy)
        try work.directory.write(
            "repo/grants/good-alice.yaml",
            HostileInputTests.grant(
                "good-alice", "  access: [{dataSource: prod-metrics, permission: Query}]\n" + Self.approved))
        let run = try await BinaryRun.grafanaJIT(
            ["run", "--once", "--grants", work.grants, "--state", work.state, "--grafana-url", work.simulator.url],
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(run.stderr.contains("event=policies.missing"), "\(run.stderr)")
        // Even the real policy, which now sits among the grants, is not loaded.
        #expect(run.stderr.contains("is under a --grants path and is not loaded"))
        #expect(try await !work.access().contains("alice@prom-prod=Query"))
        #expect(try work.statusText().contains("\"Denied\""))
        _ = await work.simulator.stop()
    }

    @Test func aPolicyAboveTheCeilingIsAnErrorInThePolicy() async throws {
        let work = try await ControllerWorkspace.start(
            policy: HostileInputTests.policy.replacingOccurrences(of: "maxDuration: 4h", with: "maxDuration: 999999d"))
        let validate = try await BinaryRun.grafanaJIT(["validate", "--max-grant-duration", "7d"] + work.sources())
        #expect(validate.status == 1)
        #expect(
            validate.lines.contains {
                $0.hasPrefix(
                    work.grants + "/policies/policy.yaml:8:16: error: spec.maxDuration: 999999d is above the "
                        + "controller's ceiling of 7d (--max-grant-duration)")
            }, "\(validate.stdout)")
        _ = await work.simulator.stop()
    }

    /// Staging's name is production's uid, and mallory's login is the victim's email (both allowed by Grafana).
    static let collisions = [
        "users": [
            "{login: victim, email: victim@example.com, name: Victim, orgs: {1: Viewer}}",
            "{login: victim@example.com, email: mallory@example.com, name: Mallory, orgs: {1: Viewer}}",
        ],
        "dataSources": [
            "{uid: staging-mirror, name: prod-mirror, type: loki}", "{uid: b1, name: staging-mirror, type: loki}",
        ],
    ]

    static let stagingPolicy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: staging}
        spec:
          subjects: {users: ["*@example.com", victim]}
          dataSources: [{name: "staging-*"}]
          permissions: [Query]
          maxDuration: 4h
          approval: {required: true, approvers: {users: [victim@example.com, bob@example.com]}}
        """

    @Test func aReferenceThatNamesTwoObjectsFailsAloneAndNamesBoth() async throws {
        let work = try await ControllerWorkspace.start(policy: Self.stagingPolicy, extraFixture: Self.collisions)
        let asked = "  duration: 1h\n  reason: r\n  approvedBy: [bob@example.com]\n"
        try work.directory.write(
            "repo/grants/twofold.yaml",
            HostileInputTests.grant(
                "twofold", user: "dave@example.com",
                "  access: [{dataSource: staging-mirror, permission: Query}]\n" + asked))
        try work.directory.write(
            "repo/grants/explicit.yaml",
            HostileInputTests.grant(
                "explicit", user: "erin@example.com",
                "  access: [{dataSource: \"name:staging-mirror\", permission: Query}]\n" + asked))
        // The aliased spelling as subject, and as the approver of mallory's own grant.
        try work.directory.write(
            "repo/grants/aliased.yaml",
            HostileInputTests.grant(
                "aliased", user: "victim@example.com",
                "  access: [{dataSource: staging-logs, permission: Query}]\n" + asked))
        try work.directory.write(
            "repo/grants/borrowed.yaml",
            HostileInputTests.grant(
                "borrowed", user: "mallory@example.com",
                "  access: [{dataSource: staging-logs, permission: Query}]\n  duration: 1h\n  reason: r\n"
                    + "  approvedBy: [victim@example.com]\n"))
        _ = try await work.once()
        let access = try await work.access()
        #expect(!access.contains { $0.hasPrefix("dave@") }, "\(access)")
        #expect(access.contains("erin@b1=Query") && !access.contains("erin@staging-mirror=Query"), "\(access)")
        #expect(!access.contains { $0.hasPrefix("victim") || $0.hasPrefix("mallory") }, "\(access)")
        let status = try work.statusText()
        #expect(status.contains("AmbiguousReference"))
        #expect(
            status.contains(
                "data source staging-mirror is ambiguous: it is the uid of prod-mirror and the name of the data source "
                    + "with uid b1; write uid:staging-mirror or name:staging-mirror"), "\(status)")
        #expect(status.contains("user victim@example.com is ambiguous"))
        _ = await work.simulator.stop()
    }

    /// Folder references that are no folder, each looked up in Grafana, slow every lookup; a `.` is refused before
    /// Grafana sees it. Another grant's expiry is still on time.
    @Test func hostileFolderReferencesDelayNoOnesRevocation() async throws {
        let work = try await ControllerWorkspace.start()
        let dot = HostileInputTests.grant(
            "dot", user: "dave@example.com",
            "  access: [{folder: \".\", permission: View}]\n  duration: 1h\n  reason: r\n")
        try work.directory.write("repo/grants/dot.yaml", dot)
        let validate = try await BinaryRun.grafanaJIT(["validate"] + work.sources())
        #expect(
            validate.lines.contains {
                $0.hasPrefix(work.grants + "/grants/dot.yaml:6:21: error: spec.access[0].folder: names one object")
            }, "\(validate.stdout)")
        let unknown = (0..<300).map { "{folder: missing-\($0), permission: View}" }.joined(separator: ", ")
        try work.directory.write(
            "repo/grants/flood.yaml",
            HostileInputTests.grant(
                "flood", user: "dave@example.com", "  access: [\(unknown)]\n  duration: 1h\n  reason: r\n"))
        try await work.control("PUT", "/__sim/faults", body: #"{"latencyMilliseconds":20}"#)
        try work.grant(
            "short", access: "[{dataSource: prod-metrics, permission: Query}]", expiresAt: Date().addingTimeInterval(8))
        let daemon = try await ControllerProcess.start(work, extra: ["--resync", "10m"])
        #expect(try await work.eventually(within: 20) { try await work.access().contains("alice@prom-prod=Query") })
        let revoked = try await work.eventually(within: 30) {
            try await !work.access().contains("alice@prom-prod=Query")
        }
        let end = try #require(try Self.expiry(of: "short", in: work))
        #expect(revoked)
        // Revoked within seconds of its end, although 300 lookups at 20 ms each are waiting.
        #expect(Date().timeIntervalSince(end) < 15)
        let status = try work.statusText()
        #expect(status.contains("folder missing-0"), "\(status)")
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    static func expiry(of grant: String, in work: ControllerWorkspace) throws -> Date? {
        try HostileInputTests.expiresAt(of: grant, in: work).flatMap(HostileInputTests.date)
    }

    /// Control characters in a reference (a terminal escape, a carriage return that would forge a log line) reach
    /// the text log, `status` and `plan` escaped.
    @Test func controlCharactersInFilesReachNoTerminalRaw() async throws {
        let work = try await ControllerWorkspace.start()
        try work.directory.write(
            "repo/grants/escape.yaml",
            HostileInputTests.grant(
                "escape", user: "dave@example.com",
                "  access: [{dataSource: \"x\\e[2J\\rts=0 level=info event=change.applied\", permission: Query}]\n"
                    + "  duration: 1h\n  reason: r\n"))
        let environment = ["GRAFANA_TOKEN": "glsa_simulator_controller_token"]
        let run = try await work.once()
        let plan = try await BinaryRun.grafanaJIT(["plan"] + work.arguments, environment: environment)
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        for (name, text) in [("run", run.stderr), ("plan", plan.stdout + plan.stderr), ("status", status.stdout)] {
            #expect(!text.unicodeScalars.contains { $0.value == 0x1b || $0 == "\r" }, "\(name): \(text)")
        }
        #expect(run.stderr.contains(#"x\x1b[2J\rts=0 level=info event=change.applied"#), "\(run.stderr)")
        #expect(status.stdout.contains(#"x\x1b[2J\rts=0"#), "\(status.stdout)")
        _ = await work.simulator.stop()
    }

    /// A new file reusing a working grant's name is refused alone; the grant in force keeps its access.
    @Test func aNewcomerUnderAWorkingGrantsNameIsRefusedAlone() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("shared", access: "[{dataSource: prod-metrics, permission: Query}]")
        _ = try await work.once()
        #expect(try await work.access().contains("alice@prom-prod=Query"))
        // Sorted before the original, so it is read first.
        try work.directory.write(
            "repo/grants/aaa-newcomer.yaml",
            HostileInputTests.grant(
                "shared", user: "dave@example.com",
                "  access: [{dataSource: prod-metrics, permission: Admin}]\n  duration: 1h\n  reason: r\n"))
        let run = try await work.once()
        let access = try await work.access()
        #expect(access.contains("alice@prom-prod=Query"), "\(access)")
        #expect(!access.contains { $0.hasPrefix("dave@") }, "\(access)")
        #expect(
            run.stderr.contains(#"AccessGrant \"shared\" is already in force from "#)
                && run.stderr.contains("aaa-newcomer.yaml"), "\(run.stderr)")
        #expect(try work.statusText().contains("\"Active\""))
        // Offline there is no record to tell which is the newcomer: validate names both.
        let validate = try await BinaryRun.grafanaJIT(["validate"] + work.sources())
        #expect(validate.stdout.contains("is defined twice; first definition at"), "\(validate.stdout)")
        _ = await work.simulator.stop()
    }
}
