import AccessModel
import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// What passes tell people: activation, expiring-soon marks (once each, waking the controller for them), expiry,
/// denial with reasons, deletion, and a revocation that does not land (once, not every pass).
struct ReconcilerNotificationTests {
    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: logs}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Query]
          maxDuration: 4h
        """

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ShiftedClock()
    let transport = NotifierTests.ScriptedTransport([.status(200, retryAfter: nil)])

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.write("repo/policies/policy.yaml", Self.policy)
    }

    func grant(_ name: String, user: String, duration: String) throws {
        try directory.write(
            "repo/\(name).yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec: {subject: {user: \(user)}, access: [{dataSource: prod-logs, permission: Query}], duration: \(duration), reason: r}
            """)
    }

    func makeReconciler() -> Reconciler {
        let notifier = Notifier(
            destinations: [WebhookDestination(url: URL(string: "http://127.0.0.1:9/hook")!, format: .generic)],
            transport: transport, clock: clock, logger: Logger(minimumLevel: .error, clock: clock) { _ in },
            metrics: ControllerMetrics())
        return Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock, notifier: notifier) {
            $0.expiryNotices = [.seconds(1800), .seconds(600)]
            // A failing write fails its pass at once instead of being retried for half a minute.
            $0.writeDeadline = .zero
        }
    }

    /// The notifications received so far, as `event grant: message`.
    func received(_ count: Int, within seconds: TimeInterval = 5) async throws -> [String] {
        _ = try await eventually(within: seconds) { transport.posts.count >= count }
        return transport.posts.compactMap { post in
            guard let object = try? JSONSerialization.jsonObject(with: post.body) as? [String: Any] else { return nil }
            return "\(object["event"] ?? "") \(object["grant"] ?? ""): \(object["message"] ?? "")"
        }
    }

    @Test func aGrantsLifeIsNotifiedOnceAtEachStep() async throws {
        try grant("g", user: "alice@example.com", duration: "1h")
        let reconciler = makeReconciler()
        try await reconciler.start()
        let first = await reconciler.pass()
        let end = try #require(await reconciler.statuses["g"]?.expiresAt)
        #expect(first.nextDeadline == end.addingTimeInterval(-1800), "the controller wakes for the first mark")
        var seen = try await received(1)
        #expect(
            seen == [
                "grant.activated g: user alice@example.com has Query on data source prod-logs until \(end.rfc3339)"
            ])

        clock.jump(by: 31 * 60)
        let second = await reconciler.pass()
        #expect(second.nextDeadline == end.addingTimeInterval(-600))
        _ = await reconciler.pass()
        seen = try await received(2)
        #expect(seen.count == 2 && seen[1].hasPrefix("grant.expiring g: user alice@example.com's access ends in 29m"))

        clock.jump(by: 20 * 60)
        _ = await reconciler.pass()
        seen = try await received(3)
        #expect(seen.count == 3 && seen[2].hasPrefix("grant.expiring g: user alice@example.com's access ends in 9m"))

        // A restart remembers which marks were sent (the first controller still holds the state folder's lock).
        let restarted = makeReconciler()
        try await restarted.start(exclusive: false)
        // The daemon's loop sends the notice for a revocation that does not land.
        let loop = ControllerLoop(
            reconciler: restarted, clock: clock, logger: Logger(minimumLevel: .error, clock: clock) { _ in })
        _ = await loop.once()
        simulator.grafana.setFaults(Self.failingWrites)
        clock.jump(by: 10 * 60)
        _ = await loop.once()
        _ = await loop.once()
        seen = try await received(5)
        #expect(seen.count == 5, "\(seen)")
        #expect(
            seen[3]
                == "grant.expired g: user alice@example.com's access ended at \(end.rfc3339); removing it failed and is retried"
        )
        #expect(seen[4].hasPrefix("revocation.failing g: alice@example.com still holds Query on prod-logs"))

        simulator.grafana.setFaults(FaultPlan())
        let healed = await loop.once()
        #expect(healed.isConverged)
        #expect(try await received(6, within: 0.3).count == 5, "a revocation that lands raises nothing more")
    }

    @Test func denialsAndDeletionsAreNotified() async throws {
        try grant("long", user: "bob@example.com", duration: "8h")
        try grant("short", user: "carol@example.com", duration: "1h")
        let reconciler = makeReconciler()
        try await reconciler.start()
        _ = await reconciler.pass()
        let seen = try await received(2)
        let denial = try #require(
            transport.posts.compactMap {
                try? JSONSerialization.jsonObject(with: $0.body) as? [String: Any]
            }.first { $0["event"] as? String == "grant.denied" })
        #expect(denial["grant"] as? String == "long")
        #expect((denial["reasons"] as? [String])?.contains { $0.contains("4h") } == true, "\(denial)")
        #expect(seen.contains { $0.hasPrefix("grant.activated short:") })

        try FileManager.default.removeItem(atPath: directory.path + "/repo/short.yaml")
        _ = await reconciler.pass()
        #expect(
            try await received(3).last
                == "grant.revoked short: the grant file was deleted, so user carol@example.com's access ends now: it was removed"
        )
    }

    static var failingWrites: FaultPlan {
        var plan = FaultPlan()
        plan.writeErrorRate = 1
        return plan
    }
}
