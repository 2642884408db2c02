/// Matches a command's arguments against its options: `--name value`, `--name=value`, flags, `--` and
/// positionals; options not given fall back to their environment variable.
struct ArgumentParser: Sendable {
    var command: String
    var options: [OptionSpec]

    func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var remaining = arguments[...]
        while let argument = remaining.popFirst() {
            if argument == "--" {
                parsed.positionals += remaining
                break
            }
            if argument == "--help" || argument == "-h" {
                parsed.wantsHelp = true
                continue
            }
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.positionals.append(argument)
                continue
            }
            let body = argument.drop { $0 == "-" }
            let (name, inlineValue) =
                body.firstIndex(of: "=").map {
                    (String(body[..<$0]), Optional(String(body[body.index(after: $0)...])))
                } ?? (String(body), nil)
            guard argument.hasPrefix("--"), let spec = options.first(where: { $0.name == name }) else {
                throw .unknownOption(argument, command: command)
            }
            if spec.isFlag {
                guard inlineValue == nil else { throw .unexpectedValue(option: name) }
                parsed.flags.insert(name)
            } else if let value = inlineValue ?? remaining.popFirst() {
                parsed.values[name] = value
                if spec.isRepeatable { parsed.lists[name, default: []].append(value) }
            } else {
                throw .missingValue(option: name)
            }
        }
        for spec in options {
            guard let variable = spec.environment, let value = environment[variable], !value.isEmpty else { continue }
            if spec.isFlag {
                if !parsed.flags.contains(spec.name), ["1", "true", "yes"].contains(value.lowercased()) {
                    parsed.flags.insert(spec.name)
                }
            } else if parsed.values[spec.name] == nil {
                parsed.values[spec.name] = value
                parsed.environmentSources[spec.name] = variable
                if spec.isRepeatable {
                    parsed.lists[spec.name] = value.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
                }
            }
        }
        return parsed
    }

    /// The help text: usage line, what it does, options with their environment variables.
    func help(usage: String, summary: String) -> String {
        var lines = ["USAGE: grafana-jit \(command) \(usage)", "", summary, "", "OPTIONS:"]
        let width = (options.map(\.synopsis.count) + [10]).max() ?? 10
        for option in options {
            let padding = String(repeating: " ", count: width - option.synopsis.count + 2)
            let environment = option.environment.map { " (env: \($0))" } ?? ""
            lines.append("  \(option.synopsis)\(padding)\(option.help)\(environment)")
        }
        lines.append("  --help, -h" + String(repeating: " ", count: width - 8) + "Show this help.")
        return lines.joined(separator: "\n")
    }
}
