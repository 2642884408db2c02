import AccessModel
import Controller
import Foundation
import YAML

/// `grafana-jit validate --grants PATH --policies PATH`: the offline check CI runs on every pull request, with the
/// controller's rules and verdicts; `validate PATH...` lints files of any kind without verdicts.
struct ValidateCommand: Command {
    static let name = "validate"
    static let abstract = "Check grant, policy and bundle files offline, as CI does on a pull request."
    static let usage =
        "[--format text|github|json|gitlab] [--now TIME] [--max-file-size BYTES] (--grants PATH... --policies PATH... "
        + "| PATH...)"
    static let summary = """
        With --grants and --policies, reads grants only from the grants paths and policies and bundles only from the \
        policies paths, exactly as the controller does, and gives each grant the controller's verdict (a document of \
        the wrong kind for its folder is an error). With plain PATHs, lints files of any kind for format and \
        references, without verdicts. What only Grafana or OnCall can decide is printed as a note. Exit 0 when all \
        valid, 1 when not, 2 on usage errors.
        """
    static let options: [OptionSpec] =
        SourceOptions.specs + [
            .value(
                "format", "FORMAT", environment: "GRAFANA_JIT_FORMAT",
                help: "text (default), github, json or gitlab (Code Quality report)."),
            .value("now", "TIME", environment: "GRAFANA_JIT_NOW", help: "Evaluate windows at this RFC 3339 time."),
            .value(
                "max-file-size", "BYTES", environment: "GRAFANA_JIT_MAX_FILE_SIZE",
                help: "Largest file accepted, e.g. 1048576 or 1MiB (default 1MiB)."),
        ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let separated = !arguments.all("grants").isEmpty || !arguments.all("policies").isEmpty
        if separated, let path = arguments.positionals.first {
            throw UsageError.conflictingOptions(
                path, with: "--grants/--policies",
                why: "plain paths are a lint of any kind of file; give every path with --grants or --policies")
        }
        guard separated || !arguments.positionals.isEmpty else {
            throw UsageError.missingArgument(
                "--grants PATH and --policies PATH, or at least one PATH", command: Self.name)
        }
        let sourceOptions = try SourceOptions(arguments, command: Self.name, requiringGrants: false)
        let format =
            try arguments.value("format").map { text throws(UsageError) in
                guard let format = ReportFormat(rawValue: text) else {
                    throw .invalidValue(option: "format", value: text, expected: "text, github, json or gitlab")
                }
                return format
            } ?? .text
        let now = try arguments.time("now") ?? Date()
        var limits = YAMLLimits()
        if let text = arguments.value("max-file-size") {
            guard let bytes = byteCount(text) else {
                throw UsageError.invalidValue(option: "max-file-size", value: text, expected: "bytes, KiB or MiB")
            }
            limits.maxBytes = bytes
        }
        let loader = ResourceLoader(
            fileSystem: LocalFileSystem(),
            decoder: sourceOptions.decoder(ResourceDecoder(parser: YAMLParser(limits: limits))))
        let sources = separated ? sourceOptions.sources : ResourceSources(anywhere: arguments.positionals)
        let report = ValidationReport(files: loader.decode(sources), now: now, givesVerdicts: separated)
        console.write(try format.render(report))
        return report.isValid ? .success : .findings
    }
}

/// `1048576`, `512KiB`, `1MiB`: a positive byte count.
private func byteCount(_ text: String) -> Int? {
    let units: [(String, Int)] = [("MiB", 1 << 20), ("KiB", 1 << 10), ("", 1)]
    for (suffix, scale) in units where text.hasSuffix(suffix) {
        guard let value = Int(text.dropLast(suffix.count)), value > 0, value <= Int.max / scale else { return nil }
        return value * scale
    }
    return nil
}
