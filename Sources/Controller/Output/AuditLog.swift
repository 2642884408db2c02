import AccessModel
import Foundation

/// One audit record (JSON Lines, fit for a SIEM): a grant decision or a permission change. Never a secret.
package struct AuditEvent: Sendable, Codable, Equatable {
    package var time: Date
    package var event: String
    package var grant: String
    package var file: String?
    package var subject: String?
    package var resource: String?
    package var permission: String?
    package var previous: String?
    package var reason: String?
    package var ticket: String?
    package var approvers: [String]?
    package var policy: String?
    package var outcome: String
    package var error: String?
    package var commit: String?
    /// The pull or merge request the commit's message names.
    package var pullRequest: Int?
    /// The Grafana instance and org the event happened in.
    package var grafana: String?
    package var org: Int?
    /// A grant decision's window, so the trail alone says how long access was asked for.
    package var startsAt: Date?
    package var expiresAt: Date?
    /// True on a decision under a policy with `requireOnCall`: break-glass access that ends with the shift.
    package var breakGlass: Bool?
    /// True when the grant had fewer approvals than its policy requires and the on-call waiver let it through.
    package var onCallWaiver: Bool?

    package init(time: Date, event: String, grant: String, outcome: String) {
        self.time = time
        self.event = event
        self.grant = grant
        self.outcome = outcome
    }
}

/// Stamps each audit event with where it happened (the Grafana instance and org) and what it came from (the grants'
/// commit and pull request), then appends it to the state storage, durably before `record` returns.
package actor AuditLog {
    private let storage: any StateStorage
    /// Where the grants the current pass read came from, stamped on every event.
    private var provenance: Provenance?

    package func setProvenance(_ provenance: Provenance?) {
        self.provenance = provenance
    }

    private var target: Target?

    /// Stamps the instance and org on every event from now on.
    package func setTarget(_ target: Target) {
        self.target = target
    }

    package init(storage: any StateStorage) {
        self.storage = storage
    }

    package func record(_ events: [AuditEvent]) async throws(FileSystemError) {
        guard !events.isEmpty else { return }
        // Stamped before the storage is awaited: a provenance or target set meanwhile belongs to later events.
        let stamped = events.map { event in
            var event = event
            if event.commit == nil, let provenance {
                (event.commit, event.pullRequest) = provenance.claim(for: event.grant)
            }
            event.grafana = event.grafana ?? target?.grafana
            event.org = event.org ?? target?.org
            return event
        }
        try await storage.appendAudit(stamped)
    }
}
