import AccessModel
import Foundation

/// The report's I/O, after a pass: the pure `StatusReport` decides every status, log line, audit event and notice;
/// this logs, audits, saves and sends them, and keeps what the next report starts from.
extension Reconciler {
    func report(
        catalog: ResourceCatalog, desired: DesiredState, invalid: [DecodedFile],
        rejected: [String: (file: String, error: String)], outcome: ExecutionOutcome, now: Date
    ) async throws -> [String: Phase] {
        let writes = StatusReport.Writes(
            changes: outcome.changes, errors: outcome.errors, refusals: outcome.refusals, blocked: outcome.blocked)
        let previous = StatusReport.Previous(
            statuses: await loadedStatuses(), inputs: reportInputs, phases: reportPhases,
            provenance: reportProvenance, noisy: reportNoisy, outside: reportOutside)
        // Handed over, so that the report updates them in place; a report that is not saved leaves none, and the
        // next one looks at every grant.
        (reportInputs, reportPhases, reportNoisy) = ([:], [:], nil)
        let report = StatusReport(
            StatusReport.Pass(
                catalog: catalog, desired: desired, writes: writes, fellBack: invalid, rejected: rejected,
                provenance: provenance),
            previous: previous,
            settings: StatusReport.Settings(
                target: configuration.target, expiryNotices: configuration.expiryNotices,
                sendsNotices: notifier != nil),
            now: now)
        for change in report.phaseChanges { logger.log(change.level, .grantPhaseChanged, change.fields) }
        try await audit.record(report.events)
        try await saveStatuses(report.statuses)
        for status in report.statuses { statuses[status.name] = status }
        (reportInputs, reportPhases, reportProvenance) = (report.inputs, report.phases, provenance)
        (reportNoisy, reportOutside) = (report.noisy, report.outside)
        decisions.reported()
        await notifier?.send(report.notices)
        return report.phases
    }

    /// The statuses as last saved, read from storage the first time.
    private func loadedStatuses() async -> [String: GrantStatus] {
        if !statusesLoaded {
            statuses = await storage.loadStatuses()
            statusesLoaded = true
        }
        return statuses
    }
}
