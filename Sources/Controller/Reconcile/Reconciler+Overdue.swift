import AccessModel
import Foundation
import GrafanaAPI

/// After a restart, overdue revocations go first: before a single grant file or Grafana listing is read (seconds at
/// the scale of a real access repository), access whose grants all ended by the windows the ledger recorded is
/// taken back, reading only the objects it lies on.
extension Reconciler {
    /// Revokes the ledger's bindings whose grants have all ended by their recorded windows; returns how many
    /// revocations were confirmed. Entries with a write whose outcome is unknown are left to the full pass, which
    /// checks them against Grafana first. A grant whose file was extended while the controller was down loses its
    /// access until that pass gives it back: the safe side of the promise the ledger recorded.
    func revokeOverdueFirst(now: Date) async throws -> Int {
        let ended = Set(ledger.grants.filter { $0.value.end.map { $0 <= now } ?? false }.keys)
        var overdue = Ledger()
        for change in ledger.entriesByBinding.values
        where change.undoneSince == nil && change.pending == nil && !change.grants.isEmpty
            && change.grants.allSatisfy(ended.contains)
        {
            overdue.record(change)
        }
        guard overdue.count > 0 else { return 0 }
        let actual = await ActualState.read(Set(overdue.bindings), from: grafana)
        var plan = Planner.plan(desired: [:], actual: actual.levels, ledger: overdue)
        // An object that could not be read is left to the full pass, which reports the grants that wait on it.
        plan.withhold(Set(actual.unreadable.keys))
        let grants = Set(overdue.entriesByBinding.values.flatMap(\.grants))
        let desired = DesiredState(ended: ledger.grants.filter { grants.contains($0.key) })
        let outcome = try await lendingLedger(to: executor) { executor in
            try await executor.execute(plan, desired: desired, scope: nil, invalid: [], now: now)
        }
        observed.forget(plan.changes.map(\.binding.resource))
        try await saveLedger()
        logger.log(
            outcome.failed == 0 ? .info : .warning, .overdueRevoked,
            [
                "overdue": String(overdue.count), "revoked": String(outcome.applied), "failed": String(outcome.failed),
                "unreadable": String(actual.unreadable.count),
                "message":
                    "access whose grants ended while the controller was stopped is revoked before the first pass",
            ])
        return outcome.applied
    }
}
