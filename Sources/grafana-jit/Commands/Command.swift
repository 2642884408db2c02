/// Exit codes, as DESIGN.md names them.
enum ExitCode: Int32 {
    case success = 0
    /// Invalid files, denied grants, an unconverged `--once`.
    case findings = 1
    /// Usage or configuration error.
    case usage = 2
}

/// Where a command writes; the real one is stdout/stderr, tests may capture.
protocol Console: Sendable {
    func write(_ text: String)
    func writeError(_ text: String)
}

/// One subcommand of `grafana-jit`.
protocol Command: Sendable {
    init()
    static var name: String { get }
    /// One line for the command list.
    static var abstract: String { get }
    static var summary: String { get }
    static var usage: String { get }
    static var options: [OptionSpec] { get }

    /// Runs with arguments already parsed; throws `UsageError` for values that don't make sense.
    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode
}

extension Command {
    static var parser: ArgumentParser { ArgumentParser(command: name, options: options) }
    static var help: String { parser.help(usage: usage, summary: summary) }
}
