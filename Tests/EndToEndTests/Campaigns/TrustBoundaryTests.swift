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
}
