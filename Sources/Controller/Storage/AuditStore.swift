import Foundation

/// Appends the audit trail as JSON Lines (one object per event, keys sorted, fit for a SIEM), each append written
/// and fsynced in one go before it returns. The file is opened per append and never rewritten, so it may be rotated
/// by renaming while the controller runs. Several stores (one per Grafana instance and org) may share one file.
package actor AuditStore {
    /// The trail's name in the state folder, unless `--audit-log` names another place.
    package static let fileName = "audit.jsonl"

    package enum Destination: Sendable, Equatable {
        case file(String)
        /// `--audit-log -`: for a collector reading the container's output; nothing is kept.
        case standardOutput
    }

    private let destination: Destination
    private let fileSystem: any FileSystem

    package init(destination: Destination, fileSystem: any FileSystem) {
        self.destination = destination
        self.fileSystem = fileSystem
    }

    package func append(_ events: [AuditEvent]) throws(FileSystemError) {
        guard !events.isEmpty else { return }
        let bytes = Self.lines(events)
        switch destination {
        case .file(let path): try fileSystem.appendDurably(bytes, to: path)
        case .standardOutput: FileHandle.standardOutput.write(Data(bytes))
        }
    }

    /// The events as the trail's lines: dates in UTC with milliseconds, slashes unescaped.
    static func lines(_ events: [AuditEvent]) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(date.iso8601Milliseconds)
        }
        return events.flatMap { event in
            // Encoding plain strings and dates cannot fail; an empty line would still mark the event.
            Array((try? encoder.encode(event)) ?? Data()) + [0x0A]
        }
    }
}
