import AccessModel

/// One line of `validate` output: a problem, a warning, or a note about what only run time can decide.
struct Finding: Sendable, Equatable, Encodable {
    enum Severity: String, Sendable, Encodable {
        case error
        case warning
        case note
    }

    var severity: Severity
    var location: SourceLocation
    var message: String

    /// `file:line:column: severity: message`, as compilers print it.
    var line: String { "\(location): \(severity.rawValue): \(message)" }

    private enum CodingKeys: String, CodingKey {
        case severity, file, line, column, message
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(severity, forKey: .severity)
        try container.encode(location.file, forKey: .file)
        try container.encode(location.line, forKey: .line)
        try container.encode(location.column, forKey: .column)
        try container.encode(message, forKey: .message)
    }
}
