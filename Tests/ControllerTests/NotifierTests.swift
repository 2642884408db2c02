import Foundation
import GrafanaAPI
import Synchronization
import TestSupport
import Testing

@testable import Controller

/// The webhook queue: retries with backoff and `Retry-After`, gives up on answers that will not change, keeps
/// order per destination, bounds its memory; and the two payload formats.
struct NotifierTests {
    /// Answers from a script (the last answer repeats) and records every body posted, by URL.
    final class ScriptedTransport: WebhookTransport {
        let state = Mutex<(answers: [WebhookAnswer], posts: [(url: URL, body: Data)])>(([], []))

        init(_ answers: [WebhookAnswer]) {
            state.withLock { $0.answers = answers }
        }

        func post(_ body: Data, to url: URL) async -> WebhookAnswer {
            state.withLock { state in
                state.posts.append((url, body))
                return state.answers.count > 1
                    ? state.answers.removeFirst() : state.answers.first ?? .status(200, retryAfter: nil)
            }
        }

        var posts: [(url: URL, body: Data)] { state.withLock { $0.posts } }

        /// The `grant` field of each generic body posted.
        var grants: [String] {
            posts.compactMap { post in
                (try? JSONSerialization.jsonObject(with: post.body) as? [String: Any])?["grant"] as? String
            }
        }
    }

    let clock = ManualClock()
    let metrics = ControllerMetrics()
    let hook = WebhookDestination(url: URL(string: "http://127.0.0.1:9/hooks/secret-path")!, format: .generic)

    func notifier(_ transport: ScriptedTransport, settings: Notifier.Settings = Notifier.Settings()) -> Notifier {
        Notifier(
            destinations: [hook], transport: transport, clock: clock,
            logger: Logger(minimumLevel: .error, clock: clock) { _ in }, metrics: metrics, settings: settings,
            random: { 0.5 })
    }

    func notification(_ grant: String, _ event: GrantNotification.Event = .activated) -> GrantNotification {
        GrantNotification(
            event: event, grant: grant, subject: "alice@example.com", resources: ["Query on data source prod-logs"],
            message: "alice@example.com has Query on data source prod-logs", expiresAt: clock.now() + 3600,
            time: clock.now())
    }

    func count(_ event: String, _ outcome: String) -> String? {
        metrics.registry.render().split(separator: "\n").first {
            $0.hasPrefix("grafana_jit_notifications_total{event=\"\(event)\",outcome=\"\(outcome)\"}")
        }.map { String($0.split(separator: " ").last ?? "") }
    }

    @Test func aFailingReceiverIsRetriedWithBackoffUntilItTakesTheNotification() async throws {
        let transport = ScriptedTransport([
            .status(503, retryAfter: nil), .unreachable("URLError -1004"), .status(204, retryAfter: nil),
        ])
        let notifier = notifier(transport)
        await notifier.send([notification("g")])
        // Each retry waits a jittered share of 1 s, 2 s, ... (full jitter at 0.5).
        #expect(try await eventually { clock.sleeperCount == 1 })
        #expect(clock.requestedSleeps == [clock.now() + 0.5])
        clock.advanceToNextDeadline()
        #expect(try await eventually { clock.sleeperCount == 1 && transport.posts.count == 2 })
        #expect(clock.requestedSleeps.last == clock.now() + 1)
        clock.advanceToNextDeadline()
        #expect(try await eventually { await notifier.waiting == 0 })
        #expect(transport.posts.count == 3 && transport.grants == ["g", "g", "g"])
        #expect(count("grant.activated", "retried") == "2" && count("grant.activated", "delivered") == "1")
    }

    @Test func retryAfterIsHonoured() async throws {
        let transport = ScriptedTransport([.status(429, retryAfter: .seconds(30)), .status(200, retryAfter: nil)])
        let notifier = notifier(transport)
        await notifier.send([notification("g")])
        #expect(try await eventually { clock.sleeperCount == 1 })
        #expect(clock.requestedSleeps == [clock.now() + 30])
        clock.advance(by: 30)
        #expect(try await eventually { await notifier.waiting == 0 })
        #expect(transport.posts.count == 2)
    }

    @Test func anAnswerThatWillNotChangeIsNotRetried() async throws {
        let transport = ScriptedTransport([.status(404, retryAfter: nil), .status(200, retryAfter: nil)])
        let notifier = notifier(transport)
        await notifier.send([notification("a"), notification("b")])
        #expect(try await eventually { await notifier.waiting == 0 })
        #expect(transport.grants == ["a", "b"] && clock.requestedSleeps.isEmpty)
        #expect(count("grant.activated", "failed") == "1" && count("grant.activated", "delivered") == "1")
    }

