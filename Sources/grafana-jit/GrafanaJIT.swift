import Foundation
@preconcurrency import Glibc

/// The `grafana-jit` command: dispatches to a subcommand and turns errors into messages and exit codes.
@main
struct GrafanaJIT {
    static let version = "0.3.0"
    static let commands: [any Command.Type] = [
        RunCommand.self, PlanCommand.self, StatusCommand.self, ValidateCommand.self, SimulateCommand.self,
        DemoCommand.self, DiscoverCommand.self, RequestCommand.self, ReviewCommand.self,
    ]

    static func main() async {
        let console = StandardConsole()
        let code = await run(
            Array(CommandLine.arguments.dropFirst()), environment: ProcessInfo.processInfo.environment,
            console: console)
        exit(code.rawValue)
    }

    static func run(_ arguments: [String], environment: [String: String], console: any Console) async -> ExitCode {
        guard let first = arguments.first else {
            console.writeError(overview + "\n")
            return .usage
        }
        switch first {
        case "--help", "-h":
            console.write(overview + "\n")
            return .success
        case "help":
            guard let name = arguments.dropFirst().first, name != "help" else {
                console.write(overview + "\n")
                return .success
            }
            guard let command = commands.first(where: { $0.name == name }) else {
                return usageError(.unknownCommand(name), console: console)
            }
            console.write(command.help + "\n")
            return .success
        case "--version", "version":
            console.write("grafana-jit \(version)\n")
            return .success
        default:
            guard let command = commands.first(where: { $0.name == first }) else {
                return usageError(.unknownCommand(first), console: console)
            }
            return await run(command, Array(arguments.dropFirst()), environment: environment, console: console)
        }
    }

    private static func run(
        _ command: any Command.Type, _ arguments: [String], environment: [String: String], console: any Console
    ) async -> ExitCode {
        // Help wins over everything else on the line, even an option still missing its value.
        if arguments.prefix(while: { $0 != "--" }).contains(where: { $0 == "--help" || $0 == "-h" }) {
            console.write(command.help + "\n")
            return .success
        }
        let parsed: ParsedArguments
        do {
            parsed = try command.parser.parse(arguments, environment: environment)
        } catch {
            return usageError(error, console: console, command: command)
        }
        do {
            return try await command.init().run(parsed, console: console)
        } catch let error as UsageError {
            return usageError(error.naming(parsed.environmentSources), console: console, command: command)
        } catch {
            console.writeError("grafana-jit: error: \(error)\n")
            return .usage
        }
    }

    private static func usageError(_ error: UsageError, console: any Console, command: (any Command.Type)? = nil)
        -> ExitCode
    {
        let hint = command.map { "see 'grafana-jit \($0.name) --help'" } ?? "see 'grafana-jit --help'"
        console.writeError("grafana-jit: error: \(error)\n\(hint)\n")
        return .usage
    }

    static var overview: String {
        var lines = [
            "grafana-jit \(version): just-in-time access for Grafana", "",
            "USAGE: grafana-jit <command> [options]", "", "COMMANDS:",
        ]
        for command in commands {
            lines.append(
                "  \(command.name.padding(toLength: 10, withPad: " ", startingAt: 0))\(command.abstract)"
            )
        }
        lines += [
            "  help      Show help for a command.", "  version   Print the version.", "",
            "Run 'grafana-jit <command> --help' for a command's options.",
        ]
        return lines.joined(separator: "\n")
    }
}

/// stdout and stderr, unbuffered beyond one write per call.
struct StandardConsole: Console {
    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
