import AccessModel
import Foundation
import GrafanaAPI
import Testing

@testable import Controller

/// Windows are fixed at first activation, expired names stay expired, and grants that cannot be resolved fail.
struct DesiredStateTests {
    static let now = Date(timeIntervalSince1970: 1_795_284_000)

    static let snapshot: GrafanaSnapshot = {
        var snapshot = GrafanaSnapshot()
        let alice = GrafanaUser(id: 2, login: "alice", email: "alice@example.com")
        snapshot.users.add(alice)
        snapshot.teams = ["sre": GrafanaTeam(id: 7, name: "sre")]
        let logs = GrafanaDataSource(id: 1, uid: "loki-prod", name: "prod-logs", type: "loki")
        snapshot.dataSources.add(logs, uid: logs.uid, name: logs.name)
        return snapshot
    }()

    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: p}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          teams: [sre]
          permissions: [Edit]
          maxDuration: 8h
        ---

        """

    private func catalog(_ spec: String, name: String = "g") -> ResourceCatalog {
        let text =
            Self.policy + """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessGrant
                metadata: {name: \(name)}
                spec:
                  subject: {user: alice@example.com}
                  reason: test
                  \(spec.replacingOccurrences(of: "\n", with: "\n  "))
                """
        return ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "g.yaml")])
    }

    @Test func anActiveGrantRequiresItsBindingsAndRecordsItsWindow() throws {
        let state = DesiredState(
            catalog: catalog("access: [{dataSource: prod-logs, permission: Query}, {team: sre}]\nduration: 4h"),
            snapshot: Self.snapshot, records: [:], now: Self.now)
        #expect(state.bindings[Binding(.user(2), on: .dataSource("loki-prod"))]?.level == .query)
        #expect(state.bindings[Binding(.user(2), on: .team(7))]?.level == .member)
        let record = try #require(state.records["g"])
        #expect(record.activatedAt == Self.now && record.end == Self.now.addingTimeInterval(14_400))
        #expect(state.outcomes["g"]?.phase == .active)
    }

    @Test func editingTheFileCannotExtendTheWindowPastMaxDurationFromFirstActivation() {
        var record = GrantRecord(firstSeen: Self.now)
        record.activatedAt = Self.now
        record.start = Self.now
        record.end = Self.now.addingTimeInterval(3_600)
        // Two hours later the file moves startsAt to "now" and asks for the full 8h again.
        let later = Self.now.addingTimeInterval(7_200)
        let edited = catalog(
            "access: [{dataSource: prod-logs, permission: Query}]\nstartsAt: \(later.rfc3339)\nduration: 8h")
        let state = DesiredState(catalog: edited, snapshot: Self.snapshot, records: ["g": record], now: later)
        #expect(state.outcomes["g"]?.window?.end == Self.now.addingTimeInterval(8 * 3_600))
        #expect(state.records["g"]?.end == Self.now.addingTimeInterval(8 * 3_600))
    }

    @Test func aRenamedGrantKeepsItsWindow() {
        let original = catalog("access: [{dataSource: prod-logs, permission: Query}]\nduration: 1h", name: "old")
        var records = DesiredState(catalog: original, snapshot: Self.snapshot, records: [:], now: Self.now).records
        #expect(records["old"]?.contentKey != nil)
        let renamed = catalog("access: [{dataSource: prod-logs, permission: Query}]\nduration: 1h", name: "new")
        let later = Self.now.addingTimeInterval(3_000)
        let state = DesiredState(catalog: renamed, snapshot: Self.snapshot, records: records, now: later)
        #expect(state.records["new"]?.activatedAt == Self.now)
        #expect(state.outcomes["new"]?.window?.end == Self.now.addingTimeInterval(3_600))
        records = state.records
        let afterEnd = DesiredState(
            catalog: renamed, snapshot: Self.snapshot, records: records, now: Self.now.addingTimeInterval(3_700))
        #expect(afterEnd.outcomes["new"]?.phase == .expired)
    }

    @Test func anExpiredNameStaysExpiredWhenReAdded() {
        var record = GrantRecord(firstSeen: Self.now.addingTimeInterval(-86_400))
        record.isExpired = true
        let state = DesiredState(
            catalog: catalog("access: [{dataSource: prod-logs, permission: Query}]\nduration: 4h"),
            snapshot: Self.snapshot, records: ["g": record], now: Self.now)
        #expect(state.outcomes["g"]?.phase == .expired)
        #expect(state.bindings.isEmpty)
    }

    @Test func aWindowThatEndsIsMarkedExpiredForGood() {
        var record = GrantRecord(firstSeen: Self.now.addingTimeInterval(-7_200))
        record.activatedAt = record.firstSeen
        let state = DesiredState(
            catalog: catalog("access: [{dataSource: prod-logs, permission: Query}]\nduration: 1h"),
            snapshot: Self.snapshot, records: ["g": record], now: Self.now)
        #expect(state.outcomes["g"]?.phase == .expired)
        #expect(state.records["g"]?.isExpired == true)
    }

    @Test func aScheduledGrantIsPendingAndRequiresNothingYet() {
        let state = DesiredState(
            catalog: catalog("access: [{team: sre}]\nstartsAt: 2026-11-22T08:00:00Z\nduration: 1h"),
            snapshot: Self.snapshot, records: [:], now: Self.now)
        #expect(state.outcomes["g"]?.phase == .pending && state.bindings.isEmpty)
        #expect(state.records["g"]?.activatedAt == nil)
    }

    @Test func somethingMissingInGrafanaFailsTheGrant() {
        let state = DesiredState(
            catalog: catalog("access: [{dataSource: prod-secrets, permission: Query}]\nduration: 1h"),
            snapshot: Self.snapshot, records: [:], now: Self.now)
        #expect(state.outcomes["g"]?.phase == .failed)
        #expect(state.outcomes["g"]?.message == "data source prod-secrets does not exist in Grafana")
        #expect(state.bindings.isEmpty)
    }

    @Test func aDeniedGrantRequiresNothing() {
        let state = DesiredState(
            catalog: catalog("access: [{dataSource: prod-logs, permission: Admin}]\nduration: 1h"),
            snapshot: Self.snapshot, records: [:], now: Self.now)
        #expect(state.outcomes["g"]?.phase == .denied)
        #expect(state.outcomes["g"]?.message.contains("allows at most Edit") == true)
        #expect(state.bindings.isEmpty)
    }

    @Test func overlappingGrantsAskForTheHigherLevel() {
        let text =
            Self.policy
            + ["a": "Query", "b": "Edit"].sorted { $0.key < $1.key }.map { name, level in
                """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessGrant
                metadata: {name: \(name)}
                spec: {subject: {user: alice}, access: [{dataSource: loki-prod, permission: \(level)}], duration: 1h, reason: r}
                ---

                """
            }.joined()
        let catalog = ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "g.yaml")])
        let state = DesiredState(catalog: catalog, snapshot: Self.snapshot, records: [:], now: Self.now)
        let binding = state.bindings[Binding(.user(2), on: .dataSource("loki-prod"))]
        #expect(binding?.level == .edit && binding?.grants == ["a", "b"])
    }
}

/// Policies with active hours: access only inside them, and a deadline at each edge.
struct DesiredStateActiveHoursTests {
    private func state(at now: String) throws -> DesiredState {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: office}
            spec:
              subjects: {users: ["*@example.com"]}
              dataSources: [{name: "prod-*"}]
              permissions: [Query]
              maxDuration: 1d
              activeHours: {days: [Mon-Fri], from: "08:00", to: "20:00", timeZone: Europe/Berlin}
            ---
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: g}
            spec:
              subject: {user: alice@example.com}
              access: [{dataSource: prod-logs, permission: Query}]
              startsAt: 2027-03-26T06:00:00Z
              duration: 20h
              reason: test
            """
        let catalog = ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "g.yaml")])
        let now = try #require(Date(rfc3339: now))
        return DesiredState(catalog: catalog, snapshot: DesiredStateTests.snapshot, records: [:], now: now)
    }

    @Test func insideTheHoursTheAccessIsRequired() throws {
        let state = try state(at: "2027-03-26T12:00:00Z")
        #expect(state.outcomes["g"]?.phase == .active && state.bindings.count == 1)
        #expect(state.outcomes["g"]?.nextChange == Date(rfc3339: "2027-03-26T19:00:00Z"))
    }

    @Test func outsideTheHoursItWaitsWithoutAccess() throws {
        let state = try state(at: "2027-03-26T20:00:00Z")
        #expect(state.outcomes["g"]?.phase == .pending && state.bindings.isEmpty)
        #expect(state.outcomes["g"]?.message.hasPrefix("outside the active hours of policy office") == true)
    }
}

