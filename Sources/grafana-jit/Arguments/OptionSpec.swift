import AccessModel
import Foundation

/// One option a command accepts: `--name VALUE` (or a flag without value), with an environment fallback.
struct OptionSpec: Sendable {
    var name: String
    /// Nil for a flag (`--dry-run`); otherwise shown in help (`--format FORMAT`).
    var valueName: String?
    var environment: String?
    var help: String
    /// Given several times, every value counts; its environment variable lists them separated by spaces or commas.
    var isRepeatable = false

    static func value(_ name: String, _ valueName: String, environment: String? = nil, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: valueName, environment: environment, help: help)
    }

    static func repeatable(_ name: String, _ valueName: String, environment: String? = nil, help: String)
        -> OptionSpec
    {
        OptionSpec(name: name, valueName: valueName, environment: environment, help: help, isRepeatable: true)
    }

    static func flag(_ name: String, environment: String? = nil, help: String) -> OptionSpec {
        OptionSpec(name: name, valueName: nil, environment: environment, help: help)
    }

    var isFlag: Bool { valueName == nil }

    /// `--format FORMAT`, as help lists it.
    var synopsis: String { valueName.map { "--\(name) \($0)" } ?? "--\(name)" }
}

/// What the user typed, after options were matched to their specs.
struct ParsedArguments: Sendable, Equatable {
    var values: [String: String] = [:]
    /// Every value of a repeatable option, in order.
    var lists: [String: [String]] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []
    var wantsHelp = false
    /// Options whose value came from their environment variable, with the variable's name.
    var environmentSources: [String: String] = [:]

    func value(_ name: String) -> String? { values[name] }
    func all(_ name: String) -> [String] { lists[name] ?? [] }
    func flag(_ name: String) -> Bool { flags.contains(name) }

    /// The option's value as an RFC 3339 time, or nil when it is not given.
    func time(_ name: String) throws(UsageError) -> Date? {
        guard let text = value(name) else { return nil }
        guard let date = Date(rfc3339: text) else {
            throw .invalidValue(option: name, value: text, expected: "an RFC 3339 time like 2026-11-21T14:00:00Z")
        }
        return date
    }
}

/// A mistake on the command line; always exit code 2.
enum UsageError: Error, Equatable, CustomStringConvertible {
    case unknownCommand(String)
    case unknownOption(String, command: String)
    case missingValue(option: String)
    case unexpectedValue(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case missingArgument(String, command: String)
    /// A configuration file mistake, already phrased with its file, line and field.
    case invalidConfiguration(String)
    /// An option given beside another that already decides the same thing; `why` says what the other one sets.
    case conflictingOptions(String, with: String, why: String)

    var description: String {
        switch self {
        case .unknownCommand(let name): "unknown command '\(name)'"
        case .unknownOption(let option, let command): "unknown option '\(option)' for '\(command)'"
        case .missingValue(let option): "option '--\(option)' needs a value"
        case .unexpectedValue(let option): "option '--\(option)' takes no value"
        case .invalidValue(let option, let value, let expected):
            "'\(value)' is not valid for --\(option): expected \(expected)"
        case .missingArgument(let what, let command): "'\(command)' needs \(what)"
        case .invalidConfiguration(let message): message
        case .conflictingOptions(let option, let other, let why): "\(option) cannot be used with \(other): \(why)"
        }
    }

    /// The error naming the environment variable a bad value came from, when it came from one.
    func naming(_ sources: [String: String]) -> UsageError {
        guard case .invalidValue(let option, let value, let expected) = self, let variable = sources[option] else {
            return self
        }
        return .invalidValue(option: "\(option) (from \(variable))", value: value, expected: expected)
    }
}
