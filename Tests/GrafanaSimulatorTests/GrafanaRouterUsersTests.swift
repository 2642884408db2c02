import TestSupport
import Testing

@testable import GrafanaSimulator

/// Hidden users (`[users] hidden_users`) as Grafana's `searchOrgUsersHelper` and `GetTeamMembers` treat them:
/// dropped after the store paged or limited, still counted in `totalCount`, visible to server admins.
struct GrafanaRouterUsersTests {
    let grafana: SimulatedGrafana

    init() throws {
        let fixture = SimulatorHarness.fixture + "\nhiddenUsers: [alice, bob]\n"
        grafana = try SimulatedGrafana(fixture: Array(fixture.utf8), path: "hidden.yaml")
    }

    private func page(_ number: Int, as user: (login: String, password: String)? = nil) async -> (
        logins: [String], total: Int?
    ) {
        let target = "/api/org/users/search?perpage=2&page=\(number)"
        let answer =
            if let user { await grafana.call("GET", target, user: user.login, password: user.password) } else {
                await grafana.call("GET", target)
            }
        let object = answer.json as? [String: Any]
        let users = object?["orgUsers"] as? [[String: Any]] ?? []
        return (users.compactMap { $0["login"] as? String }, object?["totalCount"] as? Int)
    }

    @Test func searchPagesShrinkButTotalCountStillCountsHiddenUsers() async {
        // Org 1 by login: admin, alice, bob, carol; pages of two are [admin, alice] and [bob, carol].
        let first = await page(1)
        let second = await page(2)
        #expect(first.logins == ["admin"] && first.total == 4)
        #expect(second.logins == ["carol"] && second.total == 4)
    }

    @Test func serverAdminsStillSeeHiddenUsers() async {
        #expect(await page(2, as: ("admin", "admin")).logins == ["bob", "carol"])
    }

    @Test(arguments: ["/api/org/users?limit=3", "/api/org/users/lookup?limit=3"])
    func listingsDropHiddenUsersAfterTheLimit(target: String) async {
        let answer = await grafana.call("GET", target)
        #expect((answer.json as? [[String: Any]])?.compactMap { $0["login"] as? String } == ["admin"])
    }

    @Test func teamMembersLeaveHiddenUsersOut() async {
        let members = await grafana.call("GET", "/api/teams/1/members")
        #expect((members.json as? [[String: Any]])?.compactMap { $0["login"] as? String } == ["carol"])
    }

    @Test func aHiddenUserStillSeesThemselves() async {
        #expect(await page(1, as: ("alice", "alice-pw")).logins == ["admin", "alice"])
        #expect(await page(2, as: ("alice", "alice-pw")).logins == ["carol"])
    }
}
