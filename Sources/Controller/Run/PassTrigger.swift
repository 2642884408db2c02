/// Why a pass runs, as its log lines say: operators watching the log should never have to guess.
package enum PassTrigger: Sendable, Equatable {
    case startup
    /// A file under the configured paths changed (the pass names the files it found changed).
    case fileChange
    /// A grant's start, end, active-hours edge, shift end or expiring-soon mark.
    case timer(grant: String, edge: String)
    /// The periodic resync, the first of its `slices` steps: every file walked, the facts listed again, the keys of
    /// slice 0 read.
    case resync(slices: Int)
    /// A later step of the resync: an event's pass that also reads the keys of its slice, which puts back access
    /// changed by hand on them.
    case resyncSlice(ResyncSlice)
    /// Again after a failed pass, with backoff.
    case retry(attempt: Int)
    /// A failing key's own retry, or a requeued key, is due (the failing keys not yet due are left alone).
    case backoff
    /// `run --once`, `plan` or `--dry-run`.
    case request

    /// A file change, a deadline, a key's backoff or a resync slice reads again only the files named, reuses the
    /// facts and leaves a key not yet due alone; a start, a resync, a retry or a request walks every file, lists the
    /// facts again and tries every key.
    package var readsIncrementally: Bool {
        switch self {
        case .fileChange, .timer, .backoff, .resyncSlice: true
        case .startup, .resync, .retry, .request: false
        }
    }

    /// The keys the pass reads besides the stale ones: all of them, its resync slice's, or (an event) none.
    package var keySlice: ResyncSlice? {
        switch self {
        case .startup, .retry, .request: .all
        case .resync(let slices): ResyncSlice(index: 0, count: slices)
        case .resyncSlice(let slice): slice
        case .fileChange, .timer, .backoff: nil
        }
    }

    /// `trigger=...` and what goes with it.
    package var fields: [String: String] {
        switch self {
        case .startup: ["trigger": "startup"]
        case .fileChange: ["trigger": "fileChange"]
        case .timer(let grant, let edge): ["trigger": "timer", "grant": grant, "edge": edge]
        case .resync(let slices): ["trigger": "resync", "slice": "0", "slices": String(slices)]
        case .resyncSlice(let slice):
            ["trigger": "resyncSlice", "slice": String(slice.index), "slices": String(slice.count)]
        case .retry(let attempt): ["trigger": "retry", "attempt": String(attempt)]
        case .backoff: ["trigger": "backoff"]
        case .request: ["trigger": "request"]
        }
    }
}
