import Foundation
import Testing

@testable import AccessModel

struct ResourceDecoderTests {
    let decoder = ResourceDecoder()

    private func decode(_ text: String) -> DecodedFile {
        decoder.decode(Array(text.utf8), path: "g.yaml")
    }

    /// `line:column message` of each error, to compare against expectations compactly.
    private func errors(_ text: String) -> [String] {
        decode(text).errors.map { "\($0.location.line):\($0.location.column) \($0.message)" }
    }

    private static func grant(_ spec: String, name: String = "alice-prod-logs") -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata:
          name: \(name)
        spec:
        \(spec.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n"))

        """
    }

    private static let validSpec = """
        subject: {user: alice@example.com}
        access:
          - dataSource: prod-logs
            permission: Query
          - team: incident-responders
        duration: 4h
        reason: "INC-4711: 5xx spike"
        ticket: INC-4711
        approvedBy: [bob@example.com]
        policy: prod-datasources
        """

    @Test func aValidGrantDecodesEveryField() throws {
        let file = decode(Self.grant(Self.validSpec))
        #expect(file.errors.isEmpty)
        guard case .grant(let grant)? = file.resources.first else {
            Issue.record("expected a grant")
            return
        }
        #expect(grant.name == "alice-prod-logs")
        #expect(grant.subject == .user("alice@example.com"))
        #expect(
            grant.access.map(\.target) == [.dataSource("prod-logs", .query), .team("incident-responders", .member)])
        #expect(grant.access.map(\.field.description) == ["spec.access[0]", "spec.access[1]"])
        #expect(grant.end == .after(.seconds(14_400)))
        #expect(grant.approvedBy == ["bob@example.com"])
        #expect(grant.policy == "prod-datasources")
        #expect(grant.location(of: "spec.duration") == SourceLocation(file: "g.yaml", line: 11, column: 13))
    }

    @Test(
        "each kind of error names its line, column and field path",
        arguments: [
            (
                "permission: Query", "permission: Read",
                "9:19 spec.access[0].permission: \"Read\" is not one of Query, Edit, Admin"
            ),
            (
                "  - team: incident-responders", "  - team: incident-responders\n    role: Owner",
                "11:13 spec.access[1].role: \"Owner\" is not one of Member, Admin"
            ),
            ("ticket: INC-4711", "tikcet: INC-4711", "13:3 spec.tikcet: unknown field"),
            ("ticket: INC-4711", "ticket: 4711", "13:11 spec.ticket: expected a string, found an integer"),
            (
                "duration: 4h", "duration: 4 hours",
                "11:13 spec.duration: \"4 hours\" is not a positive duration like 30m, 4h, 1h30m or 2d"
            ),
            (
                "duration: 4h", "duration: 0m",
                "11:13 spec.duration: \"0m\" is not a positive duration like 30m, 4h, 1h30m or 2d"
            ),
            (
                "duration: 4h", "duration: 4h\nexpiresAt: 2026-11-21T18:00:00Z",
                "12:3 spec.expiresAt: cannot be combined with spec.duration; give only one"
            ),
            (
                "duration: 4h", "expiresAt: 2026-11-21 18:00",
                "11:14 spec.expiresAt: \"2026-11-21 18:00\" is not an RFC 3339 timestamp like 2026-11-21T18:00:00Z"
            ),
            (
                "duration: 4h", "startsAt: 2026-11-21T18:00:00Z\nexpiresAt: 2026-11-21T17:00:00Z",
                "12:14 spec.expiresAt: must be after spec.startsAt"
            ),
            ("duration: 4h", "", "6:3 one of spec.duration or spec.expiresAt is required"),
            ("reason: \"INC-4711: 5xx spike\"", "reason: \"   \"", "12:11 spec.reason: must not be empty"),
            ("reason: \"INC-4711: 5xx spike\"", "", "6:3 spec.reason: required field is missing"),
            (
                "  - team: incident-responders", "  - team: incident-responders\n    dataSource: x",
                "11:7 spec.access[1].dataSource: cannot be combined with spec.access[1].team; give only one"
            ),
            (
                "  - team: incident-responders", "  - role: Member",
                "10:7 one of spec.access[1].dataSource or spec.access[1].folder or spec.access[1].team or spec.access[1].orgRole or spec.access[1].serviceAccountToken is required"
            ),
            (
                "  - team: incident-responders", "  - folder: Production\n    permission: Query",
                "11:19 spec.access[1].permission: \"Query\" is not one of View, Edit, Admin"
            ),
            (
                "  - team: incident-responders", "  - serviceAccountToken: {role: Viewer}",
                "10:28 spec.access[1].serviceAccountToken.serviceAccount: required field is missing"
            ),
            (
                "  - team: incident-responders", "  - serviceAccountToken: {serviceAccount: ci, role: Owner}",
                "10:55 spec.access[1].serviceAccountToken.role: \"Owner\" is not one of Viewer, Editor, Admin"
            ),
            (
                "subject: {user: alice@example.com}", "subject: {team: sre}",
                "10:7 spec.access[1].team: the subject is a team, and a team cannot join team \"incident-responders\""
            ),
            (
                "subject: {user: alice@example.com}", "subject: alice",
                "6:12 spec.subject: expected a mapping, found a string"
            ),
            (
                "policy: prod-datasources", "policy: Prod_DS",
                "15:11 spec.policy: \"Prod_DS\" is not a valid name (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters)"
            ),
            ("approvedBy: [bob@example.com]", "approvedBy: []", "14:15 spec.approvedBy: must not be an empty list"),
            (
                "approvedBy: [bob@example.com]", "approvedBy: [\" alice@example.com\"]",
                "14:16 spec.approvedBy[0]: \" alice@example.com\" is not a login or email: it contains spaces or invisible characters"
            ),
            (
                "subject: {user: alice@example.com}", "subject: {user: \"alice\\u200B\"}",
                "6:19 spec.subject.user: \"alice\u{200B}\" is not a login or email: it contains spaces or invisible characters"
            ),
        ])
    func errorsPointAtTheField(original: String, replacement: String, expected: String) {
        let text = Self.grant(Self.validSpec.replacingOccurrences(of: original, with: replacement))
        #expect(errors(text) == [expected])
    }

    @Test func everyErrorInADocumentIsReported() {
        let spec = """
            subject: {user: 5}
            access: [{dataSource: x, permission: Read}]
            duration: 0h
            reason: ""
            extra: 1
            """
        let found = errors(Self.grant(spec, name: "Bad_Name"))
        #expect(found.count == 6)
        #expect(found.contains { $0.hasPrefix("4:9 metadata.name") })
        #expect(found.contains { $0.hasPrefix("10:3 spec.extra: unknown field") })
        #expect(decode(Self.grant(spec)).resources.isEmpty)
    }

    @Test func multipleDocumentsAndListsYieldEveryResource() {
        let list = """
            apiVersion: v1
            kind: List
            items:
            - \(Self.grant(Self.validSpec, name: "a").split(separator: "\n").joined(separator: "\n  "))
            - \(Self.grant(Self.validSpec.replacingOccurrences(of: "Query", with: "Read"), name: "b").split(separator: "\n").joined(separator: "\n  "))
            ---
            """
        let file = decode(list + "\n" + Self.grant(Self.validSpec, name: "c") + "---\n")
        #expect(file.resources.map(\.metadata.name) == ["a", "c"])
        #expect(
            file.errors.map(\.message) == [
                "items[1].spec.access[0].permission: \"Read\" is not one of Query, Edit, Admin"
            ])
        guard case .grant(let grant) = file.resources[0] else {
            Issue.record("expected a grant")
            return
        }
        #expect(grant.location(of: "spec.duration").line == 14)
    }

    @Test func unknownKindsAndTopLevelFieldsAreErrors() {
        #expect(
            errors("apiVersion: grafana-jit.io/v1alpha1\nkind: AccessGrnat\nmetadata: {name: a}\nspec: {}\n")
                == [
                    "1:1 unknown resource grafana-jit.io/v1alpha1/AccessGrnat; expected apiVersion grafana-jit.io/v1alpha1 "
                        + "with kind AccessGrant, AccessPolicy or AccessBundle, or a v1 List of them"
                ])
        #expect(errors(Self.grant(Self.validSpec) + "status: {phase: Active}\n") == ["16:1 status: unknown field"])
    }

    @Test func errorsPerFileAreCappedWithACount() {
        let keys = (0..<150).map { "k\($0): 1" }.joined(separator: "\n")
        let found = decode("apiVersion: grafana-jit.io/v1alpha1\nkind: AccessGrant\n" + keys).errors
        #expect(found.count == ResourceDecoder.maxErrorsPerFile + 1)
        // 150 unknown fields, and metadata and spec missing.
        #expect(found.last?.message.hasPrefix("52 more errors in this file not shown (152 in all)") == true)
    }

    @Test func aDocumentThatIsNotAMappingSaysSo() {
        #expect(errors("- a\n- b\n") == ["1:1 document: expected a mapping, found a list"])
    }

    @Test func yamlErrorsBecomeResourceErrorsWithTheFile() {
        let file = decode("a: 1\na: 2\n")
        #expect(file.errors.map(\.description) == ["g.yaml:2:1: error: duplicate key \"a\" (first defined at 1:1)"])
    }

    @Test func policiesDecodeWithDefaults() throws {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: teams}
            spec:
              subjects: {users: ["*@example.com"], teams: [sre]}
              teams: [incident-*]
              maxDuration: 12h
              approval: {required: true, approvers: {teams: [security]}}
              autoApprove: {onCall: {schedules: [primary-sre]}}
            """
        let file = decode(text)
        #expect(file.errors.isEmpty)
        guard case .policy(let policy)? = file.resources.first else {
            Issue.record("expected a policy")
            return
        }
        #expect(policy.teamRoles == [.member])
        #expect(policy.permissions.isEmpty)
        #expect(
            policy.approval
                == Approval(isRequired: true, approvers: SubjectSelector(teams: [Glob("security")]), minApprovals: 1))
        #expect(policy.autoApprove == AutoApprove(onCallSchedules: ["primary-sre"]))
    }

    @Test(arguments: [
        ("dataSources: [{name: prod-*}]", "5:3 spec.permissions: required field is missing"),
        (
            "dataSources: [{}]\n  permissions: [Query]",
            "7:17 one of spec.dataSources[0].name or spec.dataSources[0].uid or spec.dataSources[0].type is required"
        ),
        ("teams: [x]\n  approval: {required: true}", "8:13 spec.approval.approvers: required field is missing"),
        (
            "teams: [x]\n  approval: {required: yes}",
            "8:24 spec.approval.required: expected true or false, found a string"
        ),
        (
            "teams: [x]\n  approval: {required: true, approvers: {users: [a]}, minApprovals: 0}",
            "8:69 spec.approval.minApprovals: must be at least 1, found 0"
        ),
        (
            "",
            "5:3 one of spec.dataSources or spec.teams or spec.orgRoles or spec.folders or spec.serviceAccounts is required"
        ),
        ("folders: [{title: Prod}]", "5:3 spec.folderPermissions: required field is missing"),
        (
            "folders: [{}]\n  folderPermissions: [View]",
            "7:13 one of spec.folders[0].title or spec.folders[0].uid is required"
        ),
    ])
    func policyErrorsPointAtTheField(fields: String, expected: String) {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: p}
            spec:
              subjects: {users: ["*"]}
              maxDuration: 8h
              \(fields)
            """
        #expect(errors(text) == [expected])
    }
}
