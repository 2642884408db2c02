import Foundation
import Testing

/// Malformed and malicious grant and policy files beside good ones: each is rejected or denied with a reason that
/// names its file (and line where there is one), the good grants are applied all the same, nothing crashes, and no
/// hostile file gives anyone access (RELIABILITY.md, "Hostile input").
struct HostileInputTests {
    /// A policy like the examples': Query on production data sources for at most 4h, one approval by bob or carol.
    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: prod}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Query]
          maxDuration: 4h
          approval: {required: true, approvers: {users: [bob@example.com, carol@example.com]}}
        """

    static func grant(_ name: String, user: String = "alice@example.com", _ fields: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: \(name)}
        spec:
          subject: {user: \(user)}
        \(fields)
        """
    }

    /// File → (what it tries, a phrase its error or denial must contain). Each gives access to nobody.
    static var hostile: [(file: String, attempt: String, expect: String, text: [UInt8])] {
        let good = "  access: [{dataSource: prod-logs, permission: Query}]\n  duration: 1h\n  reason: r\n"
        func text(_ string: String) -> [UInt8] { Array(string.utf8) }
        var laughs = "a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for index in 1...9 {
            laughs +=
                "\(Character(UnicodeScalar(97 + index)!)): &\(Character(UnicodeScalar(97 + index)!)) ["
                + Array(repeating: "*\(Character(UnicodeScalar(96 + index)!))", count: 9).joined(separator: ", ")
                + "]\n"
        }
        return [
            ("bomb.yaml", "a billion laughs", "nodes", text(laughs)),
            ("deep.yaml", "nesting 10,000 levels deep", "deep", text(String(repeating: "[", count: 10_000))),
            (
                "huge.yaml", "a 2 MiB file", "bytes",
                text(grant("huge", good + "  ticket: \"" + String(repeating: "x", count: 2 << 20) + "\"\n"))
            ),
            (
                "bad-utf8.yaml", "invalid UTF-8", "UTF-8",
                text(grant("bad-utf8", good)).dropLast(3) + [0xC3, 0x28, 0x0A]
            ),
            (
                "duplicate-key.yaml", "a key given twice (the second hiding the first)", "duplicate",
                text(grant("duplicate-key", good + "  duration: 4h\n"))
            ),
            (
                "wrong-types.yaml", "access as a string, duration as a number", "spec.access",
                text(grant("wrong-types", "  access: Query\n  duration: 5\n  reason: r\n"))
            ),
            (
                "self-approval.yaml", "approving oneself", "approvedBy",
                text(
                    grant(
                        "self-approval", user: "carol@example.com", good + "  approvedBy: [carol@example.com]\n"))
            ),
            (
                "outside-approver.yaml", "an approver the policy does not name", "approvedBy",
                text(grant("outside-approver", good + "  approvedBy: [dave@example.com]\n"))
            ),
            (
                "too-long.yaml", "a window over maxDuration", "maxDuration",
                text(
                    grant(
                        "too-long",
                        "  access: [{dataSource: prod-logs, permission: Query}]\n  duration: 5h\n  reason: r\n"
                            + "  approvedBy: [bob@example.com]\n"))
            ),
            (
                "backdated.yaml", "a startsAt backdated to stretch the window", "maxDuration",
                text(
                    grant(
                        "backdated",
                        "  access: [{dataSource: prod-logs, permission: Query}]\n"
                            + "  startsAt: \"\(ControllerWorkspace.rfc3339(Date().addingTimeInterval(-86_400)))\"\n"
                            + "  expiresAt: \"\(ControllerWorkspace.rfc3339(Date().addingTimeInterval(3600)))\"\n"
                            + "  reason: r\n  approvedBy: [bob@example.com]\n"))
            ),
            (
                "widening.yaml", "a permission above the policy's", "Edit",
                text(
                    grant(
                        "widening",
                        "  access: [{dataSource: prod-logs, permission: Edit}]\n  duration: 1h\n  reason: r\n"
                            + "  approvedBy: [bob@example.com]\n"))
            ),
            (
                "glob-in-grant.yaml", "a glob in a grant to reach every data source", "policy selectors",
                text(
                    grant(
                        "glob-in-grant",
                        "  access: [{dataSource: \"prod-*\", permission: Query}]\n  duration: 1h\n  reason: r\n"
                            + "  approvedBy: [bob@example.com]\n"))
            ),
            (
                "outside-policy.yaml", "a data source no policy selects", "staging",
                text(
                    grant(
                        "outside-policy",
                        "  access: [{dataSource: staging-logs, permission: Query}]\n  duration: 1h\n  reason: r\n"
                            + "  approvedBy: [bob@example.com]\n"))
            ),
            (
                "copy-of-good.yaml", "a second grant under a good grant's name (both are refused)", "defined twice",
                text(
                    grant(
                        "good-alice", user: "mallory@example.com",
                        "  access: [{dataSource: prod-metrics, permission: Query}]\n  duration: 1h\n  reason: r\n"
                            + "  approvedBy: [bob@example.com]\n"))
            ),
        ]
    }

    @Test func everyHostileFileIsRefusedWithAReasonAndTheGoodGrantsStillApply() async throws {
        let work = try await ControllerWorkspace.start(policy: Self.policy)
        let approved =
            "  access: [{dataSource: prod-logs, permission: Query}]\n  duration: 1h\n  reason: r\n"
            + "  approvedBy: [bob@example.com]\n"
        try work.directory.write("repo/grants/good-alice.yaml", Self.grant("good-alice", approved))
        try work.directory.write(
            "repo/grants/good-dave.yaml", Self.grant("good-dave", user: "dave@example.com", approved))
        for entry in Self.hostile {
            let path = work.grants + "/grants/" + entry.file
            try Data(entry.text).write(to: URL(fileURLWithPath: path))
        }
        // A link out of the folder, to a grant that would otherwise be valid.
        let outside = try work.directory.write("elsewhere/escape.yaml", Self.grant("escape", approved))
        try FileManager.default.createSymbolicLink(
            atPath: work.grants + "/grants/escape.yaml", withDestinationPath: outside)

        let validate = try await BinaryRun.grafanaJIT(["validate"] + work.sources())
        #expect(validate.status == 1, "\(validate.stdout)\(validate.stderr)")
        let report = validate.stdout + validate.stderr
        for entry in Self.hostile + [("escape.yaml", "a symbolic link out of the folder", "outside", [])] {
            // A name defined twice is reported on the file read first, naming the other.
            let lines = report.split(separator: "\n").filter { $0.contains("/" + entry.file) }
            #expect(
                lines.contains { $0.contains(entry.expect) && ($0.contains("error") || $0.contains("denied")) },
                "\(entry.file) (\(entry.attempt)): \(lines)")
        }
        #expect(!report.contains("good-dave.yaml:"), "the good grant is not blamed: \(report)")

        let run = try await work.once()
        #expect(run.status == 0 || run.status == 1, "no crash: \(run.status) \(run.stderr.suffix(2000))")
        let access = try await work.access()
        let granted = access.filter { !ControllerEndToEndTests.standing.contains($0) && !$0.contains("@sre=") }
        #expect(granted.contains("dave@loki-prod=Query"), "\(access)")
        #expect(
            !access.contains {
                $0.hasPrefix("mallory@") || $0.hasPrefix("carol@loki") || $0.contains("=Edit") && $0.hasPrefix("alice")
            })
        #expect(!access.contains("alice@prom-prod=Query") && !access.contains("alice@loki-staging=Query"))
        let audit = (try? String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)) ?? ""
        for (place, text) in [
            ("validate", report), ("run", run.stdout + run.stderr), ("audit", audit), ("status", try work.statusText()),
        ] {
            #expect(!text.contains(FaultCampaign.token), "the token leaked into \(place)")
        }
        _ = await work.simulator.stop()
    }

    static func date(_ text: String) -> Date? { ISO8601DateFormatter().date(from: String(text.prefix(19)) + "Z") }

    static func expiresAt(of grant: String, in work: ControllerWorkspace) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: work.state + "/status/\(grant).json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["expiresAt"] as? String
    }

    /// A second, wider policy under an existing policy's name, written where grants go, is never loaded: it is an
    /// error on that document, and grants are judged by the real policy only.
    @Test func aSecondPolicyUnderTheSameNameWidensNothing() async throws {
        let work = try await ControllerWorkspace.start(policy: Self.policy)
        let wider = Self.policy.replacingOccurrences(of: "prod-*", with: "*").replacingOccurrences(
            of: "maxDuration: 4h", with: "maxDuration: 30d")
        try work.directory.write("repo/grants/second-policy.yaml", wider)
        try work.directory.write(
            "repo/grants/wide.yaml",
            Self.grant(
                "wide", user: "dave@example.com",
                "  access: [{dataSource: staging-logs, permission: Query}]\n  duration: 20d\n  reason: r\n"
                    + "  approvedBy: [bob@example.com]\n"))
        let validate = try await BinaryRun.grafanaJIT(["validate"] + work.sources())
        #expect(validate.status == 1)
        #expect(
            validate.stdout.contains(
                "second-policy.yaml:3:18: error: kind: AccessPolicy \"prod\" is under a --grants path and is not loaded"
            ),
            "\(validate.stdout)")
        _ = try await work.once()
        #expect(!(try await work.access()).contains { $0.hasPrefix("dave@") })
        _ = await work.simulator.stop()
    }

    /// Bypasses over time: an expired grant re-added under its name stays expired; a live grant edited to start
    /// later and end a day after that still ends within maxDuration (1d) of its first activation.
    @Test func anExpiredGrantCannotBeRevivedNorALiveOneExtended() async throws {
        let work = try await ControllerWorkspace.start()
        // Long enough to be seen active even when a full run's start stalls the machine for 8-10 s.
        try work.grant(
            "short", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Query}]",
            expiresAt: Date().addingTimeInterval(15))
        try work.grant(
            "live", user: "erin@example.com", access: "[{dataSource: prod-logs, permission: Query}]", duration: "1h")
        #expect(try await work.once().status == 0)
        let liveEnd = try #require(try Self.expiresAt(of: "live", in: work))
        let activated = Date()
        #expect(try await work.access().contains("dave@loki-prod=Query"))
        #expect(
            try await work.eventually(within: 30) {
                _ = try await work.once()
                return !(try await work.access().contains("dave@loki-prod=Query"))
            })

        try work.grant(
            "short", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Query}]", duration: "4h")
        let later = Date().addingTimeInterval(3600)
        try work.grant(
            "live", user: "erin@example.com", access: "[{dataSource: prod-logs, permission: Query}]",
            expiresAt: later.addingTimeInterval(86_400), extra: "startsAt: \(ControllerWorkspace.rfc3339(later))")
        _ = try await work.once()
        let access = try await work.access()
        #expect(!access.contains("dave@loki-prod=Query"), "re-adding an expired name grants nothing")
        #expect(access.contains("erin@loki-prod=Query"))
        let status = try work.statusText()
        #expect(status.contains("the name stays expired"))
        let extended = try #require(try Self.expiresAt(of: "live", in: work).flatMap(Self.date))
        let first = try #require(Self.date(liveEnd))
        #expect(
            extended > first && extended <= activated.addingTimeInterval(86_400 + 2),
            "capped at maxDuration: \(extended)")
        _ = await work.simulator.stop()
    }
}
