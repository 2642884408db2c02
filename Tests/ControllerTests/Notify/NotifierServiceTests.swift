import Foundation
import TestSupport
import Testing

@testable import Controller

/// The notifier as a service: idle until stopped, then draining its queue for a bounded time.
struct NotifierServiceTests {
    let clock = ShiftedClock()

    private func notifier(_ transport: any WebhookTransport) throws -> Notifier {
        Notifier(
            destinations: [
                WebhookDestination(url: try #require(URL(string: "http://127.0.0.1:9/hook")), format: .generic)
            ],
            transport: transport, clock: clock, logger: Logger(minimumLevel: .error, clock: clock) { _ in },
            metrics: ControllerMetrics())
    }

    @Test func aStopWithNothingQueuedEndsRunAtOnce() async throws {
        let service = NotifierService(
            notifier: try notifier(NotifierTests.ScriptedTransport([])), drainLimit: .seconds(10), clock: clock)
        let running = Watched { await service.run() }
        await service.stop()
        #expect(try await running.value() != nil)
    }

    /// A receiver that answers only when the test lets it, so a delivery stays in flight as long as needed.
    final class HeldTransport: WebhookTransport {
        let mayAnswer = StopRequest()
        let posts = Journal()

        func post(_ body: Data, to url: URL) async -> WebhookAnswer {
            await posts.note(url.path)
            await mayAnswer.wait()
            return .status(200, retryAfter: nil)
        }
    }

    @Test func aStopDrainsForNoLongerThanTheLimit() async throws {
        let transport = HeldTransport()
        let notifier = try notifier(transport)
        await notifier.send([
            GrantNotification(
                event: .activated, grant: "g", subject: "alice@example.com", resources: ["Query on data source logs"],
                message: "alice@example.com has Query on data source logs", expiresAt: clock.now() + 3600,
                time: clock.now())
        ])
        let service = NotifierService(notifier: notifier, drainLimit: .seconds(10), clock: clock)
        let running = Watched { await service.run() }
        await service.stop()
        #expect(try await eventually { await transport.posts.entries == ["/hook"] })
        #expect(!running.hasEnded)
        // Jumped again on every look: the drain's deadline is set only once `run` has seen the stop.
        #expect(
            try await eventually {
                clock.jump(by: 11)
                return running.hasEnded
            })
        #expect(await notifier.waiting == 1)
        await transport.mayAnswer.request()
        #expect(try await eventually { await notifier.waiting == 0 })
    }
}
