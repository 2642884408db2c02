import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `grafana-jit request` as a requester runs it: the file it writes passes `validate` with the verdict it
/// predicted, and every refusal says why, writes nothing and exits 1.
struct RequestEndToEndTests {
    static let now = ValidateEndToEndTests.now
    static let policies = ["--policies", "examples/policies", "--policies", "examples/bundles"]

    /// `request` into a fresh grants folder.
    static func request(_ arguments: [String], grants: String, environment: [String: String] = [:]) async throws
        -> BinaryRun
    {
        try await BinaryRun.grafanaJIT(
            ["request", "--now", now, "--grants", grants] + policies + arguments, environment: environment)
    }

    /// The verdict `validate --format json` gives each grant in the folder, by name.
    static func verdicts(of grants: String) async throws -> [String: String] {
        let run = try await BinaryRun.grafanaJIT(
            ["validate", "--now", now, "--format", "json", "--grants", grants] + policies)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let grants = try #require(report["grants"] as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: grants.compactMap { grant in
                (grant["name"] as? String).map { ($0, grant["verdict"] as? String ?? "") }
            })
    }

    /// Each kind of access item, the file name it gets, and the verdict `request` predicts.
    static let kinds: [(arguments: [String], name: String, verdict: String)] = [
        (
            [
                "--user", "judy@example.com", "--data-source", "prod-logs", "--permission", "Query", "--for", "4h",
                "--reason", "INC-4812: checkout 5xx", "--ticket", "INC-4812", "--approver", "bob@example.com",
            ],
            "judy-prod-logs-inc-4812", "Allowed"
        ),
        (
            [
                "--user", "judy@example.com", "--folder", "Production", "--folder-permission", "Edit", "--for", "8h",
                "--reason", "fix a panel", "--ticket", "CHG-2", "--approver", "carol@example.com",
            ],
            "judy-production-chg-2", "Allowed"
        ),
        (
            ["--user", "judy@example.com", "--join-team", "incident-responders", "--for", "4h", "--reason", "paged"],
            "judy-incident-responders-2026-11-21", "Allowed"
        ),
        (
            [
                "--user", "judy@example.com", "--org-role", "Editor", "--for", "4h", "--reason", "fix an alert",
                "--approver", "carol@example.com",
            ],
            "judy-org-editor-2026-11-21", "DecidedAtRunTime"
        ),
        (
            [
                "--user", "judy@example.com", "--service-account-token", "ci-dashboards", "--token-role", "Viewer",
                "--for", "8h", "--reason", "load test", "--ticket", "CHG-1101",
            ],
            "judy-ci-dashboards-token-chg-1101", "Allowed"
        ),
        (
            [
                "--user", "judy@example.com", "--bundle", "incident-kit", "--for", "4h", "--reason",
                "#4802: *all* of it",
                "--ticket", "INC-4802", "--approver", "bob@example.com", "--starts-at", "2026-11-21T13:00:00Z",
            ],
            "judy-incident-kit-inc-4802", "Allowed"
        ),
        (
            [
                "--team", "sre", "--data-source", "staging-logs", "--permission", "Edit", "--until",
                "2026-11-21T20:00:00Z", "--reason", "debug", "--approver", "oscar@example.com", "--policy",
                "oncall-autoapprove",
            ],
            "team-sre-staging-logs-2026-11-21", "DecidedAtRunTime"
        ),
    ]

    @Test(arguments: 0..<kinds.count)
    func eachKindWritesAGrantThatValidatesAsPredicted(index: Int) async throws {
        let kind = Self.kinds[index]
        let folder = try TemporaryDirectory()
        let run = try await Self.request(kind.arguments, grants: folder.path)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let path = folder.path + "/\(kind.name).yaml"
        #expect(run.lines.contains("wrote \(path) (grant \(kind.name))"), "\(run.stdout)")
        #expect(run.lines.contains { $0.hasPrefix("verdict: \(kind.verdict) ") }, "\(run.stdout)")
        #expect(run.lines.contains("  git add \(path)") && run.lines.contains("  git switch -c request/\(kind.name)"))
        #expect(try await Self.verdicts(of: folder.path) == [kind.name: kind.verdict])
    }

    static let refusals: [(arguments: [String], message: String)] = [
        (
            ["--data-source", "prod-logs", "--for", "12h"],
            "refused: on-call-break-glass allows at most 4h; you asked 12h\n"
                + "refused: prod-datasources allows at most 8h; you asked 12h"
        ),
        (
            ["--data-source", "prod-logs", "--permission", "Edit", "--policy", "prod-datasources", "--for", "4h"],
            "refused: Edit is above prod-datasources' Query"
        ),
        (["--join-team", "dbas", "--for", "4h"], "refused: no policy lets alice@example.com join team dbas"),
        (
            ["--org-role", "Editor", "--for", "4h"],
            "refused: org-editors needs 1 approval from members of team sre-leads; name one with --approver"
        ),
        (
            ["--data-source", "prod-traces", "--policy", "incident-responders", "--for", "4h"],
            "refused: incident-responders requires an incident: name it with --incident"
        ),
        (
            ["--data-source", "prod-logs", "--for", "4h", "--ticket", "INC-4711", "--approver", "bob@example.com"],
            "refused: a grant named alice-prod-logs-inc-4711 already exists "
                + "(examples/grants/alice-prod-logs-inc-4711.yaml:5:9); choose another with --name"
        ),
    ]

    @Test(arguments: 0..<refusals.count)
    func eachRefusalSaysWhyAndWritesNothing(index: Int) async throws {
        let refusal = Self.refusals[index]
        let run = try await BinaryRun.grafanaJIT(
            ["request", "--now", Self.now, "--grants", "examples/grants"] + Self.policies + [
                "--user", "alice@example.com", "--reason", "test",
            ] + refusal.arguments)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr == refusal.message + "\nnothing written\n")
        #expect(run.stdout.isEmpty)
    }

    @Test("a name the ledger records as expired stays refused")
    func expiredNamesAreRefused() async throws {
        let folder = try TemporaryDirectory()
        try folder.write(
            "state/ledger.json",
            """
            {"version": 1, "changes": [], "tokens": {},
             "grants": {"alice-prod-logs-inc-9": {"firstSeen": "2026-11-20T08:00:00Z", "end": "2026-11-20T12:00:00Z",
                                                  "isExpired": true}}}
            """)
        try FileManager.default.createDirectory(atPath: folder.path + "/grants", withIntermediateDirectories: true)
        let run = try await Self.request(
            [
                "--user", "alice@example.com", "--data-source", "prod-logs", "--for", "4h", "--reason", "again",
                "--ticket", "INC-9", "--approver", "bob@example.com", "--state", folder.path + "/state",
            ], grants: folder.path + "/grants")
        #expect(run.status == 1)
        #expect(
            run.stderr.hasPrefix(
                "refused: grant alice-prod-logs-inc-9 expired at 2026-11-20T12:00:00Z, and an expired name stays "
                    + "expired; choose another with --name\n"), "\(run.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path + "/grants").isEmpty)
    }

    @Test("an existing file is never overwritten")
    func neverOverwrites() async throws {
        let folder = try TemporaryDirectory()
        let path = try folder.write("judy-org-editor-2026-11-21.yaml", "# not a grant\n")
        let run = try await Self.request(
            [
                "--user", "judy@example.com", "--org-role", "Editor", "--for", "4h", "--reason", "r", "--approver",
                "carol@example.com",
            ], grants: folder.path)
        #expect(run.status == 1)
        #expect(run.stderr.contains("refused: \(path) already exists; grafana-jit request never overwrites a file"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "# not a grant\n")
    }

    @Test("bad input is a usage error naming the flag")
    func badInput() async throws {
        let base = ["--user", "judy@example.com", "--reason", "r"]
        let cases: [([String], String)] = [
            (
                ["--data-source", "prod-logs", "--permission", "Read", "--for", "4h"],
                "'Read' is not valid for --permission"
            ),
            (["--data-source", "prod-logs", "--for", "4 hours"], "'4 hours' is not valid for --for"),
            (
                ["--data-source", "prod-logs", "--for", "1h", "--starts-at", "2026-11-20T12:00:00Z"],
                "expected a start whose window has not ended by now"
            ),
            (["--data-source", "prod-logs", "--until", "2026-11-21T11:00:00Z"], "expected a time after the start"),
            (["--data-source", "prod-logs", "--for", "40d"], "expected at most 30d"),
            (["--folder", "Production", "--permission", "Edit", "--for", "4h"], "--data-source for --permission"),
            (["--for", "4h"], "'request' needs some access"),
            (["--data-source", "prod-*", "--for", "4h"], "* and ? are for policy selectors"),
            (
                ["--data-source", "prod-logs", "--for", "4h", "--grafana-url", "http://127.0.0.1:9"],
                "'request' needs credentials: --token-file, GRAFANA_TOKEN"
            ),
            (
                ["--data-source", "prod-logs", "--for", "4h", "--policy", "nope"],
                "spec.policy: AccessPolicy \"nope\" does not exist"
            ),
        ]
        for (arguments, message) in cases {
            let run = try await Self.request(base + arguments, grants: "examples/grants")
            #expect(run.status == 2, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }

    @Test("several policies fitting equally: it asks for --policy")
    func asksForPolicy() async throws {
        let run = try await Self.request(
            ["--user", "judy@example.com", "--data-source", "prod-logs", "--for", "4h", "--reason", "r"],
            grants: "examples/grants")
        #expect(run.status == 2)
        #expect(run.stderr.hasPrefix("grafana-jit: error: 2 policies allow it equally well; choose one with --policy:"))
        #expect(run.stderr.contains("  prod-datasources: whether the subject is on call (policy prod-datasources)"))
    }

    @Test("--print writes the grant to stdout and nothing to the folder")
    func printWritesNothing() async throws {
        let folder = try TemporaryDirectory()
        let run = try await Self.request(
            Self.kinds[0].arguments + ["--print"], grants: folder.path)
        #expect(run.status == 0)
        #expect(run.stdout.contains("kind: AccessGrant") && run.stdout.contains("reason: \"INC-4812: checkout 5xx\""))
        #expect(run.stderr.contains("save it as \(folder.path)/judy-prod-logs-inc-4812.yaml"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    @Test("help lists every flag")
    func helpIsComplete() async throws {
        let run = try await BinaryRun.grafanaJIT(["help", "request"])
        #expect(run.status == 0)
        for flag in [
            "--user", "--team", "--data-source", "--permission", "--folder", "--folder-permission", "--join-team",
            "--team-role", "--org-role", "--service-account-token", "--token-role", "--bundle", "--for", "--until",
            "--starts-at", "--reason", "--ticket", "--approver", "--incident", "--policy", "--name", "--print",
            "--state", "--grafana-url", "--token-file", "--grants", "--policies",
        ] {
            #expect(run.stdout.contains("  \(flag) "), "\(flag)")
        }
    }
}
