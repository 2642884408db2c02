import Foundation
import TestSupport
import Testing

struct ValidateEndToEndTests {
    /// The examples' windows are judged at a fixed time, so the tests don't start failing when one ends.
    static let now = "2026-11-21T12:00:00Z"

    /// The documented CI command on the examples: grants from `grants`, policies and bundles from their folders.
    static let examples = [
        "--grants", "examples/grants", "--policies", "examples/policies", "--policies", "examples/bundles",
    ]

    @Test func theExamplesAreValid() async throws {
        let run = try await BinaryRun.grafanaJIT(["validate", "--now", Self.now] + Self.examples)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let summary = try #require(run.lines.last)
        #expect(summary.hasSuffix(": 0 errors, 0 warnings, 0 notes"))
        #expect(summary.contains("denied") && summary.contains(" 0 denied"))
    }

    /// Each file in `examples/invalid/` says where its mistake is in a `# expect: LINE:COLUMN FIELD` comment; a file
    /// whose mistake is a policy verdict names the policies it is checked against in `# policies: PATH`.
    @Test(arguments: try invalidExamples())
    func eachInvalidExampleFailsAtTheLineItNames(file: String) async throws {
        let text = try String(contentsOfFile: BinaryRun.projectRoot + "/" + file, encoding: .utf8)
        let expectations = text.split(separator: "\n").filter { $0.hasPrefix("# expect: ") }
            .map { $0.dropFirst("# expect: ".count).split(separator: " ", maxSplits: 1).map(String.init) }
        try #require(!expectations.isEmpty, "\(file) has no '# expect:' line")
        let policies = text.split(separator: "\n").first { $0.hasPrefix("# policies: ") }
            .map { String($0.dropFirst("# policies: ".count)) }
        let arguments = policies.map { ["--grants", file, "--policies", $0] } ?? [file]
        let run = try await BinaryRun.grafanaJIT(["validate"] + arguments)
        #expect(run.status == 1)
        for expectation in expectations {
            let (position, field) = (expectation[0], expectation.count > 1 ? expectation[1] : "")
            let key = String(field.split(separator: ".").last ?? "")
            #expect(
                run.lines.contains {
                    $0.hasPrefix("\(file):\(position): error: ")
                        && ($0.contains(field) || $0.contains("key \"\(key)\""))
                }, "\(run.stdout)")
        }
    }

    @Test func theInvalidFolderAtOnceReportsEveryMistake() async throws {
        let run = try await BinaryRun.grafanaJIT([
            "validate", "--grants", "examples/invalid", "--policies", "examples/invalid/policies",
        ])
        #expect(run.status == 1)
        for file in try Self.invalidExamples() {
            #expect(run.lines.contains { $0.hasPrefix(file + ":") }, "no error for \(file)")
        }
    }

    static func invalidExamples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: BinaryRun.projectRoot + "/examples/invalid")
            .filter { $0.hasSuffix(".yaml") }.sorted().map { "examples/invalid/" + $0 }
    }

    @Test func githubFormatAnnotatesTheFile() async throws {
        let run = try await BinaryRun.grafanaJIT([
            "validate", "--format", "github", "examples/invalid/bad-permission.yaml",
        ])
        #expect(run.status == 1)
        #expect(
            run.lines.first == "::error file=examples/invalid/bad-permission.yaml,line=15,col=19::"
                + "spec.access[1].permission: \"Read\" is not one of Query, Edit, Admin")
    }

    @Test func gitlabFormatIsACodeQualityReport() async throws {
        let run = try await BinaryRun.grafanaJIT([
            "validate", "--format", "gitlab", "examples/invalid/bad-permission.yaml",
        ])
        #expect(run.status == 1)
        let issues = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [[String: Any]])
        #expect(issues.count == 1)
        let location = issues.first?["location"] as? [String: Any]
        #expect(location?["path"] as? String == "examples/invalid/bad-permission.yaml")
        #expect((location?["lines"] as? [String: Any])?["begin"] as? Int == 15)
        #expect(issues.first?["severity"] as? String == "major")
        #expect((issues.first?["fingerprint"] as? String)?.isEmpty == false)
        #expect((issues.first?["description"] as? String)?.contains("\"Read\" is not one of") == true)
    }

    @Test func theFormatFallsBackToItsEnvironmentVariable() async throws {
        let run = try await BinaryRun.grafanaJIT(
            ["validate", "examples/invalid/bad-permission.yaml"], environment: ["GRAFANA_JIT_FORMAT": "github"])
        #expect(run.lines.first?.hasPrefix("::error file=") == true)
    }

    @Test func jsonFormatListsFindingsAndVerdicts() async throws {
        let run = try await BinaryRun.grafanaJIT(["validate", "--format=json", "--now", Self.now] + Self.examples)
        #expect(run.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let grants = try #require(object["grants"] as? [[String: Any]])
        #expect(
            grants.contains {
                $0["name"] as? String == "alice-prod-logs-inc-4711" && $0["verdict"] as? String == "Allowed"
            })
        #expect((object["findings"] as? [Any])?.isEmpty == true)
    }

    @Test func aGrantPastItsEndIsAWarningNotAnError() async throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            "g.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: old}
            spec:
              subject: {user: alice@example.com}
              access: [{team: incident-responders}]
              startsAt: 2026-11-01T00:00:00Z
              expiresAt: 2026-11-01T04:00:00Z
              reason: test
            """)
        let policies = BinaryRun.projectRoot + "/examples/policies"
        let run = try await BinaryRun.grafanaJIT([
            "validate", "--now", "2026-11-21T00:00:00Z", "--grants", directory.path, "--policies", policies,
        ])
        #expect(run.status == 0, "\(run.stdout)")
        #expect(run.lines.contains { $0.contains(": warning: grant old expired at 2026-11-01T04:00:00Z") })
    }

    @Test func oversizedFilesAreRejectedWithTheLimit() async throws {
        let run = try await BinaryRun.grafanaJIT([
            "validate", "--max-file-size", "100", "examples/grants/alice-prod-logs-inc-4711.yaml",
        ])
        #expect(run.status == 1)
        #expect(run.lines.first?.contains(":1:1: error: file is ") == true)
        #expect(run.lines.first?.hasSuffix("over the limit of 100 bytes") == true)
    }

    @Test(arguments: [
        (["validate"], "'validate' needs --grants PATH and --policies PATH, or at least one PATH"),
        (["validate", "--bogus", "x"], "unknown option '--bogus' for 'validate'"),
        (
            ["validate", "--format", "xml", "x"],
            "'xml' is not valid for --format: expected text, github, json or gitlab"
        ),
        (["validate", "--now", "yesterday", "x"], "'yesterday' is not valid for --now"),
        (["validate", "--format"], "option '--format' needs a value"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        ([], "USAGE: grafana-jit <command> [options]"),
    ])
    func usageErrorsExitWithTwo(arguments: [String], message: String) async throws {
        let run = try await BinaryRun.grafanaJIT(arguments)
        #expect(run.status == 2)
        #expect(run.stderr.contains(message), "\(run.stderr)")
    }

    @Test(arguments: [["--help"], ["help"], ["help", "validate"], ["validate", "--help"], ["--version"]])
    func helpAndVersionExitWithZero(arguments: [String]) async throws {
        let run = try await BinaryRun.grafanaJIT(arguments)
        #expect(run.status == 0)
        #expect(run.stdout.contains("grafana-jit"))
    }

    /// The GitOps example is a whole access repository: clean from inside it, its generator sources ignored.
    @Test func theGitOpsExampleValidatesCleanFromInside() async throws {
        let folder = BinaryRun.projectRoot + "/examples/gitops"
        let lint = try await BinaryRun.run(BinaryRun.executable, ["validate", "."], in: folder)
        #expect(lint.status == 0, "\(lint.stdout)")
        let verdicts = try await BinaryRun.run(
            BinaryRun.executable,
            ["validate", "--grants", "grants", "--policies", "policies", "--policies", "bundles"],
            in: folder)
        #expect(verdicts.status == 0 && verdicts.stdout.contains("(1 allowed, 0 denied"), "\(verdicts.stdout)")
    }

    /// Another tool's YAML gets one line that says what to do, not a list of unknown fields.
    @Test func anotherToolsFileSuggestsTheIgnoreFile() async throws {
        let directory = try TemporaryDirectory()
        let path = try directory.write(
            "kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n")
        let run = try await BinaryRun.grafanaJIT(["validate", path])
        #expect(run.status == 1)
        #expect(
            run.lines.first
                == path + ":1:1: error: not a grafana-jit resource (apiVersion kustomize.config.k8s.io/v1beta1, kind "
                + "Kustomization); grafana-jit reads apiVersion grafana-jit.io/v1alpha1 documents only. If this file "
                + "belongs in the folder, list it in .grafana-jit-ignore at the top of the folder", "\(run.stdout)")
        #expect(run.lines.count == 2, "\(run.stdout)")
    }
}
