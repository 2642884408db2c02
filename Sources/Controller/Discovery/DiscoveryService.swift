import Foundation
import GrafanaAPI

/// Looks for standing access at start and every `interval` after, for the metrics and log. Stopping lets the scan in
/// progress finish (it only reads), skips the Grafanas not yet scanned and ends the wait between rounds early;
/// nothing is cancelled.
package struct DiscoveryService: Service {
    private let interval: Duration
    private let clock: any WallClock
    /// One scan per Grafana, in turn.
    private let scans: [@Sendable () async -> Void]
    private let stopRequest = StopRequest()

    /// Scans each reconciler's Grafana; a failed scan is logged and tried again next round. A zero `interval` turns
    /// discovery off: `run` returns at once.
    package init(reconcilers: [Reconciler], interval: Duration, clock: any WallClock) {
        let scans = reconcilers.map { reconciler in
            { @Sendable in
                do {
                    _ = try await reconciler.discover()
                } catch {
                    reconciler.logger.log(.warning, .discoveryFailed, ["error": "\(error)"])
                }
            }
        }
        self.init(interval: interval, clock: clock, scans: scans)
    }

    init(interval: Duration, clock: any WallClock, scans: [@Sendable () async -> Void]) {
        self.interval = interval
        self.clock = clock
        self.scans = scans
    }

    package func run() async {
        guard interval > .zero else { return }
        while true {
            for scan in scans {
                guard await !stopRequest.isRequested else { return }
                await scan()
            }
            let next = clock.now().addingTimeInterval(interval.timeInterval)
            guard await stopRequest.sleep(until: next, on: clock) else { return }
        }
    }

    package func stop() async {
        await stopRequest.request()
    }
}
