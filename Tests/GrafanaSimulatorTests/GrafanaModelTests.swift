import TestSupport
import Testing

@testable import GrafanaSimulator

/// User lookup in Grafana's order (`userimpl` `GetByLogin`): with `@` e-mail first, then login; without `@` only
/// login. Grafana lets one user's login equal another's e-mail, so the order decides who is found.
struct GrafanaModelTests {
    let model: GrafanaModel

    init() throws {
        // The login holder comes first, so taking the first row matching either column would find the wrong one.
        let fixture = """
            users:
              - {login: sam@example.com, email: other@example.com, password: alias-pw, isGrafanaAdmin: true}
              - {login: sam, email: Sam@Example.com}
              - {login: ops@team, email: ops@example.com}
              - {login: deploy-bot, email: deploy}
            """
        model = try FixtureLoader.model(from: Array(fixture.utf8), path: "aliased.yaml")
    }

    @Test(arguments: [
        ("sam@example.com", "sam"), ("SAM@EXAMPLE.COM", "sam"), ("other@example.com", "sam@example.com"),
        ("sam", "sam"), ("ops@team", "ops@team"), ("ops@example.com", "ops@team"),
    ])
    func anAtSignTriesTheEmailFirstThenTheLogin(key: String, login: String) {
        #expect(model.user(loginOrEmail: key)?.login == login)
    }

    @Test func withoutAnAtSignOnlyLoginsMatch() {
        #expect(model.user(loginOrEmail: "deploy") == nil)
        #expect(model.user(loginOrEmail: "deploy-bot")?.email == "deploy")
    }

    @Test func theLookupRouteUsesTheSameOrder() async throws {
        let grafana = SimulatedGrafana(model: model)
        let aliased = await grafana.call(
            "GET", "/api/users/lookup?loginOrEmail=sam%40example.com", user: "other@example.com", password: "alias-pw")
        #expect(aliased.status == 200)
        #expect((aliased.json as? [String: Any])?["login"] as? String == "sam")
        let byLogin = await grafana.call(
            "GET", "/api/users/lookup?loginOrEmail=deploy", user: "other@example.com", password: "alias-pw")
        #expect(byLogin.status == 404)
        #expect(byLogin.json as? [String: String] == ["message": "user not found"])
    }

    @Test func basicAuthResolvesTheUserNameTheSameWay() async {
        // "sam@example.com" is sam's e-mail, so it names sam (who has no password), not the user with that login.
        let grafana = SimulatedGrafana(model: model)
        #expect(
            await grafana.call("GET", "/api/teams/search", user: "sam@example.com", password: "alias-pw").status == 401)
    }
}
