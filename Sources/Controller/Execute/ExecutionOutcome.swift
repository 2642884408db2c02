/// What the executor and the token keeper did in one pass, per grant and per key: what the status report, the key
/// backoff and the overdue notices are made from.
struct ExecutionOutcome: Sendable {
    var applied = 0
    var failed = 0
    /// Grant name → the changes made for it (for status).
    var changes: [String: [String]] = [:]
    var errors: [String: String] = [:]
    /// Why each failed revocation or lowering failed.
    var removalErrors: [Binding: String] = [:]
    /// Every change that failed, with why: audited with outcome `failure`.
    var failedChanges: [(Change, String)] = []
    /// Grants Grafana refused to apply for good (not a fault that may pass): they show `Failed` with why.
    var refusals: [String: String] = [:]
    /// Grants waiting on an object that could not be read, with Grafana's answer and the status reason.
    var blocked: [String: (message: String, reason: Reason)] = [:]
    /// Each object whose write failed, with why: its own backoff.
    var failedKeys: [Binding.Resource: KeyFailure] = [:]
    /// What each grant's token key checked this pass came to: its own backoff.
    var tokenResults: [String: ReconcileResult] = [:]
    /// Token creations and deletions that failed, audited with outcome `failure`.
    var failedTokenEvents: [AuditEvent] = []

    /// Marks the grants that need a waiting key (an object they have desired bindings or ledger entries on, or
    /// their own token) as waiting, each with the key's failure and what it is waiting for.
    mutating func block(
        grantsOn waiting: [ReconcileKey: (failure: KeyFailure, why: String)], desired: DesiredState,
        ledger: Ledger
    ) {
        guard !waiting.isEmpty else { return }
        var needs: [ReconcileKey: Set<String>] = [:]
        // Only the grants on a waiting object are looked up; a waiting token names its grant.
        if !waiting.objects.isEmpty {
            for (binding, want) in desired.bindings where waiting[.object(binding.resource)] != nil {
                needs[.object(binding.resource), default: []].formUnion(want.grants)
            }
            for change in ledger.entriesByBinding.values where waiting[.object(change.binding.resource)] != nil {
                needs[.object(change.binding.resource), default: []].formUnion(change.grants)
            }
        }
        for (key, (failure, why)) in waiting {
            let reason: Reason = failure.unsupported ? .unsupported : .applyFailed
            let grants: Set<String> =
                switch key {
                case .object: needs[key] ?? []
                case .token(let grant): [grant]
                }
            for grant in grants where blocked[grant] == nil {
                blocked[grant] = ("waiting for \(key.words), \(why): \(failure.message)", reason)
            }
        }
    }

    /// Records how a token key came out; the first failure in a pass is the one kept.
    mutating func settle(tokenOf grant: String, _ result: ReconcileResult) {
        if case .failed = tokenResults[grant] { return }
        tokenResults[grant] = result
    }
}
