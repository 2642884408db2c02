import AccessModel
import Foundation
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// Random mutations of the project's examples through the YAML layer, the decoder and the loader: nothing crashes,
/// every error names a line within the file and says something, and a good file beside the mutants still loads.
/// Seconds and seed from `GRAFANA_JIT_FUZZ_SECONDS` (default 3) and `GRAFANA_JIT_FUZZ_SEED` for longer runs.
struct LoaderFuzzTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples").path

    /// Fragments that matter to YAML: anchors, aliases, merge keys, flow and block markers, tags, quotes,
    /// document markers, a byte-order mark, NUL, a tab, and bytes that are not UTF-8.
    static let fragments: [[UInt8]] =
        [
            "&a ", "*a", "<<: *a", "[", "]", "{", "}", "- ", ": ", "\"", "'", "!!binary ", "!custom ", "? ", "|", ">-",
            "#", "---\n", "...\n", "%YAML 1.2\n", "\u{FEFF}", "\t", "\n", "  ", "~", "null", "1e400", "0x1F",
        ]
        .map { Array($0.utf8) } + [[0], [0xFF], [0xC3], [0xE2, 0x82]]

    static func corpus() throws -> [[UInt8]] {
        let enumerator = FileManager.default.enumerator(atPath: examples)
        let files = (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }.sorted()
        return try files.map { Array(try Data(contentsOf: URL(fileURLWithPath: examples + "/" + $0))) }
    }

    static func mutate(_ input: [UInt8], _ dice: inout FaultDice) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...4, using: &dice) {
            let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &dice)
            switch Int.random(in: 0..<6, using: &dice) {
            case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &dice)
            case 1 where !bytes.isEmpty:
                bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...40, using: &dice)))
            case 2: bytes.insert(contentsOf: fragments[Int.random(in: 0..<fragments.count, using: &dice)], at: position)
            case 3:
                let end = min(bytes.count, position + Int.random(in: 1...120, using: &dice))
                bytes.insert(contentsOf: bytes[position..<end], at: end)
            case 4: bytes = Array(bytes.prefix(position))
            default:
                let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).shuffled(using: &dice)
                bytes = Array(lines.joined(separator: [0x0A]))
            }
        }
        return bytes
    }

    /// Lines as YAML (and libyaml) count them: LF, CRLF, a lone CR, and NEL, LS, PS.
    static func lineCount(_ bytes: [UInt8]) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.unicodeScalars.count { ["\n", "\r", "\u{85}", "\u{2028}", "\u{2029}"].contains($0) }
            - text.utf8.indices.dropLast().count { index in
                text.utf8[index] == 0x0D && text.utf8[text.utf8.index(after: index)] == 0x0A
            } + 1
    }

    struct Findings: Sendable {
        var mutants = 0
        var rejected = 0
        /// Errors without a proper location or message, described.
        var misplaced: [String] = []
    }

    /// Runs on a thread of its own: seconds of CPU-bound work on the concurrency pool (two threads here) would starve
    /// the in-process simulators of the tests running beside it.
    @Test func mutatedExamplesNeverCrashAndEveryErrorSaysWhere() async throws {
        let environment = ProcessInfo.processInfo.environment
        let seconds = environment["GRAFANA_JIT_FUZZ_SECONDS"].flatMap(Double.init) ?? 3
        let seed = environment["GRAFANA_JIT_FUZZ_SEED"].flatMap(UInt64.init) ?? 1
        let corpus = try Self.corpus()
        try #require(corpus.count > 20)
        let findings = await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: Self.fuzz(corpus, seconds: seconds, seed: seed)) }.start()
        }
        print("fuzz: \(findings.mutants) mutants in \(seconds) s, \(findings.rejected) rejected, none crashed")
        #expect(findings.misplaced.isEmpty, "\(findings.misplaced.prefix(5))")
        #expect(findings.mutants > 100 && findings.rejected > 0)
    }

    static func fuzz(_ corpus: [[UInt8]], seconds: Double, seed: UInt64) -> Findings {
        var dice = FaultDice(state: seed)
        let decoder = ResourceDecoder()
        let deadline = Date().addingTimeInterval(seconds)
        var findings = Findings()
        while Date() < deadline {
            let mutant = mutate(corpus[Int.random(in: 0..<corpus.count, using: &dice)], &dice)
            let decoded = decoder.decode(mutant, path: "mutant.yaml")
            let lines = lineCount(mutant)
            for error in decoded.errors
            where error.location.file != "mutant.yaml" || !(1...lines + 1).contains(error.location.line)
                || error.location.column < 1 || error.message.isEmpty
            {
                findings.misplaced.append(
                    "\(error.location) of \(lines) lines: \(error.message); "
                        + String(decoding: mutant.prefix(300), as: UTF8.self).debugDescription)
            }
            findings.mutants += 1
            if !decoded.errors.isEmpty { findings.rejected += 1 }
        }
        return findings
    }

    @Test func aGoodFileLoadsBesideMutants() throws {
        var dice = FaultDice(state: 7)
        let corpus = try Self.corpus()
        let directory = try TemporaryDirectory()
        for index in 0..<200 {
            let mutant = Self.mutate(corpus[index % corpus.count], &dice)
            _ = try directory.write("repo/mutants/m\(index).yaml", bytes: mutant)
        }
        _ = try directory.write(
            "repo/good.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: fuzz-survivor}
            spec: {subject: {user: zed@example.com}, access: [{dataSource: zed-logs, permission: Query}], duration: 1h, reason: r}
            """)
        let loader = ResourceLoader(fileSystem: LocalFileSystem())
        let files = loader.decode(ResourceSources(anywhere: [directory.path + "/repo"]))
        #expect(files.count == 201)
        let catalog = ResourceCatalog(files: files)
        #expect(catalog.grants.contains { $0.name == "fuzz-survivor" })
    }
}
