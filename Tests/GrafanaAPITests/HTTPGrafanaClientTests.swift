import Foundation
import GrafanaSimulator
import TestSupport
import Testing

@testable import GrafanaAPI

/// The client against the simulator over loopback, for every call and its edge cases.
struct HTTPGrafanaClientTests {
    let simulator: SimulatorHarness

    init() throws {
        simulator = try SimulatorHarness()
    }

    @Test func healthReportsTheVersion() async throws {
        #expect(try await simulator.client().health() == GrafanaHealth(version: "11.4.0", database: "ok"))
    }

    @Test func orgUsersAreReadPastTheFirstPage() async throws {
        let client = simulator.client { $0.pageSize = 2 }
        let users = try await client.orgUsers()
        #expect(users.map(\.login) == ["admin", "alice", "bob", "carol"])
        #expect(simulator.grafana.requestLog.map(\.path) == Array(repeating: "/api/org/users/search", count: 2))
    }

    @Test func usersAreFoundByLoginOrEmailAndCached() async throws {
        let client = simulator.client()
        #expect(try await client.user(loginOrEmail: "bob@example.com").login == "bob")
        #expect(try await client.user(loginOrEmail: "BOB").id == 3)
        #expect(simulator.grafana.statistics.requests == 1)
        await #expect(throws: GrafanaAPIError.self) { try await client.user(loginOrEmail: "bo") }
    }

    @Test func teamsArePagedAndFoundByExactName() async throws {
        let client = simulator.client { $0.pageSize = 1 }
        #expect(try await client.teams(matching: "").map(\.name) == ["dba", "incident-responders", "sre"])
        #expect(try await client.team(named: "sre").memberCount == 2)
        await #expect(throws: GrafanaAPIError.self) { try await client.team(named: "sr") }
        #expect(try await client.teamMembers(team: 1).map(\.login) == ["alice", "carol"])
    }

