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

/// Appends audit events and fsyncs them before the controller moves on.
package actor AuditLog {
    package enum Destination: Sendable {
        case file(String)
        case standardOutput
    }

    private let destination: Destination
    private let fileSystem: any FileSystem
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

    package init(destination: Destination, fileSystem: any FileSystem) {
        self.destination = destination
        self.fileSystem = fileSystem
    }

    package func record(_ events: [AuditEvent]) throws(FileSystemError) {
        guard !events.isEmpty else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601Milliseconds)
        }
        var bytes: [UInt8] = []
        for var event in events {
            if event.commit == nil, let provenance {
                (event.commit, event.pullRequest) = provenance.claim(for: event.grant)
            }
            event.grafana = event.grafana ?? target?.grafana
            event.org = event.org ?? target?.org
            // Encoding plain strings and dates cannot fail; an empty line would still mark the event.
            bytes += Array((try? encoder.encode(event)) ?? Data()) + [0x0A]
        }
        switch destination {
        case .file(let path): try fileSystem.appendDurably(bytes, to: path)
        case .standardOutput: FileHandle.standardOutput.write(Data(bytes))
        }
    }
}
