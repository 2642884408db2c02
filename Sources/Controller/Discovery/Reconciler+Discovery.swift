import AccessModel
import Foundation

extension Reconciler {
    /// Who holds access to the governed resources, marked against the ledger; updates the standing-access gauge.
    package func discover() async throws -> DiscoveryReport {
        // The catalog keeps the ledger's copy of a name defined twice: not while a stage holds the ledger.
        _ = await settledLedger()
        let (catalog, _, _) = try loadCatalog(saving: false)
        let scan = StandingAccessScan(grafana: grafana, catalog: catalog) { await self.settledLedger() }
        let report = try await scan.run()
        let (grafana, org) = targetLabels
        metrics.standingAccess.replace(prefix: [grafana, org], with: report.standingCounts)
        logger.log(
            report.standing.isEmpty ? .info : .warning, .discoveryCompleted,
            [
                "resources": String(report.resources.filter(\.governed).count),
                "entries": String(report.entries.count), "standing": String(report.standing.count),
                "problems": String(report.problems.count),
            ])
        return report
    }
}
