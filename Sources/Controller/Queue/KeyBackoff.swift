import Foundation
import GrafanaAPI

/// Why one key (a Grafana object or a token) failed: what its grants' status says, and how soon it may be tried again.
package struct KeyFailure: Sendable, Equatable {
    package var message: String
    /// Grafana's `Retry-After`, when it named one: the key's backoff is never shorter.
    package var retryAfter: Duration?
    /// This Grafana has no API for it (open-source Grafana asked for data-source permissions): `Unsupported`.
    package var unsupported = false

    package init(message: String, retryAfter: Duration? = nil, unsupported: Bool = false) {
        self.message = message
        self.retryAfter = retryAfter
        self.unsupported = unsupported
    }

    package init(_ error: GrafanaAPIError) {
        let unsupported = if case .unsupported = error { true } else { false }
        self.init(message: error.description, retryAfter: error.retryAfter, unsupported: unsupported)
    }

    /// Grafana's answer keeps its `Retry-After`; any other error (the file system, the ledger) only its words.
    init(anyError error: any Error) {
        if let error = error as? GrafanaAPIError {
            self.init(error)
        } else {
            self.init(message: "\(error)")
        }
    }
}

/// What reconciling one key came to in a pass (controller-runtime's `Result`): done; done for now but to be read
/// again after a while; or failed, which sets that key's own backoff. Revocations the brake holds are not a key's
/// result: the brake counts them together, so they are retried by a whole pass.
package enum ReconcileResult: Sendable, Equatable {
    case done
    /// Nothing failed, but the key must be read again then: a revoked binding's watch ends (a write still on its
    /// way could bring the access back; only a read at the end of the watch may forget it).
    case requeue(after: Duration)
    case failed(KeyFailure)
}

/// Each failing key's own exponential backoff, and when each requeued key is to be read again. A pass started by an
/// event or a deadline leaves a failing key alone until its retry is due, so a data source or a token answering 500
/// for minutes is tried at growing intervals (never sooner than `Retry-After`) while every other key is reconciled
/// as usual. Pure: time comes in as a value.
package struct KeyBackoff: Sendable {
    package struct Waiting: Sendable, Equatable {
        package var attempts: Int
        package var due: Date
        package var failure: KeyFailure
    }

    private let policy: RetryPolicy
    package private(set) var waiting: [ReconcileKey: Waiting] = [:]
    /// Keys done for now that asked to be read again at a time (`.requeue(after:)`); not failures, so never left
    /// alone by a pass.
    package private(set) var requeued: [ReconcileKey: Date] = [:]

    package init(policy: RetryPolicy) {
        self.policy = policy
    }

    /// Records a pass's results at `now`: a key done is forgotten, a key requeued is read again at its time, a key
    /// failed waits its next backoff (`random` in [0, 1) spreads the wait over its upper half). A key that was due but
    /// no longer touched by any grant, ledger entry or token record has nothing left to retry and is forgotten too.
    package mutating func record(
        _ results: [ReconcileKey: ReconcileResult], now: Date, random: () -> Double = { Double.random(in: 0..<1) }
    ) {
        waiting = waiting.filter { $0.value.due > now || results[$0.key] != nil }
        requeued = requeued.filter { $0.value > now || results[$0.key] != nil }
        for (key, result) in results {
            if case .requeue = result {} else { requeued[key] = nil }
            switch result {
            case .done:
                waiting[key] = nil
            case .requeue(let delay):
                waiting[key] = nil
                requeued[key] = now.addingTimeInterval(delay.timeInterval)
            case .failed(let failure):
                let attempts = (waiting[key]?.attempts ?? 0) + 1
                let delay = policy.delay(
                    attempt: attempts - 1, retryAfter: failure.retryAfter, random: 0.5 + random() / 2)
                waiting[key] = Waiting(
                    attempts: attempts, due: now.addingTimeInterval(delay.timeInterval), failure: failure)
            }
        }
    }

    /// The keys whose retry is not yet due at `now`, with their last failure.
    package func notDue(at now: Date) -> [ReconcileKey: KeyFailure] {
        waiting.filter { $0.value.due > now }.mapValues(\.failure)
    }

    /// The requeued keys due at `now`: the pass reads them again.
    package func requeuedDue(at now: Date) -> Set<ReconcileKey> {
        Set(requeued.filter { $0.value <= now }.keys)
    }

    /// When the earliest retry or requeue falls due.
    package var nextDue: Date? {
        [waiting.values.map(\.due).min(), requeued.values.min()].compactMap { $0 }.min()
    }
}
