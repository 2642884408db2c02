import Foundation
import TestSupport
import Testing

@testable import grafana_jit

/// Webhook URLs from files: one per line, blank lines and whitespace ignored, errors that never show a URL.
struct NotificationOptionsTests {
    let folder: TemporaryDirectory
    let parser = ArgumentParser(command: "run", options: RunCommand.options)

    init() throws {
        folder = try TemporaryDirectory()
    }

    @Test func aFileGivesOneDestinationPerLine() throws {
        let file = try folder.write(
            "slack", "\n  https://hooks.slack.com/services/T0/B0/secret-one  \n\nhttp://127.0.0.1:9/two\n")
        let generic = try folder.write("generic", "https://hooks.example.com/grafana-jit")
        let arguments = try parser.parse(
            ["--notify-slack-url-file", file, "--notify-url", "https://a.example.com/hook"],
            environment: ["GRAFANA_JIT_NOTIFY_URL_FILE": generic])
        let options = try NotificationOptions(arguments)
        #expect(
            options.destinations.map { "\($0.format) \($0.url.absoluteString)" } == [
                "generic https://a.example.com/hook", "generic https://hooks.example.com/grafana-jit",
                "slack https://hooks.slack.com/services/T0/B0/secret-one", "slack http://127.0.0.1:9/two",
            ])
    }

    @Test func aLineThatIsNotAnHTTPURLIsNamedByFileAndLineOnly() throws {
        let file = try folder.write("urls", "https://hooks.example.com/ok\n\nhooks.slack.com/services/T0/B0/secret\n")
        let error = #expect(throws: UsageError.self) {
            _ = try NotificationOptions.urls(inFile: file, option: "notify-slack-url-file")
        }
        let message = error?.description ?? ""
        #expect(
            message
                == "'\(file) line 3' is not valid for --notify-slack-url-file: expected an http or https URL on each line"
        )
        #expect(!message.contains("secret"))
    }

    @Test func aMissingFileIsAUsageError() {
        let missing = folder.path + "/nowhere"
        #expect(
            throws: UsageError.invalidValue(
                option: "notify-url-file", value: missing, expected: "a readable file of URLs, one per line")
        ) {
            _ = try NotificationOptions.urls(inFile: missing, option: "notify-url-file")
        }
    }
}
