import Foundation
import HTTPServer
import TestSupport
import Testing

@testable import GrafanaSimulator

/// The simulator's answers checked against grafana-api.md: paths, status codes, JSON field names and error texts.
struct SimulatedGrafanaTests {
    let grafana: SimulatedGrafana

    init() throws {
        grafana = try SimulatedGrafana(fixture: Array(SimulatorHarness.fixture.utf8), path: "f.yaml")
    }

    private func call(
        _ method: String, _ target: String, body: String? = nil, token: String? = SimulatorHarness.controllerToken,
        headers: [String: String] = [:], on simulator: SimulatedGrafana? = nil
    ) async -> (status: Int, json: Any?) {
        await (simulator ?? grafana).call(method, target, body: body, token: token, headers: headers)
    }

    private func object(_ json: Any?) -> [String: Any] { json as? [String: Any] ?? [:] }

    @Test func healthNeedsNoCredentials() async {
        let (status, json) = await call("GET", "/api/health", token: nil)
        #expect(status == 200)
        #expect(object(json)["version"] as? String == "11.4.0")
        #expect(object(json)["database"] as? String == "ok")
    }

    @Test(arguments: [
        (nil as String?, "Unauthorized", "auth.unauthorized"), ("nope", "Invalid API key", "api-key.invalid"),
        ("glsa_test_expired", "Expired API key", "api-key.expired"),
        ("glsa_test_revoked", "Revoked API key", "api-key.revoked"),
    ])
    func unauthenticatedCallsGetTheAuthnServicesBody(token: String?, message: String, messageID: String) async {
        let (status, json) = await call("GET", "/api/datasources", token: token)
        #expect(status == 401)
        #expect(object(json)["message"] as? String == message)
        #expect(object(json)["messageId"] as? String == messageID)
        #expect(object(json)["statusCode"] as? Int == 401)
        #expect(object(json)["traceID"] as? String == "")
    }

    @Test func aTokenUsedForAnotherOrgIsRefused() async {
        let (status, json) = await call("GET", "/api/datasources", headers: ["x-grafana-org-id": "2"])
        #expect(status == 401)
        #expect(object(json)["message"] as? String == "API key does not belong to the requested organization")
    }

    @Test func basicAuthWithAWrongPasswordIsRefused() async {
        let credentials = Data("alice:wrong".utf8).base64EncodedString()
        let (status, json) = await call(
            "GET", "/api/datasources", token: nil, headers: ["authorization": "Basic \(credentials)"])
        #expect(status == 401)
        #expect(object(json)["message"] as? String == "Invalid username or password")
        #expect(object(json)["messageId"] as? String == "password-auth.failed")
    }

