import Foundation
import GrafanaAPI

/// The notifier as a service. While the controller runs there is nothing to do here (`send` starts its own
/// deliveries); stopping delivers what is still queued for up to `drainLimit`, then `run` returns. Stop it after the
/// loops, so their last passes' news is in the queue.
package struct NotifierService: Service {
    private let notifier: Notifier
    private let drainLimit: Duration
    private let clock: any WallClock
    private let stopRequest = StopRequest()

    package init(notifier: Notifier, drainLimit: Duration, clock: any WallClock) {
        self.notifier = notifier
        self.drainLimit = drainLimit
        self.clock = clock
    }

    package func run() async {
        await stopRequest.wait()
        await notifier.drain(until: clock.now().addingTimeInterval(drainLimit.timeInterval))
    }

    package func stop() async {
        await stopRequest.request()
    }
}
