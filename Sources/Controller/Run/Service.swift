/// A long-running part of the daemon (a loop, discovery, the notifier, the operations server), run by a
/// `ServiceGroup`. Its whole contract is these two calls, as swift-service-lifecycle's `Service`, except that stopping
/// is asked for, never done by cancelling a task: a task inside a URLSession call must not be cancelled
/// (RELIABILITY.md).
package protocol Service: Sendable {
    /// Does the service's work; returns once a stop was asked and the work in progress is finished (or when the
    /// service has nothing more to do).
    func run() async

    /// Asks for a graceful stop and returns at once: the work in progress finishes, then `run` returns. Asked before
    /// `run` starts, `run` returns at once; asked twice, the second ask changes nothing.
    func stop() async
}
