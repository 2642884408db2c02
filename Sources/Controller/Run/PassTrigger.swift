/// Why a pass runs, as its log lines say: operators watching the log should never have to guess.
package enum PassTrigger: Sendable, Equatable {
    case startup
    /// A file under the configured paths changed (the pass names the files it found changed).
    case fileChange
    /// A grant's start, end, active-hours edge, shift end or expiring-soon mark.
    case timer(grant: String, edge: String)
    /// The periodic full resync, which also puts back access removed by hand.
    case resync
    /// Again after a failed pass, with backoff.
    case retry(attempt: Int)
    /// A failing key's own retry is due (the keys not yet due are left alone).
    case backoff
    /// `run --once`, `plan` or `--dry-run`.
    case request

    /// `trigger=...` and what goes with it.
    /// A file change, a deadline or a key's backoff reads again only what it touches; a start, a resync, a retry or a request reads
    /// all of Grafana, which is what catches drift.
    package var readsIncrementally: Bool {
        switch self {
        case .fileChange, .timer, .backoff: true
        case .startup, .resync, .retry, .request: false
        }
    }

    package var fields: [String: String] {
        switch self {
        case .startup: ["trigger": "startup"]
        case .fileChange: ["trigger": "fileChange"]
        case .timer(let grant, let edge): ["trigger": "timer", "grant": grant, "edge": edge]
        case .resync: ["trigger": "resync"]
        case .retry(let attempt): ["trigger": "retry", "attempt": String(attempt)]
        case .backoff: ["trigger": "backoff"]
        case .request: ["trigger": "request"]
        }
    }
}