    @Test func aNotificationIsGivenUpOnceRetryingWouldOutliveItsDeadline() async throws {
        var settings = Notifier.Settings()
        settings.giveUpAfter = .seconds(10)
        let transport = ScriptedTransport([.status(503, retryAfter: .seconds(60))])
        let notifier = notifier(transport, settings: settings)
        await notifier.send([notification("g", .revocationFailing)])
        #expect(try await eventually { await notifier.waiting == 0 })
        #expect(transport.posts.count == 1 && count("revocation.failing", "failed") == "1")
    }

    @Test func orderIsKeptBehindARetry() async throws {
        let transport = ScriptedTransport([.status(500, retryAfter: nil), .status(200, retryAfter: nil)])
        let notifier = notifier(transport)
        await notifier.send([notification("first"), notification("second")])
        #expect(try await eventually { clock.sleeperCount == 1 })
        await notifier.send([notification("third")])
        clock.advanceToNextDeadline()
        #expect(try await eventually { await notifier.waiting == 0 })
        #expect(transport.grants == ["first", "first", "second", "third"])
    }

    @Test func aFullQueueDropsTheOldestWaitingNotification() async throws {
        var settings = Notifier.Settings()
        settings.capacity = 2
        let transport = ScriptedTransport([.status(503, retryAfter: .seconds(5)), .status(200, retryAfter: nil)])
        let notifier = notifier(transport, settings: settings)
        await notifier.send([notification("a")])
        #expect(try await eventually { clock.sleeperCount == 1 })
        await notifier.send([notification("b"), notification("c")])
        #expect(await notifier.waiting == 2)
        clock.advanceToNextDeadline()
        #expect(try await eventually { await notifier.waiting == 0 })
        // "a" was posted once, then dropped while it waited for its retry.
        #expect(transport.grants == ["a", "b", "c"] && count("grant.activated", "dropped") == "1")
    }

    @Test func eachDestinationHasItsOwnQueue() async throws {
        let transport = ScriptedTransport([.status(200, retryAfter: nil)])
        let slack = WebhookDestination(url: URL(string: "http://127.0.0.1:9/slack")!, format: .slack)
        let notifier = Notifier(
            destinations: [hook, slack], transport: transport, clock: clock,
            logger: Logger(minimumLevel: .error, clock: clock) { _ in }, metrics: metrics)
        await notifier.send([notification("g")])
        #expect(try await eventually { await notifier.waiting == 0 })
        #expect(Set(transport.posts.map(\.url.path)) == ["/hooks/secret-path", "/slack"])
    }

    @Test func theGenericPayloadHasEveryFieldAndNoSecret() throws {
        var sample = notification("alice-prod-logs", .denied)
        sample.reasons = ["policy prod-logs requires an approval"]
        sample.grafana = "main"
        sample.org = 1
        sample.commit = "3f1c2e9a"
        sample.pullRequest = 123
        let object = try #require(
            try JSONSerialization.jsonObject(with: WebhookFormat.generic.body(for: sample)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "event", "grant", "subject", "grafana", "org", "resources", "message", "expiresAt", "reasons",
                "commit", "pullRequest", "time",
            ])
        #expect(object["event"] as? String == "grant.denied" && object["pullRequest"] as? Int == 123)
        #expect(object["expiresAt"] as? String == (clock.now() + 3600).rfc3339)
        let bare = try #require(
            try JSONSerialization.jsonObject(with: WebhookFormat.generic.body(for: notification("g"))) as? [String: Any]
        )
        #expect(bare["commit"] is NSNull && bare["pullRequest"] is NSNull)
    }

    @Test func theSlackPayloadHasTextAndBlocksWithMarkupEscaped() throws {
        var sample = notification("g", .revocationFailing)
        sample.message = "removing <b> & co failed"
        sample.pullRequest = 7
        let object = try #require(
            try JSONSerialization.jsonObject(with: WebhookFormat.slack.body(for: sample)) as? [String: Any])
        #expect(object["text"] as? String == "Revocation failing: removing &lt;b&gt; &amp; co failed")
        let blocks = try #require(object["blocks"] as? [[String: Any]])
        #expect(blocks.first?["type"] as? String == "section" && blocks.last?["type"] as? String == "context")
        let context = "\(blocks.last?["elements"] ?? "")"
        #expect(context.contains("PR #7") && context.contains("grant `g`"))
    }

    @Test func logsNameTheReceiverWithoutItsPath() {
        #expect(hook.label == "http://127.0.0.1:9 (generic)")
    }
}
