import AccessModel
import Foundation
import GrafanaAPI

/// Log event names: a stable API (`noun.pastTenseVerb`), all in one place.
package enum LogEvent: String, Sendable {
    case controllerStarted = "controller.started"
    case controllerStopped = "controller.stopped"
    case watchStarted = "watch.started"
    case policiesMissing = "policies.missing"
    case tlsUnverified = "tls.unverified"
    case listening = "metrics.listening"
    case discoveryCompleted = "discovery.completed"
    case discoveryFailed = "discovery.failed"
    case passCompleted = "pass.completed"
    case passFailed = "pass.failed"
    case changeApplied = "change.applied"
    case changeFailed = "change.failed"
    case changePlanned = "change.planned"
    case grantPhaseChanged = "grant.phaseChanged"
    case fileRejected = "file.rejected"
    case fileRecovered = "file.recovered"
    case snapshotChanged = "snapshot.changed"
    case sourcesMissing = "sources.missing"
    case revocationsHeld = "revocations.held"
    case overdueRevoked = "overdue.revoked"
    case noteRecorded = "note.recorded"
    case onCallUnavailable = "oncall.unavailable"
    case incidentUnavailable = "incident.unavailable"
    case tokenCreated = "token.created"
    case tokenDeleted = "token.deleted"
    case tokenFailed = "token.failed"
    case notificationRetrying = "notification.retrying"
    case notificationFailed = "notification.failed"
    case stateFolderShared = "stateFolder.shared"
}

/// One line per event on stderr, `key=value` or JSON, keys sorted after `ts`, `level`, `event`. Never given a
/// secret: callers pass names, ids and messages only.
package struct Logger: Sendable {
    package enum Level: Int, Sendable, Comparable, CaseIterable {
        case debug, info, warning, error

        package var name: String {
            switch self {
            case .debug: "debug"
            case .info: "info"
            case .warning: "warning"
            case .error: "error"
            }
        }

        package static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    package enum Format: String, Sendable {
        case text, json
    }

    package var format: Format
    package var minimumLevel: Level
    package var clock: any WallClock
    package var sink: @Sendable (String) -> Void
    /// Fields every line carries (the Grafana instance and org, when there are several).
    package var context: [String: String] = [:]

    package init(
        format: Format = .text, minimumLevel: Level = .info, clock: any WallClock,
        sink: @escaping @Sendable (String) -> Void
    ) {
        self.format = format
        self.minimumLevel = minimumLevel
        self.clock = clock
        self.sink = sink
    }

    package func log(_ level: Level, _ event: LogEvent, _ fields: [String: String] = [:]) {
        guard level >= minimumLevel else { return }
        let head = [("ts", clock.now().iso8601Milliseconds), ("level", level.name), ("event", event.rawValue)]
        let all = head + fields.merging(context) { own, _ in own }.sorted { $0.key < $1.key }
        switch format {
        case .text:
            sink(all.map { "\($0.0)=\(Self.quoted($0.1))" }.joined(separator: " ") + "\n")
        case .json:
            var object: [String: Any] = [:]
            for (key, value) in all where object[key] == nil {
                object[key] = Self.numericKeys.contains(key) ? Self.number(value) ?? value : value
            }
            // Strings and numbers always serialise.
            let data =
                (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
                ?? Data()
            sink(String(decoding: data, as: UTF8.self) + "\n")
        }
    }

    /// Fields that hold counts, ids or times: JSON logs carry them as numbers, so a pipeline can sum and compare.
    static let numericKeys: Set<String> = [
        "applied", "failed", "held", "ledger", "standing", "resources", "problems", "entries", "durationMs", "count",
        "attempt", "slice", "slices", "serviceAccount", "org", "port",
    ]

    private static func number(_ text: String) -> Any? {
        if let integer = Int(text) { return integer }
        return Double(text).flatMap { $0.isFinite ? $0 : nil }
    }

    /// Values with spaces, quotes, `=`, backslashes or control characters are quoted, as logfmt readers expect, with
    /// control characters escaped: a value can never end the line or forge another one.
    private static func quoted(_ value: String) -> String {
        let inert = value.inert
        guard
            value.isEmpty || inert != value
                || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\\" })
        else { return value }
        return "\""
            + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").inert
            + "\""
    }
}

extension Date {
    /// UTC with milliseconds (`2026-12-06T01:16:15.175Z`), built by hand: a formatter per call cost a quarter of a
    /// cold pass at 10,000 grants, one per audit and log line.
    package var iso8601Milliseconds: String {
        let milliseconds = Int(floor(timeIntervalSince1970 * 1000))
        let seconds = Int(floor(Double(milliseconds) / 1000))
        let fraction = String(milliseconds - seconds * 1000)
        let whole = Date(timeIntervalSince1970: Double(seconds)).rfc3339.dropLast()
        return whole + "." + String(repeating: "0", count: 3 - fraction.count) + fraction + "Z"
    }
}
