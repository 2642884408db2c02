import TestSupport
import Testing

@testable import GrafanaSimulator

/// Team membership for users outside the team's org: Grafana's user check outer-joins `org_user`, so any existing
/// user may be added (pkg/api/team_members.go → resourcepermissions `validateUser` → `GetSignedInUser`).
struct GrafanaRouterTeamsTests {
    let grafana: SimulatedGrafana

    init() throws {
        grafana = try SimulatedGrafana(fixture: Array(SimulatorHarness.fixture.utf8), path: "f.yaml")
    }

    @Test func aUserOfAnotherOrgIsAddedAndListed() async {
        // olga (id 5) belongs to org 2 only; incident-responders (id 2) is in org 1.
        let added = await grafana.call("POST", "/api/teams/2/members", body: #"{"userId":5}"#)
        #expect(added.status == 200)
        #expect(added.json as? [String: String] == ["message": "Member added to Team"])
        let members = await grafana.call("GET", "/api/teams/2/members")
        #expect((members.json as? [[String: Any]])?.compactMap { $0["login"] as? String } == ["olga"])
        let again = await grafana.call("POST", "/api/teams/2/members", body: #"{"userId":5}"#)
        #expect(again.status == 400)
    }

    @Test func theTeamPermissionRouteAcceptsThemToo() async {
        let set = await grafana.call(
            "POST", "/api/access-control/teams/2/users/5", body: #"{"permission":"Admin"}"#)
        #expect(set.status == 200)
        let members = await grafana.call("GET", "/api/teams/2/members")
        #expect((members.json as? [[String: Any]])?.first?["permission"] as? Int == 4)
    }

    @Test func anUnknownUserIDStillFails() async {
        let added = await grafana.call("POST", "/api/teams/2/members", body: #"{"userId":99}"#)
        #expect(added.status == 500)
        #expect((added.json as? [String: Any])?["message"] as? String == "Failed to add Member to Team")
    }
}
