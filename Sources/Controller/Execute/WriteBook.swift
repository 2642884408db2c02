import GrafanaAPI

/// The writes of one pass, per resource: what is still to do, what went through, what failed for good.
actor WriteBook {
    private var pending: [Binding.Resource: [Change]]
    private(set) var written: [Change] = []
    private(set) var failures: [(Change, KeyFailure)] = []
    /// Removals whose target is gone (a user who left the org, a deleted folder), with why.
    private(set) var vanished: [(Change, String)] = []

    init(_ pending: [Binding.Resource: [Change]]) {
        self.pending = pending
    }

    func changes(for resource: Binding.Resource) -> [Change] { pending[resource] ?? [] }

    func succeeded(_ change: Change, on resource: Binding.Resource) {
        written.append(change)
        pending[resource]?.removeFirst()
    }

    func vanished(_ change: Change, on resource: Binding.Resource, because reason: String) {
        vanished.append((change, reason))
        pending[resource]?.removeFirst()
    }

    /// Gives up on what is left for `resource`.
    func fail(_ resource: Binding.Resource, because failure: KeyFailure) {
        for change in pending[resource] ?? [] { failures.append((change, failure)) }
        pending[resource] = []
    }
}
