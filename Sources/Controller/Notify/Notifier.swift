import Foundation
import GrafanaAPI

/// Delivers notifications to webhooks in the background, never holding up a pass: `send` only queues. Each
/// destination has its own first-in-first-out queue and worker, so a slow or failing receiver delays nobody else;
/// a delivery that fails transiently is retried with the controller's backoff (full jitter, `Retry-After` honoured)
/// until it is delivered or `giveUpAfter` has passed since it was raised.
package actor Notifier {
    package struct Settings: Sendable {
        package var retry = RetryPolicy(base: .seconds(1), cap: .seconds(300))
        /// A notification undelivered this long after it was raised is given up and logged.
        package var giveUpAfter: Duration = .seconds(3600)
        /// Notifications waiting per destination; beyond it the oldest waiting one is dropped (and logged).
        package var capacity = 1000

        package init() {}
    }

    private struct Pending {
        var id: Int
        var notification: GrantNotification
        var body: Data
        var attempts = 0
    }

    private struct Channel {
        var destination: WebhookDestination
        var queue: [Pending] = []
        var inFlight: Int?
        var worker: Task<Void, Never>?
    }

    private var channels: [Channel]
    private let transport: any WebhookTransport
    private let clock: any WallClock
    private let logger: Logger
    private let metrics: ControllerMetrics
    private let settings: Settings
    private let random: @Sendable () -> Double
    private var nextID = 0

    package init(
        destinations: [WebhookDestination], transport: any WebhookTransport, clock: any WallClock, logger: Logger,
        metrics: ControllerMetrics, settings: Settings = Settings(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        channels = destinations.map { Channel(destination: $0) }
        self.transport = transport
        self.clock = clock
        self.logger = logger
        self.metrics = metrics
        self.settings = settings
        self.random = random
    }

    /// Queues each notification for every destination and returns at once.
    package func send(_ notifications: [GrantNotification]) {
        guard !notifications.isEmpty else { return }
        for index in channels.indices {
            for notification in notifications {
                nextID += 1
                let body = channels[index].destination.format.body(for: notification)
                channels[index].queue.append(Pending(id: nextID, notification: notification, body: body))
            }
            dropOverflow(index)
            if channels[index].worker == nil {
                channels[index].worker = Task { await self.deliver(index) }
            }
        }
    }

    /// Notifications not yet delivered or given up, over all destinations.
    package var waiting: Int { channels.reduce(0) { $0 + $1.queue.count } }

    /// Waits until every queue is empty or `deadline` passes: at shutdown, so a last pass's news still goes out.
    package func drain(until deadline: Date) async {
        while waiting > 0, clock.now() < deadline {
            // Checking every 50 ms is plenty for a one-off wait at exit; a cancelled wait simply ends it.
            try? await clock.sleep(until: min(deadline, clock.now().addingTimeInterval(0.05)))
        }
    }

    private func dropOverflow(_ index: Int) {
        while channels[index].queue.count > settings.capacity {
            let inFlight = channels[index].inFlight
            guard let oldest = channels[index].queue.firstIndex(where: { $0.id != inFlight }) else { return }
            let dropped = channels[index].queue.remove(at: oldest)
            finish(dropped.notification, on: index, outcome: "dropped", reason: "the queue is full")
        }
    }

    /// Works through one destination's queue in order, then ends (the next `send` starts it again).
    private func deliver(_ index: Int) async {
        while let pending = channels[index].queue.first {
            channels[index].inFlight = pending.id
            let answer = await transport.post(pending.body, to: channels[index].destination.url)
            channels[index].inFlight = nil
            if answer.isDelivered {
                remove(pending.id, from: index)
                metrics.notifications.increment(pending.notification.event.rawValue, "delivered")
                continue
            }
            let giveUpAt = pending.notification.time.addingTimeInterval(settings.giveUpAfter.timeInterval)
            let wait = settings.retry.delay(
                attempt: pending.attempts, retryAfter: answer.retryAfter, random: random())
            let wakeUp = clock.now().addingTimeInterval(wait.timeInterval)
            guard answer.isRetryable, wakeUp <= giveUpAt else {
                remove(pending.id, from: index)
                finish(pending.notification, on: index, outcome: "failed", reason: Self.describe(answer))
                continue
            }
            if let position = channels[index].queue.firstIndex(where: { $0.id == pending.id }) {
                channels[index].queue[position].attempts += 1
            }
            metrics.notifications.increment(pending.notification.event.rawValue, "retried")
            logger.log(
                pending.attempts == 0 ? .warning : .debug, .notificationRetrying,
                fields(pending.notification, on: index, reason: Self.describe(answer)))
            do {
                try await clock.sleep(until: wakeUp)
            } catch {
                break
            }
        }
        channels[index].worker = nil
    }

    private func remove(_ id: Int, from index: Int) {
        channels[index].queue.removeAll { $0.id == id }
    }

    private func finish(_ notification: GrantNotification, on index: Int, outcome: String, reason: String) {
        metrics.notifications.increment(notification.event.rawValue, outcome)
        var line = fields(notification, on: index, reason: reason)
        line["outcome"] = outcome
        logger.log(.error, .notificationFailed, line)
    }

    private func fields(_ notification: GrantNotification, on index: Int, reason: String) -> [String: String] {
        [
            "destination": channels[index].destination.label, "notification": notification.event.rawValue,
            "grant": notification.grant, "error": reason,
        ]
    }

    private static func describe(_ answer: WebhookAnswer) -> String {
        switch answer {
        case .status(let code, _): "the receiver answered \(code)"
        case .unreachable(let reason): "the receiver is unreachable (\(reason))"
        }
    }
}
