import Controller
import Foundation
import GrafanaAPI

extension RunCommand {
    /// How long a stop may take, from the first signal: the passes in progress, the notifier's drain, all of it.
    static let stopLimit = Duration.seconds(30)

    /// What ends a wait in `serve`.
    private enum Event: Sendable {
        case servicesEnded
        case signal(String)
        case stopped(inTime: Bool)
    }

    /// Runs the services until the first signal, then stops them. A second signal, or `stopLimit`, gives up on those
    /// still running: a pass still in flight is abandoned, and the write-ahead ledger lets the next start finish its
    /// work. Either way the exit code is 0; the log says which.
    static func serve(
        _ services: ServiceGroup, signals: TerminationSignals, clock: any WallClock, logger: Logger
    ) async -> ExitCode {
        // Cancelling this group reaches only the signal waits and the group's own waits: the services run in tasks
        // the service group holds, which no cancellation reaches.
        let (reason, inTime) = await withTaskGroup(of: Event.self) { tasks in
            tasks.addTask {
                await services.run()
                return .servicesEnded
            }
            tasks.addTask { .signal(await signals.first()) }
            var first: String?
            while let event = await tasks.next() {
                switch (event, first) {
                case (.servicesEnded, nil):
                    tasks.cancelAll()
                    return ("none", true)
                case (.signal(let name), nil):
                    first = name
                    let deadline = clock.now().addingTimeInterval(stopLimit.timeInterval)
                    tasks.addTask { .stopped(inTime: await services.stop(until: deadline)) }
                    tasks.addTask { .signal(await signals.first()) }
                case (.signal(let name), let first?):
                    // The stop and the run return within a step of this; nothing is left to cancel.
                    await services.abandon()
                    return ("\(first), then \(name)", false)
                case (.stopped(let inTime), let first?):
                    tasks.cancelAll()
                    return inTime ? (first, true) : ("\(first), then drain timeout", false)
                case (.servicesEnded, _?), (.stopped, nil):
                    // The services end as the stop finishes; the stop's own answer follows.
                    continue
                }
            }
            return ("none", true)
        }
        logger.log(inTime ? .info : .warning, .controllerStopped, ["reason": reason])
        return .success
    }
}
