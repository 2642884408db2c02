import Testing

@testable import grafana_jit

struct ArgumentParserTests {
    let parser = ArgumentParser(
        command: "run",
        options: [
            .value("grafana-url", "URL", environment: "GRAFANA_URL", help: ""),
            .value("resync", "DURATION", help: ""),
            .flag("dry-run", environment: "GRAFANA_JIT_DRY_RUN", help: ""),
        ])

    @Test func valuesTakeEitherSpacedOrEqualsForm() throws {
        let parsed = try parser.parse(
            ["--grafana-url", "http://a", "--resync=30s", "x", "--dry-run"], environment: [:])
        #expect(parsed.values == ["grafana-url": "http://a", "resync": "30s"])
        #expect(parsed.flag("dry-run"))
        #expect(parsed.positionals == ["x"])
    }

    @Test func anEqualsSignInsideTheValueIsKept() throws {
        #expect(
            try parser.parse(["--grafana-url=http://a/?b=c"], environment: [:]).value("grafana-url") == "http://a/?b=c")
    }

    @Test func environmentFillsOnlyWhatTheCommandLineLeftOut() throws {
        let environment = ["GRAFANA_URL": "http://env", "GRAFANA_JIT_DRY_RUN": "true"]
        #expect(try parser.parse([], environment: environment).value("grafana-url") == "http://env")
        #expect(
            try parser.parse(["--grafana-url", "http://cli"], environment: environment).value("grafana-url")
                == "http://cli")
        #expect(try parser.parse([], environment: environment).flag("dry-run"))
        #expect(try !parser.parse([], environment: ["GRAFANA_JIT_DRY_RUN": "0"]).flag("dry-run"))
    }

    @Test func aRepeatableOptionKeepsEveryValueAndSplitsItsEnvironmentVariable() throws {
        let parser = ArgumentParser(
            command: "run", options: [.repeatable("notify-url", "URL", environment: "NOTIFY", help: "")])
        let given = try parser.parse(
            ["--notify-url", "http://a", "--notify-url=http://b"], environment: ["NOTIFY": "x"])
        #expect(given.all("notify-url") == ["http://a", "http://b"])
        let fromEnvironment = try parser.parse([], environment: ["NOTIFY": "http://a, http://b http://c"])
        #expect(fromEnvironment.all("notify-url") == ["http://a", "http://b", "http://c"])
        #expect(try parser.parse([], environment: [:]).all("notify-url").isEmpty)
    }

    @Test func doubleDashEndsOptions() throws {
        #expect(try parser.parse(["--", "--dry-run", "-h"], environment: [:]).positionals == ["--dry-run", "-h"])
    }

    @Test(arguments: [
        (["--nope"], UsageError.unknownOption("--nope", command: "run")),
        (["-x"], .unknownOption("-x", command: "run")),
        (["--resync"], .missingValue(option: "resync")),
        (["--dry-run=yes"], .unexpectedValue(option: "dry-run")),
    ])
    func mistakesAreUsageErrors(arguments: [String], expected: UsageError) {
        #expect(throws: expected) { try parser.parse(arguments, environment: [:]) }
    }

    @Test func helpListsEveryOptionWithItsEnvironmentVariable() {
        let help = parser.help(usage: "[options]", summary: "Runs.")
        #expect(help.contains("--grafana-url URL"))
        #expect(help.contains("(env: GRAFANA_URL)"))
        #expect(help.contains("--help, -h"))
    }
}
