import Foundation
import Testing

/// The CRD schemas in `crds/` and grafana-jit's own validation must agree. The CRD side runs a real JSON-Schema
/// validator (Python's jsonschema, installed by `.ci/run`) through `Tests/CRDAgreement/crd_check.py`.
struct CRDAgreementTests {
    static let fixtures = "Tests/CRDAgreement/fixtures"

    /// File → the CRD validator's errors (empty when it accepts the file).
    private func crdVerdicts(_ files: [String]) async throws -> [String: [String]] {
        let run = try await BinaryRun.python(["Tests/CRDAgreement/crd_check.py", "crds"] + files)
        try #require(run.status == 0, "crd_check.py failed (run .ci/run to install its modules): \(run.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8))
        return try #require(object as? [String: [String]])
    }

    private static func files(in folder: String) throws -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: BinaryRun.projectRoot + "/" + folder)
        return (enumerator?.allObjects as? [String] ?? []).filter { $0.hasSuffix(".yaml") }.sorted().map {
            folder + "/" + $0
        }
    }

    @Test func bothAcceptEveryValidExample() async throws {
        let examples = try Self.files(in: "examples").filter {
            !$0.hasPrefix("examples/invalid/") && !$0.hasPrefix("examples/config/")
                && !$0.hasPrefix("examples/gitops/kustomize/") && !$0.hasPrefix("examples/gitops/helm/")
                // Dot-named paths (CI workflow files) are skipped by the loader too.
                && !$0.contains("/.")
                && $0 != "examples/grafana-fixture.yaml"
        }
        try #require(examples.count >= 8)
        let verdicts = try await crdVerdicts(examples)
        for file in examples {
            #expect(verdicts[file] == [], "\(file): \(verdicts[file] ?? [])")
        }
        #expect(
            try await BinaryRun.grafanaJIT(
                ["validate", "--now", ValidateEndToEndTests.now] + ValidateEndToEndTests.examples
            )
            .status == 0)
    }

    /// Invalid examples say `# crd: rejects`, or `# crd: accepts (why)` when only grafana-jit can see the mistake
    /// (other documents, policy verdicts); where both reject, they point at the same line and column.
    @Test func invalidExamplesAreRejectedByTheCRDsWhereASchemaCanSeeTheMistake() async throws {
        let files = try Self.files(in: "examples/invalid")
        let verdicts = try await crdVerdicts(files)
        for file in files {
            let text = try String(contentsOfFile: BinaryRun.projectRoot + "/" + file, encoding: .utf8)
            let lines = text.split(separator: "\n")
            let rejects = lines.contains("# crd: rejects")
            #expect(rejects || lines.contains { $0.hasPrefix("# crd: accepts (") }, "\(file) lacks a '# crd:' line")
            #expect((verdicts[file]?.isEmpty == false) == rejects, "\(file): \(verdicts[file] ?? [])")
            guard rejects, let expect = lines.first(where: { $0.hasPrefix("# expect: ") }) else { continue }
            let position = expect.dropFirst("# expect: ".count).prefix { $0 != " " }
            #expect(
                verdicts[file]?.contains { $0.hasPrefix(position + " ") } == true, "\(file): \(verdicts[file] ?? [])")
        }
    }

    @Test func theCRDsFollowTheAPIServersStructuralSchemaRules() async throws {
        let run = try await BinaryRun.python(["Tests/CRDAgreement/crd_check.py", "--lint-crds", "crds"])
        #expect(run.status == 0, "\(run.stderr)")
        let problems = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String]]
        #expect(problems?.values.allSatisfy(\.isEmpty) == true, "\(run.stdout)")
    }

    @Test func bothGiveTheSameVerdictOnEachFixture() async throws {
        let files = try Self.files(in: Self.fixtures)
        try #require(files.count >= 30)
        let verdicts = try await crdVerdicts(files)
        for file in files {
            let shouldAccept = file.contains("/accept/")
            let swift = try await BinaryRun.grafanaJIT(["validate", file])
            #expect((swift.status == 0) == shouldAccept, "grafana-jit on \(file): \(swift.stdout)")
            #expect((verdicts[file] == []) == shouldAccept, "CRD on \(file): \(verdicts[file] ?? [])")
        }
    }
}
