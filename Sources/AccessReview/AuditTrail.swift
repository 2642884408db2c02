import AccessModel
import Controller
import Foundation

/// The audit events of one or more audit files, in time order, with the lines that could not be read. Pure: the
/// command reads the files and hands their bytes in.
package struct AuditTrail: Sendable, Equatable {
    /// One event and where it was read, so a figure in the review can be traced back to its line.
    package struct Record: Sendable, Equatable {
        package var event: AuditEvent
        package var file: String
        package var line: Int
    }

    package private(set) var records: [Record] = []
    /// `FILE:LINE: why`, one per line that was skipped.
    package private(set) var problems: [String] = []
    /// The files read, in the order given.
    package private(set) var files: [String] = []

    package init() {}

    /// Adds one file's JSON Lines. A line that is not an audit event is skipped and reported; the same event
    /// found in two files (a rotated copy kept beside the file it came from) counts once.
    package mutating func add(_ bytes: [UInt8], from file: String) {
        files.append(file)
        var seen = Set(records.map { Self.identity($0.event) })
        for (index, line) in bytes.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            let text = line.last == 0x0D ? line.dropLast() : line[...]
            guard !text.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) else { continue }
            switch Self.decode(Array(text)) {
            case .success(let event):
                guard seen.insert(Self.identity(event)).inserted else { continue }
                records.append(Record(event: event, file: file, line: index + 1))
            case .failure(let problem):
                problems.append("\(file):\(index + 1): \(problem.message); the line is skipped")
            }
        }
        records.sort { ($0.event.time, $0.file, $0.line) < ($1.event.time, $1.file, $1.line) }
    }

    private struct LineProblem: Error {
        var message: String
    }

    private static func decode(_ bytes: [UInt8]) -> Result<AuditEvent, LineProblem> {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = Date(rfc3339: text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "\"\(text.inert)\" is not an RFC 3339 time")
            }
            return date
        }
        do {
            return .success(try decoder.decode(AuditEvent.self, from: Data(bytes)))
        } catch let error as DecodingError {
            return .failure(LineProblem(message: describe(error)))
        } catch {
            return .failure(LineProblem(message: "not an audit event: \(error)"))
        }
    }

    /// The field and what is wrong with it, in words.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty ? "the line" : "field " + keys.map(\.stringValue).joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(path(context.codingPath)) is not \(type == String.self ? "a string" : "a \(type)")"
        case .valueNotFound(_, let context):
            return "\(path(context.codingPath)) is null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "not a JSON object (cut off, or not an audit line)"
                : "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "not an audit event"
        }
    }

    /// Equal events from two files are one event: time, name, grant, subject, resource and outcome.
    private static func identity(_ event: AuditEvent) -> String {
        [
            event.time.iso8601Milliseconds, event.event, event.grant, event.subject ?? "", event.resource ?? "",
            event.permission ?? "", event.outcome, event.grafana ?? "", event.org.map(String.init) ?? "",
        ].joined(separator: "\u{1F}")
    }
}
