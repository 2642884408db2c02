import Foundation
import TestSupport
import Testing

@testable import GrafanaAPI

/// Rate limit and cache expiry, with time from a manual clock.
struct ClientLimitsTests {
    let simulator: SimulatorHarness
    let clock = ManualClock()

    init() throws {
        simulator = try SimulatorHarness()
    }

    @Test func requestsPerSecondSpacesRequestStarts() async throws {
        var connection = GrafanaConnection(
            baseURL: simulator.url, credentials: .token(SimulatorHarness.controllerToken), userAgent: "t")
        // A loaded machine stalls the test process for seconds early in a full run.
        connection.timeout = .seconds(60)
        connection.requestsPerSecond = 1
        let client = HTTPGrafanaClient(connection: connection, clock: clock)
        let calls = Task {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { _ = try await client.health() } }
                try await group.waitForAll()
            }
        }
        // Generous deadlines: on a loaded machine the three tasks can take seconds to reach the limiter.
        #expect(
            try await eventually(within: 30) { simulator.grafana.statistics.requests == 1 && clock.sleeperCount == 2 })
        clock.advanceToNextDeadline()
        #expect(try await eventually(within: 30) { simulator.grafana.statistics.requests == 2 })
        clock.advanceToNextDeadline()
        try await calls.value
        #expect(simulator.grafana.statistics.requests == 3)
    }

    @Test func cachedLookupsExpire() async throws {
        var connection = GrafanaConnection(
            baseURL: simulator.url, credentials: .token(SimulatorHarness.controllerToken), userAgent: "t")
        // A loaded machine stalls the test process for seconds early in a full run.
        connection.timeout = .seconds(60)
        connection.cacheTTL = .seconds(60)
        let client = HTTPGrafanaClient(connection: connection, clock: clock)
        _ = try await client.team(named: "sre")
        _ = try await client.team(named: "sre")
        #expect(simulator.grafana.statistics.requests == 1)
        clock.advance(by: 61)
        _ = try await client.team(named: "sre")
        #expect(simulator.grafana.statistics.requests == 2)
    }

    @Test func notFoundEmptiesTheCaches() async throws {
        let client = simulator.client()
        _ = try await client.dataSource(uidOrName: "loki-prod")
        // Grafana's own 404 ("Team not found") for a team that went away.
        await #expect(throws: GrafanaAPIError.self) { try await client.removeTeamMember(team: 99, user: 2) }
        _ = try await client.dataSource(uidOrName: "loki-prod")
        #expect(
            simulator.grafana.requestLog.map(\.path) == [
                "/api/datasources/uid/loki-prod", "/api/teams/99/members/2", "/api/datasources/uid/loki-prod",
            ])
    }
}
