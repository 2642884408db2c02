import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// An event costs what it touches: a pass started by a file change or a deadline reads again only the objects whose
/// desired bindings changed, reuses the facts, and leaves drift elsewhere to the resync (here in one slice: every key).
struct IncrementalReadTests {
    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ShiftedClock()

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
    }

    func grant(_ name: String, user: String, dataSource: String) throws {
        try directory.write(
            "repo/\(name).yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec: {subject: {user: \(user)}, access: [{dataSource: \(dataSource), permission: Query}], duration: 1h, reason: r}
            """)
    }

    /// The GET paths the simulator served since the log was cleared.
    var reads: [String] {
        simulator.grafana.requestLog.filter { $0.method == "GET" }.map(\.path)
    }

    func rows(_ uid: String) async throws -> [String] {
        try await simulator.client().permissions(on: .dataSource(uid)).map { "\($0.principal)=\($0.level)" }.sorted()
    }

    @Test func aFileChangeReadsOnlyTheObjectItTouches() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        #expect(await reconciler.pass(trigger: .startup).error == nil)
        // The next pass reads back what the first wrote; from then on, an event reads nothing it does not touch.
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        simulator.grafana.clearLog()
        try grant("carol-metrics", user: "carol@example.com", dataSource: "prod-metrics")
        let result = await reconciler.pass(trigger: .fileChange)
        #expect(result.error == nil)
        #expect(result.applied == 1, "\(result.phases)")
        #expect(reads.filter { $0.contains("/access-control/datasources/") }.allSatisfy { $0.contains("prom-prod") })
        #expect(reads.contains { $0.contains("/access-control/datasources/prom-prod") }, "\(reads)")
        #expect(!reads.contains { $0.hasPrefix("/api/org/users") || $0.hasPrefix("/api/datasources") }, "\(reads)")
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        #expect(reads.filter { $0.contains("/access-control/") }.isEmpty, "nothing changed, nothing read: \(reads)")
    }

    @Test func driftIsPutBackByTheResyncNotByAnEvent() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        #expect(await reconciler.pass(trigger: .startup).applied == 1)
        // The next pass reads back what the first wrote; from then on, an event reads nothing it does not touch.
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        let granted = try await rows("loki-prod")
        let client = simulator.client()
        let alice = try #require(try await client.orgUsers().first { $0.login == "alice" })
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(alice.id), level: nil)
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0, "an event does not look for drift")
        #expect(try await rows("loki-prod") != granted)
        #expect(await reconciler.pass(trigger: .resync(slices: 1)).applied == 1)
        #expect(try await rows("loki-prod") == granted)
    }

    @Test func anExpiryStillRevokesWhatItHeldFromWhatWasSeen() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        let before = try await rows("loki-prod")
        #expect(await reconciler.pass(trigger: .startup).applied == 1)
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        clock.jump(by: 3601)
        simulator.grafana.clearLog()
        let result = await reconciler.pass(trigger: .timer(grant: "alice-logs", edge: "end"))
        #expect(result.applied == 1)
        #expect(try await rows("loki-prod") == before)
        let objects = reads.filter { $0.contains("/access-control/") }
        #expect(!objects.isEmpty && objects.allSatisfy { $0.contains("loki-prod") }, "\(reads)")
    }

    /// After a revocation the binding is watched for `undoneGrace`; its key asks to be read again when the watch ends
    /// (`.requeue(after:)`), so a write still on its way that brought the access back is revoked again, and the entry
    /// is forgotten only by a read that finds nothing came back.
    @Test func theWatchAfterARevocationEndsWithARead() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        let key = ReconcileKey.object(.dataSource("loki-prod"))
        let (before, revoked) = try await revokedAndBackLate(by: reconciler)
        #expect(revoked.applied == 1 && Self.requeuedForAMinute(revoked.keys[key]), "\(revoked.keys)")
        let watchEnd = try #require(revoked.nextRetry)
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        clock.jump(by: watchEnd.timeIntervalSince(clock.now()) + 0.01)
        simulator.grafana.clearLog()
        let due = await reconciler.pass(trigger: .backoff)
        #expect(reads.contains { $0.contains("/access-control/datasources/loki-prod") }, "\(reads)")
        #expect(due.applied == 1 && Self.requeuedForAMinute(due.keys[key]), "revoked again, watched again")
        #expect(try await rows("loki-prod") == before)

        clock.jump(by: 61)
        let ended = await reconciler.pass(trigger: .backoff)
        #expect(ended.applied == 0 && ended.keys[key] == .done && ended.nextRetry == nil, "\(ended.keys)")
        #expect(await reconciler.ledgerSize == 0, "forgotten once a read found nothing came back")
        #expect(try await rows("loki-prod") == before)
    }

    /// The access came back during the watch and revoking it again fails: the entry is kept (its revocation begun),
    /// and the revocation retried once Grafana answers, never forgotten with the access left in place.
    @Test func aFailedRevocationAtTheWatchsEndKeepsTheEntry() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock) {
            $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))
            $0.writeDeadline = .zero
        }
        let (before, revoked) = try await revokedAndBackLate(by: reconciler)
        let watchEnd = try #require(revoked.nextRetry)
        var faults = FaultPlan()
        // The writes fail; the reads (no `/users/` after the data source) still answer.
        faults.failingPaths = ["/api/access-control/datasources/loki-prod/users/": 500]
        simulator.grafana.setFaults(faults)
        clock.jump(by: watchEnd.timeIntervalSince(clock.now()) + 0.01)
        let failed = await reconciler.pass(trigger: .backoff)
        #expect(failed.failed == 1, "\(failed.plan.changes)")
        #expect(await reconciler.ledgerSize == 1, "kept: its revocation is not confirmed")
        simulator.grafana.setFaults(FaultPlan())
        clock.jump(by: try #require(failed.nextRetry).timeIntervalSince(clock.now()) + 0.01)
        #expect(await reconciler.pass(trigger: .backoff).applied == 1)
        #expect(try await rows("loki-prod") == before)
    }

    /// A grant left out for a missing bundle, then deleted: the report of what changed drops what it held, as the
    /// whole report does (debug builds compare the two at every report).
    @Test func aRejectedGrantThenDeletedLeavesNothingInTheReport() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        try grant("carol-metrics", user: "carol@example.com", dataSource: "prod-metrics")
        #expect(await reconciler.pass(trigger: .startup).error == nil)
        #expect(await reconciler.pass(trigger: .fileChange).error == nil)
        try directory.write(
            "repo/carol-metrics.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: carol-metrics}
            spec: {subject: {user: carol@example.com}, bundle: nope, duration: 1h, reason: r}
            """)
        let rejected = await reconciler.pass(trigger: .fileChange)
        #expect(rejected.error == nil && rejected.phases["carol-metrics"] != .active, "\(rejected.phases)")
        try FileManager.default.removeItem(atPath: directory.path + "/repo/carol-metrics.yaml")
        let deleted = await reconciler.pass(trigger: .fileChange)
        #expect(deleted.error == nil && deleted.phases["carol-metrics"] == nil, "\(deleted.phases)")
        #expect(await reconciler.pass(trigger: .fileChange).phases["carol-metrics"] == nil)
    }

    /// alice's grant applied, then revoked at its end; then, the watch still on, a write of a controller that died
    /// lands late and gives her access back. Returns her data source's rows before the grant, and the revoking pass.
    func revokedAndBackLate(by reconciler: Reconciler) async throws -> (before: [String], revoked: PassResult) {
        try await reconciler.start()
        let before = try await rows("loki-prod")
        #expect(await reconciler.pass(trigger: .startup).applied == 1)
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        clock.jump(by: 3601)
        let revoked = await reconciler.pass(trigger: .timer(grant: "alice-logs", edge: "end"))
        // The next pass reads back what was written; from then on events plan on what was seen.
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        let client = simulator.client()
        let alice = try #require(try await client.orgUsers().first { $0.login == "alice" })
        try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(alice.id), level: "Query")
        return (before, revoked)
    }

    /// Requeued for the default watch: a minute after the revocation was confirmed, which a loaded machine may take
    /// seconds to reach after the pass began.
    static func requeuedForAMinute(_ result: ReconcileResult?) -> Bool {
        guard case .requeue(let after) = result else { return false }
        return after >= .seconds(60) && after < .seconds(90)
    }

    /// Facts held from earlier passes lack a user created since; a grant naming one reads them again (at most every
    /// few seconds between resyncs), and it is applied.
    @Test func aGrantNamingSomethingTheFactsLackReadsThemAgain() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        _ = await reconciler.pass(trigger: .startup)
        try grant("nobody-metrics", user: "nobody@example.com", dataSource: "prod-metrics")
        clock.jump(by: ObservedGrafana.factsRefreshInterval + 1)
        simulator.grafana.clearLog()
        let result = await reconciler.pass(trigger: .fileChange)
        #expect(result.phases["nobody-metrics"] == .failed)
        #expect(reads.contains { $0.hasPrefix("/api/org/users") }, "\(reads)")
        simulator.grafana.clearLog()
        _ = await reconciler.pass(trigger: .fileChange)
        #expect(!reads.contains { $0.hasPrefix("/api/org/users") }, "not again within the interval: \(reads)")
    }

    /// A resync reuses the decisions made on facts it finds unchanged, and decides again when they changed: alice
    /// leaves the team her policy requires, and the resync denies her grant and revokes it.
    @Test func aResyncThatFindsOtherFactsDecidesAgain() async throws {
        try directory.write(
            "repo/policies/access.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: sre-only}
            spec:
              subjects: {teams: [sre]}
              dataSources: [{name: "prod-*"}]
              permissions: [Query]
              maxDuration: 4h
            """)
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        let before = try await rows("loki-prod")
        #expect(await reconciler.pass(trigger: .startup).phases["alice-logs"] == .active)
        let granted = try await rows("loki-prod")
        #expect(granted != before)
        #expect(
            await reconciler.pass(trigger: .resync(slices: 1)).phases["alice-logs"] == .active,
            "same facts, same decision")
        let client = simulator.client()
        let alice = try #require(try await client.orgUsers().first { $0.login == "alice" })
        let sre = try #require(try await client.teams(matching: "sre").first { $0.name == "sre" })
        _ = try await client.removeTeamMember(team: sre.id, user: alice.id)
        let result = await reconciler.pass(trigger: .resync(slices: 1))
        #expect(result.phases["alice-logs"] == .denied, "\(result.phases)")
        #expect(try await rows("loki-prod") == before)
    }
}
