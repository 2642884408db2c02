import Controller
import Foundation

/// Everything a review is made from, read by the command: pure values.
package struct ReviewInput: Sendable {
    /// A state folder's ledger, with the Grafana instance and org it governs (nil for the single-instance folder).
    package struct LedgerSnapshot: Sendable {
        package var grafana: String?
        package var org: Int?
        package var ledger: Ledger

        package init(grafana: String?, org: Int?, ledger: Ledger) {
            self.grafana = grafana
            self.org = org
            self.ledger = ledger
        }
    }

    package var trail: AuditTrail
    package var ledgers: [LedgerSnapshot]
    /// Nil when Grafana was not asked.
    package var standing: [StandingEntry]?
    package var period: ReviewPeriod
    package var generatedAt: Date
    package var lateAfter: Double
    /// Sources that could not be read, already phrased.
    package var problems: [String]

    package init(
        trail: AuditTrail, ledgers: [LedgerSnapshot], standing: [StandingEntry]?, period: ReviewPeriod,
        generatedAt: Date, lateAfter: Double, problems: [String] = []
    ) {
        self.trail = trail
        self.ledgers = ledgers
        self.standing = standing
        self.period = period
        self.generatedAt = generatedAt
        self.lateAfter = lateAfter
        self.problems = problems
    }
}