    @Test func rbacDenialsNameTheMissingAction() async {
        let (status, json) = await call(
            "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":"Query"}"#,
            token: SimulatorHarness.viewerToken)
        #expect(status == 403)
        #expect(object(json)["title"] as? String == "Access denied")
        #expect(
            object(json)["message"] as? String
                == "You'll need additional permissions to perform this action. Permissions needed: datasources.permissions:write"
        )
        #expect((object(json)["accessErrorId"] as? String)?.hasPrefix("ACE") == true)
    }

    @Test func serviceAccountsCannotUseTheGlobalUserLookup() async {
        #expect(await call("GET", "/api/users/lookup?loginOrEmail=alice").status == 403)
        let admin = Data("admin:admin".utf8).base64EncodedString()
        let (status, json) = await call(
            "GET", "/api/users/lookup?loginOrEmail=ALICE@example.com", token: nil,
            headers: ["authorization": "Basic \(admin)"])
        #expect(status == 200)
        #expect(object(json)["login"] as? String == "alice")
        let missing = await call(
            "GET", "/api/users/lookup?loginOrEmail=zed", token: nil, headers: ["authorization": "Basic \(admin)"])
        #expect(missing.status == 404 && object(missing.json)["message"] as? String == "user not found")
    }

    @Test func unknownRoutesAreTheRoutersNotFound() async {
        let (status, json) = await call("GET", "/api/nothing/here")
        #expect(status == 404)
        #expect(object(json) as NSDictionary == ["message": "Not found"])
    }

    @Test func teamSearchPagesWithGrafanasDefaults() async {
        let all = object(await call("GET", "/api/teams/search").json)
        #expect(all["perPage"] as? Int == 1000 && all["page"] as? Int == 1 && all["totalCount"] as? Int == 3)
        let second = object(await call("GET", "/api/teams/search?perpage=2&page=2").json)
        let names = (second["teams"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["sre"])
        let byName = object(await call("GET", "/api/teams/search?name=nope").json)
        #expect(byName["totalCount"] as? Int == 0)
        let team = (all["teams"] as? [[String: Any]])?.first ?? [:]
        for key in ["id", "uid", "orgId", "name", "email", "avatarUrl", "memberCount", "permission", "accessControl"] {
            #expect(team[key] != nil, "TeamDTO lacks \(key)")
        }
    }

    @Test func teamMembershipAnswersAsGrafanaDoes() async {
        let added = await call("POST", "/api/teams/2/members", body: #"{"userId":2}"#)
        #expect(added.status == 200 && object(added.json)["message"] as? String == "Member added to Team")
        let again = await call("POST", "/api/teams/2/members", body: #"{"userId":2}"#)
        #expect(
            again.status == 400
                && object(again.json) as NSDictionary == ["message": "User is already added to this team"])
        let removed = await call("DELETE", "/api/teams/2/members/2")
        #expect(removed.status == 200 && object(removed.json)["message"] as? String == "Team Member removed")
        let gone = await call("DELETE", "/api/teams/2/members/2")
        #expect(gone.status == 404 && object(gone.json) as NSDictionary == ["message": "Team member not found"])
        let noTeam = await call("DELETE", "/api/teams/99/members/2")
        #expect(noTeam.status == 404 && object(noTeam.json)["message"] as? String == "Team not found")
        let badBody = await call("POST", "/api/teams/2/members", body: "{}")
        #expect(
            badBody.status == 400
                && object(badBody.json) as NSDictionary == ["message": "bad request data", "traceID": ""])
        let members = await call("GET", "/api/teams/1/members")
        let logins = (members.json as? [[String: Any]])?.compactMap { $0["login"] as? String }
        #expect(logins == ["alice", "carol"])
        #expect((members.json as? [[String: Any]])?.last?["permission"] as? Int == 4)
    }

    @Test func addingToAMissingTeamDependsOnTheVersion() async throws {
        let eleven = await call("POST", "/api/teams/99/members", body: #"{"userId":2}"#)
        #expect(eleven.status == 500 && object(eleven.json)["message"] as? String == "Failed to add Member to Team")
        let twelve = try SimulatedGrafana(fixture: Array(SimulatorHarness.fixture(version: "12.1.0").utf8), path: "f")
        let answer = await call("POST", "/api/teams/99/members", body: #"{"userId":2}"#, on: twelve)
        #expect(answer.status == 404 && object(answer.json) as NSDictionary == ["message": "Team not found"])
    }

    @Test func dataSourcesAreListedByNameAndFoundByUIDOrName() async {
        let list = await call("GET", "/api/datasources")
        #expect(
            (list.json as? [[String: Any]])?.compactMap { $0["name"] as? String } == [
                "prod-logs", "prod-metrics", "staging db",
            ])
        #expect(object(await call("GET", "/api/datasources/name/staging%20db").json)["uid"] as? String == "pg-staging")
        let missing = await call("GET", "/api/datasources/uid/nope")
        #expect(missing.status == 404 && object(missing.json) as NSDictionary == ["message": "Data source not found"])
    }

    @Test func permissionWritesChangeOnlyTheirPrincipal() async {
        let set = await call(
            "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":"Query"}"#)
        #expect(set.status == 200 && object(set.json)["message"] as? String == "Permission updated")
        let raised = await call(
            "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":"Edit"}"#)
        #expect(raised.status == 200)
        let rows = await call("GET", "/api/access-control/datasources/loki-prod")
        let levels = (rows.json as? [[String: Any]])?.map {
            "\($0["userLogin"] ?? $0["team"] ?? "?")=\($0["permission"] ?? "?")"
        }
        #expect(levels == ["bob=Edit", "dba=Query", "alice=Edit"])
        let removed = await call(
            "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":""}"#)
        #expect(object(removed.json)["message"] as? String == "Permission removed")
        let removedAgain = await call(
            "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":""}"#)
        #expect(removedAgain.status == 200)
    }

    @Test func permissionWriteErrorsUseErrutilBodies() async {
        let level = object(
            await call(
                "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":"View"}"#
            ).json)
        #expect(level["messageId"] as? String == "resourcePermissions.invalidPermission")
        #expect(level["message"] as? String == "Permission [View] is invalid for this resource type")
        #expect(level["extra"] as? [String: String] == ["permission": "View"])
        let user = object(
            await call(
                "POST", "/api/access-control/datasources/loki-prod/users/5", body: #"{"permission":"Query"}"#
            ).json)
        #expect(user["messageId"] as? String == "accesscontrol.assignmentEntityNotFound")
        #expect(user["message"] as? String == "user not found" && user["statusCode"] as? Int == 400)
        let role = object(
            await call(
                "POST", "/api/access-control/datasources/loki-prod/builtInRoles/Foo", body: #"{"permission":"Query"}"#
            ).json)
        #expect(role["message"] as? String == "built-in role [Foo] is not valid")
    }

    @Test func openSourceGrafanaHasNoDataSourcePermissionRoutes() async throws {
        let oss = try SimulatedGrafana(fixture: Array(SimulatorHarness.fixture(edition: "oss").utf8), path: "f")
        let answer = await call("GET", "/api/access-control/datasources/loki-prod", on: oss)
        #expect(answer.status == 404 && object(answer.json) as NSDictionary == ["message": "Not found"])
        #expect(await call("GET", "/api/teams/search", on: oss).status == 200)
    }

    @Test func orgsAreSeparate() async {
        let other = await call("GET", "/api/datasources", token: "glsa_test_other")
        #expect((other.json as? [[String: Any]])?.compactMap { $0["uid"] as? String } == ["prom-other"])
        let users = await call("GET", "/api/org/users", token: "glsa_test_other")
        #expect((users.json as? [[String: Any]])?.compactMap { $0["login"] as? String } == ["admin", "olga"])
    }

    @Test func faultsAreInjectedAndCounted() async {
        var plan = FaultPlan()
        plan.rateLimitBurst = 2
        plan.retryAfterSeconds = 7
        grafana.setFaults(plan)
        #expect(await call("GET", "/api/datasources").status == 429)
        #expect(await call("GET", "/api/datasources").status == 429)
        #expect(await call("GET", "/api/datasources").status == 200)
        plan = FaultPlan()
        plan.errorRate = 1
        plan.errorStatuses = [503]
        grafana.setFaults(plan)
        #expect(await call("POST", "/api/teams/2/members", body: #"{"userId":2}"#).status == 503)
        plan.errorRate = 0
        plan.downForSeconds = 60
        grafana.setFaults(plan)
        let down = await grafana.handle(HTTPRequest(method: "GET", path: "/api/health"))
        #expect(down.dropsConnection)
        let stats = grafana.statistics
        #expect(stats.reads == 4 && stats.writes == 1 && stats.requests == 5)
        #expect(grafana.requestLog.map(\.status) == [429, 429, 200, 503, 0])
    }

    @Test func theControlSurfaceResetsAndDumpsState() async {
        _ = await call("POST", "/api/teams/2/members", body: #"{"userId":2}"#)
        let dump = object(await call("GET", "/__sim/state", token: nil).json)
        let teams = dump["teams"] as? [[String: Any]] ?? []
        let responders = teams.first { $0["name"] as? String == "incident-responders" }
        #expect((responders?["members"] as? [[String: Any]])?.first?["login"] as? String == "alice")
        _ = await call("POST", "/__sim/reset", token: nil)
        let after = object(await call("GET", "/__sim/state", token: nil).json)
        let reset = (after["teams"] as? [[String: Any]])?.first { $0["name"] as? String == "incident-responders" }
        #expect((reset?["members"] as? [Any])?.isEmpty == true)
        #expect(grafana.statistics.requests == 0)
        let faults = await call("PUT", "/__sim/faults", body: #"{"errorRate":0.5}"#, token: nil)
        #expect(
            object(faults.json)["errorRate"] as? Double == 0.5 && object(faults.json)["rateLimitBurst"] as? Int == 0)
    }

    /// Field names and JSON types of each DTO, as grafana-api.md lists them for 11.4.
    @Test(arguments: [
        (
            "/api/org/users",
            "orgId:n userId:n email:s name:s avatarUrl:s login:s role:s lastSeenAt:s lastSeenAtAge:s isDisabled:b"
        ),
        (
            "/api/teams/1/members",
            "orgId:n teamId:n teamUID:s userId:n auth_module:s email:s name:s login:s avatarUrl:s labels:a permission:n"
        ),
        (
            "/api/datasources",
            "id:n uid:s orgId:n name:s type:s typeName:s typeLogoUrl:s access:s url:s user:s database:s basicAuth:b isDefault:b jsonData:o readOnly:b"
        ),
        (
            "/api/access-control/datasources/loki-prod",
            "id:n roleName:s isManaged:b isInherited:b isServiceAccount:b actions:a permission:s"
        ),
    ])
    func dtosHaveGrafanasFieldsAndTypes(path: String, fields: String) async throws {
        let rows = try #require(await call("GET", path).json as? [[String: Any]])
        let row = try #require(rows.first)
        for field in fields.split(separator: " ") {
            let (name, type) = (String(field.split(separator: ":")[0]), field.split(separator: ":")[1])
            let value = row[name]
            let matches: Bool =
                switch type {
                case "n": value is Int
                case "s": value is String
                case "b": value is Bool
                case "a": value is [Any]
                default: value is [String: Any]
                }
            #expect(matches, "\(path): \(name) should be \(type), is \(String(describing: value))")
        }
    }

    @Test func faultPlansOutOfRangeAreRefused() async {
        let answer = await call("PUT", "/__sim/faults", body: #"{"downForSeconds":1e300}"#, token: nil)
        #expect(answer.status == 400)
        #expect(object(answer.json)["message"] as? String == "downForSeconds must be within 0...86400")
        #expect(await call("GET", "/api/health", token: nil).status == 200)
    }

    @Test func unknownTeamUIDsFailInTheResolverBeforeAnythingElse() async {
        for (method, path) in [
            ("GET", "/api/teams/nouid"), ("DELETE", "/api/teams/nouid/members/2"), ("POST", "/api/teams/nouid/members"),
        ] {
            let answer = await call(method, path, body: #"{"userId":2}"#, token: SimulatorHarness.viewerToken)
            #expect(
                answer.status == 404 && object(answer.json) as NSDictionary == ["message": "Not found"],
                "\(method) \(path)")
        }
        #expect(object(await call("GET", "/api/teams/t00001").json)["name"] as? String == "sre")
    }

    @Test func aPermissionBodyWithoutALevelRemoves() async {
        _ = await call("POST", "/api/access-control/datasources/prom-prod/users/2", body: #"{"permission":"Query"}"#)
        let removed = await call("POST", "/api/access-control/datasources/prom-prod/users/2", body: "{}")
        #expect(object(removed.json)["message"] as? String == "Permission removed")
    }

    @Test func fixtureMistakesNameTheirPlace() {
        #expect(throws: FixtureError.self) {
            try SimulatedGrafana(fixture: Array("users:\n  - {login: a, org: 1}\n".utf8), path: "bad.yaml")
        }
        let error = #expect(throws: FixtureError.self) {
            try SimulatedGrafana(
                fixture: Array("teams:\n  - {name: t, members: [{login: ghost}]}\n".utf8), path: "bad.yaml")
        }
        #expect(error?.description == "bad.yaml:2:25: error: unknown user ghost")
    }
}