/// On-call conditions when OnCall cannot be asked: new access waits, access already granted runs to its end.
struct DesiredStateOnCallTests {
    /// Query on prod data sources while on call in primary-sre, and alice's grant of prod-logs under it.
    static let text = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: on-call}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Query]
          maxDuration: 4h
          requireOnCall: {schedules: [primary-sre]}
        ---
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: g}
        spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
        """
    static let catalog = ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "g.yaml")])

    @Test func newAccessIsNotGrantedWithoutOnCall() {
        let state = DesiredState(
            catalog: Self.catalog, snapshot: DesiredStateTests.snapshot, records: [:], now: DesiredStateTests.now)
        #expect(state.outcomes["g"]?.phase == .denied && state.bindings.isEmpty)
        #expect(state.outcomes["g"]?.message.contains("cannot be decided") == true)
    }

    @Test func accessAlreadyGrantedRunsToItsEndWithoutOnCall() {
        var record = GrantRecord(firstSeen: DesiredStateTests.now.addingTimeInterval(-600))
        record.activatedAt = record.firstSeen
        let state = DesiredState(
            catalog: Self.catalog, snapshot: DesiredStateTests.snapshot, records: ["g": record],
            now: DesiredStateTests.now)
        #expect(state.outcomes["g"]?.phase == .active && state.bindings.count == 1)
    }

    @Test func aKnownShiftEndIsTheNextChangeWithinTheWindow() {
        var snapshot = DesiredStateTests.snapshot
        let end = DesiredStateTests.now.addingTimeInterval(1_200)
        snapshot.onCall = ["primary-sre": ["alice@example.com"]]
        snapshot.shiftEnds = ["primary-sre": ["alice@example.com": end]]
        let state = DesiredState(
            catalog: Self.catalog, snapshot: snapshot, records: [:], now: DesiredStateTests.now)
        #expect(state.outcomes["g"]?.phase == .active && state.outcomes["g"]?.nextChange == end)
        #expect(state.outcomes["g"]?.message.contains("on call until \(end.rfc3339)") == true)
        // A shift that outlasts the grant changes nothing: the grant's own end comes first.
        snapshot.shiftEnds = ["primary-sre": ["alice@example.com": end.addingTimeInterval(7_200)]]
        let longer = DesiredState(catalog: Self.catalog, snapshot: snapshot, records: [:], now: DesiredStateTests.now)
        #expect(longer.outcomes["g"]?.nextChange == nil)
    }

    @Test func offCallEndsTheAccessWhenOnCallAnswers() {
        var snapshot = DesiredStateTests.snapshot
        snapshot.onCall = ["primary-sre": ["bob@example.com"]]
        var record = GrantRecord(firstSeen: DesiredStateTests.now.addingTimeInterval(-600))
        record.activatedAt = record.firstSeen
        let state = DesiredState(
            catalog: Self.catalog, snapshot: snapshot, records: ["g": record], now: DesiredStateTests.now)
        #expect(state.outcomes["g"]?.phase == .denied && state.bindings.isEmpty)
    }
}
