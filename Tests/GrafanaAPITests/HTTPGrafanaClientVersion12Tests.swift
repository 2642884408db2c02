import GrafanaSimulator
import TestSupport
import Testing

@testable import GrafanaAPI

/// The client against Grafana 12.x bodies, which may lack `traceID` and say `"NotFound"` or `"InternalError"`:
/// errors are classified by status and known texts only, so every rule holds as with 11.x.
struct HTTPGrafanaClientVersion12Tests {
    // The harness must outlive its clients: it stops its server when released.
    private func simulator(edition: String = "enterprise", faults: FaultPlan = FaultPlan()) throws -> SimulatorHarness {
        try SimulatorHarness(fixture: SimulatorHarness.fixture(edition: edition, version: "12.1.0"), faults: faults)
    }

    @Test func aMissingFolderIsNotFound() async throws {
        let simulator = try simulator()
        let client = simulator.client()
        let error = await #expect(throws: GrafanaAPIError.self) { try await client.folder(uid: "nope") }
        #expect(error == .notFound(GrafanaRequest("GET", "/api/folders/nope"), message: "NotFound"))
    }

    @Test func membershipIdempotencyStillHolds() async throws {
        let simulator = try simulator()
        let client = simulator.client()
        #expect(try await client.addTeamMember(team: 2, user: 2) == .changed)
        #expect(try await client.addTeamMember(team: 2, user: 2) == .unchanged)
        #expect(try await client.removeTeamMember(team: 2, user: 2) == .changed)
        #expect(try await client.removeTeamMember(team: 2, user: 2) == .unchanged)
        let missingTeam = await #expect(throws: GrafanaAPIError.self) {
            try await client.removeTeamMember(team: 99, user: 2)
        }
        #expect(
            missingTeam == .notFound(GrafanaRequest("DELETE", "/api/teams/99/members/2"), message: "Team not found"))
    }

    @Test func aDenialStillNamesTheMissingAction() async throws {
        let simulator = try simulator()
        let client = simulator.client(token: SimulatorHarness.viewerToken)
        let error = await #expect(throws: GrafanaAPIError.self) { try await client.addTeamMember(team: 2, user: 2) }
        guard case .forbidden(_, let missing, _) = error else {
            Issue.record("expected forbidden, got \(String(describing: error))")
            return
        }
        #expect(missing == "teams.permissions:write")
    }

    @Test func anInternalErrorIsTransient() async throws {
        var plan = FaultPlan()
        (plan.errorRate, plan.errorStatuses) = (1, [500])
        let simulator = try simulator(faults: plan)
        let client = simulator.client()
        let error = await #expect(throws: GrafanaAPIError.self) { try await client.teamMembers(team: 1) }
        #expect(error?.isRetryable == true)
        #expect(error?.description == "GET /api/teams/1/members: 500: InternalError")
    }

    @Test func ossStillHasNoPermissionAPI() async throws {
        let simulator = try simulator(edition: "oss")
        let client = simulator.client()
        let error = await #expect(throws: GrafanaAPIError.self) {
            try await client.permissions(on: .dataSource("loki-prod"))
        }
        #expect(
            error
                == .unsupported(
                    GrafanaRequest("GET", "/api/access-control/datasources/loki-prod"), message: "Not found"))
    }
}
