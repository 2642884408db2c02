import GrafanaSimulator
import TestSupport
import Testing

@testable import GrafanaAPI

/// Paging by `totalCount`, not by page length: Grafana drops hidden users after paging, so the org-user search
/// can answer a short or even empty page before the last one.
struct HTTPGrafanaClientPagingTests {
    let simulator: SimulatorHarness

    init() throws {
        // Pages of two by login: [amy, ben] [cid, dan] [eve, fay] [gus]; ben is hidden, cid and dan too.
        let fixture = """
            users:
              - {login: amy}
              - {login: ben}
              - {login: cid}
              - {login: dan}
              - {login: eve}
              - {login: fay}
              - {login: gus}
            hiddenUsers: [ben, cid, dan]
            serviceAccounts:
              - {name: controller, role: Admin, tokens: [{name: t, key: \(SimulatorHarness.controllerToken)}]}
            """
        simulator = try SimulatorHarness(fixture: fixture)
    }

    @Test func usersPastShortAndEmptyPagesAreStillRead() async throws {
        let users = try await simulator.client { $0.pageSize = 2 }.orgUsers()
        #expect(users.map(\.login) == ["amy", "eve", "fay", "gus"])
        #expect(simulator.grafana.requestLog.count == 4)
    }

    @Test func oneFullPageIsOneRequest() async throws {
        let users = try await simulator.client { $0.pageSize = 7 }.orgUsers()
        #expect(users.map(\.login) == ["amy", "eve", "fay", "gus"])
        #expect(simulator.grafana.requestLog.count == 1)
    }
}