    @Test func membershipChangesAreIdempotent() async throws {
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

    @Test func teamRolesAreAddedOrUpdated() async throws {
        let client = simulator.client()
        try await client.setTeamRole(team: 2, user: 2, role: "Admin")
        #expect(try await client.teamMembers(team: 2).map { "\($0.login):\($0.permission)" } == ["alice:4"])
        try await client.setTeamRole(team: 2, user: 2, role: "Member")
        try await client.setTeamRole(team: 2, user: 2, role: "Member")
        #expect(try await client.teamMembers(team: 2).map { "\($0.login):\($0.permission)" } == ["alice:0"])
    }

    @Test func dataSourcesAreFoundByUIDThenName() async throws {
        let client = simulator.client()
        #expect(try await client.dataSources().map(\.uid) == ["loki-prod", "prom-prod", "pg-staging"])
        let fresh = simulator.client()
        let byUID = try await fresh.dataSource(uidOrName: "prom-prod")
        #expect(byUID.name == "prod-metrics")
        let byName = try await fresh.dataSource(uidOrName: "staging db")
        #expect(byName.uid == "pg-staging")
        let missing = await #expect(throws: GrafanaAPIError.self) { try await fresh.dataSource(uidOrName: "nope") }
        #expect(missing?.description == "GET /api/datasources/name/nope: not found: Data source not found")
    }

    @Test func permissionsAreSetPerPrincipalAndNeverTouchOthers() async throws {
        let client = simulator.client()
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(2), level: "Query")
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(2), level: "Query")
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .team(1), level: "Edit")
        var rows = try await client.permissions(on: .dataSource("loki-prod"))
        #expect(
            rows.map { "\($0.principal)=\($0.level)" } == [
                "user 3=Edit", "team 3=Query", "user 2=Query", "team 1=Edit",
            ])
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(2), level: nil)
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(2), level: nil)
        rows = try await client.permissions(on: .dataSource("loki-prod"))
        #expect(rows.map { "\($0.principal)=\($0.level)" } == ["user 3=Edit", "team 3=Query", "team 1=Edit"])
        #expect(rows.allSatisfy { $0.isManaged })
        let status = try await client.permissionAPIStatus()
        #expect(status == PermissionAPIStatus.available)
    }

    @Test func foldersAreListedPerPageAndNestedOnesFoundByUID() async throws {
        let client = simulator.client { $0.pageSize = 1 }
        #expect(try await client.folders().map(\.uid) == ["prod", "staging"])
        #expect(simulator.grafana.requestLog.map(\.path) == Array(repeating: "/api/folders", count: 3))
        let nested = try await client.folder(uid: "payments")
        #expect(nested.title == "Payments" && nested.parentUid == "prod")
        let missing = await #expect(throws: GrafanaAPIError.self) { try await client.folder(uid: "nope") }
        #expect(missing?.description == "GET /api/folders/nope: not found: folder not found")
    }

    @Test func folderPermissionsUseViewEditAdminAndLeaveOthersAlone() async throws {
        let client = simulator.client()
        try await client.setPermission(on: .folder("prod"), principal: .user(2), level: "View")
        try await client.setPermission(on: .folder("prod"), principal: .user(2), level: "Edit")
        var rows = try await client.permissions(on: .folder("prod"))
        #expect(rows.map { "\($0.principal)=\($0.level)" } == ["role Viewer=View", "user 2=Edit"])
        let wrongLevel = await #expect(throws: GrafanaAPIError.self) {
            try await client.setPermission(on: .folder("prod"), principal: .user(2), level: "Query")
        }
        #expect(wrongLevel?.description.contains("Permission [Query] is invalid for this resource type") == true)
        try await client.setPermission(on: .folder("prod"), principal: .user(2), level: nil)
        try await client.setPermission(on: .folder("prod"), principal: .user(2), level: nil)
        rows = try await client.permissions(on: .folder("prod"))
        #expect(rows.map { "\($0.principal)=\($0.level)" } == ["role Viewer=View"])
    }

    @Test func openSourceGrafanaHasFolderPermissionsWithASyntheticAdminRow() async throws {
        let oss = try SimulatorHarness(fixture: SimulatorHarness.fixture(edition: "oss"))
        let client = oss.client()
        try await client.setPermission(on: .folder("staging"), principal: .team(1), level: "Edit")
        let rows = try await client.permissions(on: .folder("staging"))
        #expect(
            rows.map { "\($0.principal)=\($0.level)/\($0.isManaged)" } == [
                "team 1=Edit/true", "role Admin=Admin/false",
            ])
    }

    @Test func serviceAccountTokensAreCreatedWithAnExpiryListedAndDeletedIdempotently() async throws {
        let client = simulator.client { $0.pageSize = 2 }
        let accounts = try await client.serviceAccounts()
        #expect(accounts.map(\.name) == ["controller", "old", "reporting", "viewer"])
        let reporting = try #require(accounts.first { $0.name == "reporting" })
        #expect(reporting.role == "Viewer" && !reporting.isDisabled)
        let beforeCreating = Date()
        let created = try await client.createServiceAccountToken(
            serviceAccount: reporting.id, name: "jit-1", secondsToLive: 3600)
        #expect(created.key.hasPrefix("glsa_") && created.name == "jit-1")
        let listed = try await client.serviceAccountTokens(serviceAccount: reporting.id)
        let expiry = try #require(listed.first?.expiration.flatMap { ISO8601DateFormatter().date(from: $0) })
        // An hour from when the simulator created it (whole seconds), however slowly it answered.
        #expect(expiry >= beforeCreating.addingTimeInterval(3599) && expiry <= Date().addingTimeInterval(3601))
        let duplicate = await #expect(throws: GrafanaAPIError.self) {
            try await client.createServiceAccountToken(serviceAccount: reporting.id, name: "jit-1", secondsToLive: 60)
        }
        #expect(
            duplicate?.description
                == "POST /api/serviceaccounts/\(reporting.id)/tokens: 400: service account token with given name already exists in the organization"
        )
        #expect(try await client.serviceAccountTokens(serviceAccount: reporting.id).map(\.name) == ["jit-1"])
        #expect(try await client.deleteServiceAccountToken(serviceAccount: reporting.id, token: created.id) == .changed)
        #expect(
            try await client.deleteServiceAccountToken(serviceAccount: reporting.id, token: created.id) == .unchanged)
        #expect(try await client.serviceAccountTokens(serviceAccount: reporting.id).isEmpty)
        let missing = await #expect(throws: GrafanaAPIError.self) {
            try await client.serviceAccountTokens(serviceAccount: 999)
        }
        #expect(missing?.description == "GET /api/serviceaccounts/999/tokens: not found: service account not found")
    }

    @Test func openSourceGrafanaIsReportedAsUnsupported() async throws {
        let oss = try SimulatorHarness(fixture: SimulatorHarness.fixture(edition: "oss"))
        let client = oss.client()
        guard case .unavailable(let reason) = try await client.permissionAPIStatus() else {
            Issue.record("expected the permission API to be unavailable")
            return
        }
        #expect(reason.contains("no data-source permission API"))
        let error = await #expect(throws: GrafanaAPIError.self) {
            try await client.permissions(on: .dataSource("loki-prod"))
        }
        #expect(
            error
                == .unsupported(
                    GrafanaRequest("GET", "/api/access-control/datasources/loki-prod"), message: "Not found"))
        #expect(try await client.addTeamMember(team: 2, user: 2) == .changed)
    }

    @Test func missingPermissionsAreNamed() async throws {
        let client = simulator.client(token: SimulatorHarness.viewerToken)
        let error = await #expect(throws: GrafanaAPIError.self) {
            try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(2), level: "Query")
        }
        guard case .forbidden(_, let missing, _)? = error else {
            Issue.record("expected forbidden, got \(String(describing: error))")
            return
        }
        #expect(missing == "datasources.permissions:write")
        let status = try await client.permissionAPIStatus()
        #expect(
            status
                == PermissionAPIStatus.unavailable(
                    "the service account may not manage data-source permissions: it needs datasources.permissions:read")
        )
    }

    @Test(arguments: [
        ("nope", "Invalid API key"), ("glsa_test_expired", "Expired API key"), ("glsa_test_revoked", "Revoked API key"),
    ])
    func refusedCredentialsAreUnauthorizedAndNeverQuoted(token: String, message: String) async throws {
        let error = await #expect(throws: GrafanaAPIError.self) {
            try await simulator.client(token: token).dataSources()
        }
        #expect(error == .unauthorized(GrafanaRequest("GET", "/api/datasources"), message: message))
        #expect(error?.description.contains(token) == false)
    }

    @Test func orgScopingFollowsTheOrgHeader() async throws {
        let mismatch = await #expect(throws: GrafanaAPIError.self) {
            try await simulator.client(orgID: 2).dataSources()
        }
        #expect(
            mismatch
                == .unauthorized(
                    GrafanaRequest("GET", "/api/datasources"),
                    message: "API key does not belong to the requested organization"))
        let admin = HTTPGrafanaClient(
            connection: {
                var connection = GrafanaConnection(
                    baseURL: simulator.url, credentials: .basic(user: "admin", password: "admin"), orgID: 2,
                    userAgent: "t")
                // A loaded machine stalls the test process for seconds early in a full run.
                connection.timeout = .seconds(60)
                return connection
            }())
        #expect(try await admin.dataSources().map(\.uid) == ["prom-other"])
    }

    @Test func theUserAgentNamesTheClient() async throws {
        _ = try await simulator.client().health()
        #expect(simulator.grafana.requestLog.first?.userAgent == "grafana-jit-tests/1.0")
    }

    @Test func serverErrorsAndRateLimitsAreTransient() async throws {
        var plan = FaultPlan()
        plan.rateLimitBurst = 1
        plan.retryAfterSeconds = 7
        simulator.grafana.setFaults(plan)
        let client = simulator.client()
        let limited = await #expect(throws: GrafanaAPIError.self) { try await client.dataSources() }
        #expect(limited?.isRetryable == true && limited?.retryAfter == .seconds(7))
        plan = FaultPlan()
        plan.errorRate = 1
        plan.errorStatuses = [502]
        simulator.grafana.setFaults(plan)
        let proxy = await #expect(throws: GrafanaAPIError.self) { try await client.dataSources() }
        #expect(proxy?.isRetryable == true)
        #expect(proxy?.description.contains("502") == true)
    }

    @Test func droppedConnectionsAndADownGrafanaAreTransient() async throws {
        var plan = FaultPlan()
        plan.downForSeconds = 30
        simulator.grafana.setFaults(plan)
        let error = await #expect(throws: GrafanaAPIError.self) { try await simulator.client().health() }
        #expect(error?.isRetryable == true)
        let closed = HTTPGrafanaClient(
            connection: GrafanaConnection(
                baseURL: URL(string: "http://127.0.0.1:1")!, credentials: .token("t"), userAgent: "t"))
        let refused = await #expect(throws: GrafanaAPIError.self) { try await closed.health() }
        #expect(
            refused
                == .transient(
                    GrafanaRequest("GET", "/api/health"), reason: "127.0.0.1: connection refused", retryAfter: nil))
    }

    @Test func requestsInFlightStayWithinTheLimit() async throws {
        var plan = FaultPlan()
        plan.latencyMilliseconds = 100
        simulator.grafana.setFaults(plan)
        let client = simulator.client { $0.maxInFlight = 3 }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<12 { group.addTask { _ = try await client.teamMembers(team: 1) } }
            try await group.waitForAll()
        }
        let stats = simulator.grafana.statistics
        #expect(stats.requests == 12)
        #expect(stats.maxInFlight == 3)
    }

    @Test func theRetrierRidesOutARateLimitBurst() async throws {
        var plan = FaultPlan()
        plan.rateLimitBurst = 2
        plan.retryAfterSeconds = 1
        simulator.grafana.setFaults(plan)
        let client = simulator.client()
        let retrier = Retrier(policy: RetryPolicy(base: .milliseconds(10), cap: .seconds(2)), random: { 0.5 })
        let users = try await retrier.run(until: Date().addingTimeInterval(30)) { () async throws(GrafanaAPIError) in
            try await client.orgUsers()
        }
        #expect(users.count == 4)
        #expect(simulator.grafana.requestLog.map(\.status) == [429, 429, 200])
    }
}
