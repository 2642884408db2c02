import Foundation
import Testing

/// The docs cannot drift from the product: every ```console block in README.md, docs/*.md and examples/README.md
/// is run, each `$ grafana-jit ...` line against the examples from the project's root, and its output must be
/// exactly the lines that follow it in the block.
struct DocumentationEndToEndTests {
    struct Example: Sendable, CustomStringConvertible {
        var file: String
        var line: Int
        var arguments: [String]
        var expected: [String]

        var description: String { "\(file):\(line): grafana-jit \(arguments.joined(separator: " "))" }
    }

    static func examples() throws -> [Example] {
        let root = BinaryRun.projectRoot
        let docs = try FileManager.default.contentsOfDirectory(atPath: root + "/docs").filter { $0.hasSuffix(".md") }
        var examples: [Example] = []
        for file in ["README.md", "examples/README.md"] + docs.sorted().map({ "docs/" + $0 }) {
            let lines = try String(contentsOfFile: root + "/" + file, encoding: .utf8).components(separatedBy: "\n")
            var inConsole = false
            for (index, line) in lines.enumerated() {
                if line.hasPrefix("```") {
                    inConsole = line == "```console"
                    continue
                }
                guard inConsole else { continue }
                if line.hasPrefix("$ ") {
                    let words = line.dropFirst(2).split(separator: " ").map(String.init)
                    examples.append(
                        Example(file: file, line: index + 1, arguments: Array(words.dropFirst()), expected: []))
                } else if !examples.isEmpty {
                    examples[examples.count - 1].expected.append(line)
                }
            }
        }
        return examples
    }

    @Test func theDocsShowCommandsThatRun() throws {
        try #require(try Self.examples().count >= 3)
    }

    @Test(arguments: try examples())
    func eachConsoleExamplePrintsWhatTheDocsShow(example: Example) async throws {
        let run = try await BinaryRun.run(BinaryRun.executable, example.arguments, in: BinaryRun.projectRoot)
        let printed = (run.stdout + run.stderr).split(separator: "\n", omittingEmptySubsequences: false).map(
            String.init)
        #expect(printed.dropLast(printed.last == "" ? 1 : 0) == example.expected[...], "\(example)")
    }
}
