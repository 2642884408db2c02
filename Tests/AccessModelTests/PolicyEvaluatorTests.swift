import Foundation
import Testing

@testable import AccessModel

struct PolicyEvaluatorTests {
    /// One row of the allow/deny table.
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var policies: [String]
        var grant: String
        var facts: AccessFacts = .offline
        /// `allowed by P`, `denied: <text>` or `undecided: <text>`; denial texts are matched as substrings.
        var expected: String

        var testDescription: String { name }
    }

    static let now = Date(timeIntervalSince1970: 1_795_284_000)

    static let prod = Fixtures.policy(
        "prod",
        """
        subjects: {users: ["*@example.com"]}
        dataSources: [{name: "prod-*"}, {uid: P8E80F9AEF21F6940}]
        permissions: [Query]
        maxDuration: 8h
        approval: {required: true, approvers: {users: [bob@example.com, carol@example.com], teams: [security]}}
        autoApprove: {onCall: {schedules: [primary-sre]}}
        """)
    static let open = Fixtures.policy(
        "open",
        """
        subjects: {users: ["*@example.com"], teams: [sre]}
        dataSources: [{name: "staging-*"}, {type: loki}]
        permissions: [Query, Edit]
        teams: ["incident-*"]
        maxDuration: 12h
        """)
    static let onCallOnly = Fixtures.policy(
        "on-call-only",
        """
        subjects: {users: ["*@example.com"]}
        dataSources: [{name: "prod-*"}]
        permissions: [Edit]
        maxDuration: 4h
        requireOnCall: {schedules: [primary-sre, secondary-sre]}
        """)
    static let orgEditors = Fixtures.policy(
        "org-editors",
        """
        subjects: {users: ["*@example.com"]}
        orgRoles: [Editor]
        maxDuration: 4h
        """)
    static let prodFolders = Fixtures.policy(
        "prod-folders",
        """
        subjects: {users: ["*@example.com"]}
        folders: [{title: "Prod*"}, {uid: payments}]
        folderPermissions: [View, Edit]
        maxDuration: 4h
        """)
    static var withFolders: AccessFacts {
        var facts = online
        facts.folders = [
            "Production": FolderFacts(uid: "prod", title: "Production"),
            "prod": FolderFacts(uid: "prod", title: "Production"),
            "payments": FolderFacts(uid: "payments", title: "Payments"),
            "staging": FolderFacts(uid: "staging", title: "Staging"),
        ]
        return facts
    }
    static let automation = Fixtures.policy(
        "automation",
        """
        subjects: {users: ["*@example.com"]}
        serviceAccounts: ["ci-*"]
        maxDuration: 1d
        """)
    static let incidentOnly = Fixtures.policy(
        "incident-only",
        """
        subjects: {users: ["*@example.com"]}
        dataSources: [{name: "prod-*"}]
        permissions: [Query]
        maxDuration: 4h
        requireIncident: true
        """)
    static let teamGrantee = Fixtures.policy(
        "team-grantee",
        """
        subjects: {teams: [sre]}
        dataSources: [{name: "staging-*"}]
        permissions: [Admin]
        maxDuration: 1d
        """)

    static let alice = UserFacts(id: 1, login: "alice", email: "alice@example.com", teams: ["sre"])
    static let bob = UserFacts(id: 2, login: "bob", email: "bob@example.com")
    static let online = AccessFacts(
        users: [
            "alice": alice, "alice@example.com": alice,
            "bob@example.com": bob, "bob": bob,
            "dave": UserFacts(id: 4, login: "dave", email: "dave@corp.io", teams: ["security"]),
            "eve@other.io": UserFacts(id: 5, login: "eve", email: "eve@other.io", teams: ["sre"]),
        ],
        dataSources: [
            "prod-logs": DataSourceFacts(uid: "P8E80F9AEF21F6940", name: "prod-logs", type: "elasticsearch"),
            "P8E80F9AEF21F6940": DataSourceFacts(uid: "P8E80F9AEF21F6940", name: "prod-logs", type: "elasticsearch"),
            "logs-b": DataSourceFacts(uid: "b", name: "logs-b", type: "loki"),
            "staging-db": DataSourceFacts(uid: "s", name: "staging-db", type: "postgres"),
        ],
        onCall: ["primary-sre": ["alice@example.com"]])
    static let withIncidents = {
        var facts = online
        facts.incidents = ["4711": true, "4712": false]
        facts.knowsIncidents = true
        return facts
    }()
    static let offCall = {
        var facts = online
        facts.onCall = [:]
        return facts
    }()

    static let cases: [Case] = [
        Case(
            name: "approved Query on a prod data source", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 4h\napprovedBy: [bob@example.com]"), expected: "allowed by prod"),
        Case(
            name: "deny by default: no policy covers the data source", policies: [prod],
            grant: Fixtures.grant(access: "[{dataSource: secret-db, permission: Query}]"), facts: online,
            expected: "denied: Query on data source secret-db: no policy allows it"),
        Case(
            name: "offline, a reference that may be a selected uid is undecided", policies: [prod],
            grant: Fixtures.grant(access: "[{dataSource: secret-db, permission: Query}]"),
            expected: "undecided: whether its uid is P8E80F9AEF21F6940"),
        Case(
            name: "no policies at all denies", policies: [], grant: Fixtures.grant(),
            expected: "denied: no policy allows it"),
        Case(
            name: "a level above the policy's cap is denied", policies: [prod],
            grant: Fixtures.grant(
                access: "[{dataSource: prod-logs, permission: Edit}]",
                extra: "duration: 1h\napprovedBy: [bob@example.com]"),
            expected: "denied: policy prod allows at most Query"),
        Case(
            name: "a lower level than the cap is allowed", policies: [open],
            grant: Fixtures.grant(access: "[{dataSource: staging-db, permission: Query}]"), expected: "allowed by open"),
        Case(
            name: "a subject outside the user globs is denied", policies: [prod],
            grant: Fixtures.grant(
                subject: "{user: mallory@evil.io}", extra: "duration: 1h\napprovedBy: [bob@example.com]"),
            expected: "denied: user mallory@evil.io is not a subject of policy prod"),
        Case(
            name: "a longer window than maxDuration is denied", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 9h\napprovedBy: [bob@example.com]"),
            expected: "denied: the window of 9h exceeds maxDuration 8h of policy prod"),
        Case(
            name: "expiresAt beyond maxDuration from startsAt is denied", policies: [prod],
            grant: Fixtures.grant(
                extra: "startsAt: 2026-11-21T18:00:00Z\nexpiresAt: 2026-11-22T18:00:00Z\napprovedBy: [bob@example.com]"),
            expected: "denied: the window of 1d exceeds maxDuration 8h"),
        Case(
            name: "missing approval is denied", policies: [prod], grant: Fixtures.grant(), facts: offCall,
            expected: "denied: 0 of 1 approvals required by policy prod"),
        Case(
            name: "self-approval never counts", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [Alice@Example.com]"), facts: offCall,
            expected: "denied: Alice@Example.com cannot approve their own grant"),
        Case(
            name: "self-approval under another identity is caught with Grafana's facts", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [alice]"), facts: offCall,
            expected: "denied: alice cannot approve their own grant"),
        Case(
            name: "self-approval under another identity is undecided offline", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [alice]"),
            expected: "undecided: whether alice may approve"),
        Case(
            name: "an approver not named by the policy does not count", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [mallory@example.com]"), facts: offCall,
            expected: "denied: 0 of 1 approvals"),
        Case(
            name: "an approver in an approver team counts with Grafana's facts", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [dave]"), facts: offCall,
            expected: "allowed by prod"),
        Case(
            name: "approval is waived while the subject is on call", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h"), facts: online, expected: "allowed by prod"),
        Case(
            name: "offline, a self-approval under an undecided waiver still says it does not count", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [Alice@Example.com]"),
            expected:
                "undecided: whether the subject is on call; Alice@Example.com cannot approve their own grant, so that "
                + "approval does not count"),
        Case(
            name: "the on-call waiver is undecided offline", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h"),
            expected: "undecided: whether the subject is on call"),
        Case(
            name: "minApprovals counts distinct approvers",
            policies: [prod.replacingOccurrences(of: "security]}}", with: "security]}, minApprovals: 2}")],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [bob@example.com, BOB@example.com]"),
            facts: offCall,
            expected: "denied: 1 of 2 approvals"),
        Case(
            name: "one approver written two ways counts once with Grafana's facts",
            policies: [prod.replacingOccurrences(of: "security]}}", with: "security]}, minApprovals: 2}")],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [bob@example.com, bob]"), facts: offCall,
            expected: "denied: 1 of 2 approvals"),
        Case(
            name: "a name that is no Grafana user approves nothing", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [carol@example.com]"), facts: offCall,
            expected: "denied: 0 of 1 approvals"),
        Case(
            name: "an org role up to the policy's cap is allowed", policies: [orgEditors],
            grant: Fixtures.grant(access: "[{orgRole: Editor}]"), expected: "allowed by org-editors"),
        Case(
            name: "an org role above the cap is denied", policies: [orgEditors],
            grant: Fixtures.grant(access: "[{orgRole: Admin}]"),
            expected: "denied: Admin role in the organization: policy org-editors allows at most Editor"),
        Case(
            name: "org roles need a policy that names them", policies: [open],
            grant: Fixtures.grant(access: "[{orgRole: Viewer}]"),
            expected: "denied: Viewer role in the organization: no policy allows it"),
        Case(
            name: "a folder selected by title is allowed up to the cap", policies: [prodFolders],
            grant: Fixtures.grant(access: "[{folder: Production, permission: Edit}]"),
            expected: "allowed by prod-folders"),
        Case(
            name: "a folder above the cap is denied", policies: [prodFolders],
            grant: Fixtures.grant(access: "[{folder: Production, permission: Admin}]"),
            expected: "denied: Admin on folder Production: policy prod-folders allows at most Edit"),
        Case(
            name: "offline, a uid selector the reference does not equal is decided at run time",
            policies: [prodFolders], grant: Fixtures.grant(access: "[{folder: Payments, permission: View}]"),
            expected: "undecided: View on folder Payments: whether its uid is payments"),
        Case(
            name: "with Grafana's facts, a folder named by uid matches a title selector", policies: [prodFolders],
            grant: Fixtures.grant(access: "[{folder: prod, permission: View}]"), facts: withFolders,
            expected: "allowed by prod-folders"),
        Case(
            name: "a folder no selector names is denied", policies: [prodFolders],
            grant: Fixtures.grant(access: "[{folder: staging, permission: View}]"), facts: withFolders,
            expected: "denied: View on folder staging: no policy allows it"),
        Case(
            name: "folders need a policy that names them", policies: [open],
            grant: Fixtures.grant(access: "[{folder: Production, permission: View}]"),
            expected: "denied: View on folder Production: no policy allows it"),
        Case(
            name: "a token of a selected service account, Viewer by default, is allowed", policies: [automation],
            grant: Fixtures.grant(access: "[{serviceAccountToken: {serviceAccount: ci-dashboards}}]"),
            expected: "allowed by automation"),
        Case(
            name: "a token above the policy's role cap is denied", policies: [automation],
            grant: Fixtures.grant(access: "[{serviceAccountToken: {serviceAccount: ci-dashboards, role: Editor}}]"),
            expected:
                "denied: a token of service account ci-dashboards (at most Editor): policy automation allows at most Viewer"
        ),
        Case(
            name: "a service account no glob names is denied", policies: [automation],
            grant: Fixtures.grant(access: "[{serviceAccountToken: {serviceAccount: grafana-jit}}]"),
            expected: "denied: a token of service account grafana-jit (at most Viewer): no policy allows it"),
        Case(
            name: "requireIncident denies a grant without an incident", policies: [incidentOnly],
            grant: Fixtures.grant(extra: "duration: 1h"), facts: online,
            expected: "denied: policy incident-only requires an incident"),
        Case(
            name: "a grant bound to an active incident is allowed", policies: [incidentOnly],
            grant: Fixtures.grant(extra: "duration: 1h\nincident: \"4711\""), facts: withIncidents,
            expected: "allowed by incident-only"),
        Case(
            name: "a grant bound to a resolved incident is denied", policies: [incidentOnly],
            grant: Fixtures.grant(extra: "duration: 1h\nincident: \"4712\""), facts: withIncidents,
            expected: "denied: incident 4712 is not active"),
        Case(
            name: "an incident is undecided offline", policies: [incidentOnly],
            grant: Fixtures.grant(extra: "duration: 1h\nincident: \"4711\""),
            expected: "undecided: whether incident 4711 is active"),
        Case(
            name: "requireOnCall allows while the subject is on call", policies: [onCallOnly],
            grant: Fixtures.grant(extra: "duration: 1h"), facts: online, expected: "allowed by on-call-only"),
        Case(
            name: "requireOnCall denies when the subject is off call", policies: [onCallOnly],
            grant: Fixtures.grant(extra: "duration: 1h"), facts: offCall,
            expected: "denied: is not on call in primary-sre, secondary-sre"),
        Case(
            name: "requireOnCall is undecided without OnCall", policies: [onCallOnly],
            grant: Fixtures.grant(extra: "duration: 1h"),
            expected: "undecided: whether user alice@example.com is on call"),
        Case(
            name: "team membership makes a subject eligible", policies: [open],
            grant: Fixtures.grant(
                subject: "{user: eve@other.io}", access: "[{dataSource: staging-db, permission: Edit}]"),
            facts: online, expected: "allowed by open"),
        Case(
            name: "team membership is undecided offline", policies: [open],
            grant: Fixtures.grant(
                subject: "{user: eve@other.io}", access: "[{dataSource: staging-db, permission: Edit}]"),
            expected: "undecided: whether user eve@other.io is in team sre"),
        Case(
            name: "a type selector is undecided offline", policies: [open],
            grant: Fixtures.grant(access: "[{dataSource: logs-b, permission: Query}]"),
            expected: "undecided: whether its type is loki"),
        Case(
            name: "a type selector matches with Grafana's facts", policies: [open],
            grant: Fixtures.grant(access: "[{dataSource: logs-b, permission: Query}]"), facts: online,
            expected: "allowed by open"),
        Case(
            name: "a uid selector matches a reference by name with Grafana's facts", policies: [prod],
            grant: Fixtures.grant(extra: "duration: 1h\napprovedBy: [bob@example.com]"), facts: online,
            expected: "allowed by prod"),
        Case(
            name: "joining an allowed team", policies: [open],
            grant: Fixtures.grant(access: "[{team: incident-responders}]"), expected: "allowed by open"),
        Case(
            name: "joining as Admin needs teamRoles Admin", policies: [open],
            grant: Fixtures.grant(access: "[{team: incident-responders, role: Admin}]"),
            expected: "denied: Admin of team incident-responders: policy open allows at most Member"),
        Case(
            name: "a team grantee named in subjects.teams", policies: [teamGrantee],
            grant: Fixtures.grant(subject: "{team: sre}", access: "[{dataSource: staging-db, permission: Admin}]"),
            expected: "allowed by team-grantee"),
        Case(
            name: "a team grantee not named is denied", policies: [teamGrantee],
            grant: Fixtures.grant(subject: "{team: dba}", access: "[{dataSource: staging-db, permission: Admin}]"),
            expected: "denied: team dba is not a subject of policy team-grantee"),
        Case(
            name: "every item needs a policy: one uncovered item denies the grant", policies: [open],
            grant: Fixtures.grant(access: "[{dataSource: staging-db, permission: Query}, {team: dba}]"),
            expected: "denied: Member of team dba: no policy allows it"),
        Case(
            name: "items may be allowed by different policies", policies: [open, teamGrantee],
            grant: Fixtures.grant(access: "[{dataSource: staging-db, permission: Query}, {team: incident-x}]"),
            expected: "allowed by open"),
        Case(
            name: "bundle items are evaluated too", policies: [open],
            grant: Fixtures.grant(extra: "duration: 1h\nbundle: kit") + Fixtures.bundle("kit", access: "[{team: dba}]"),
            expected: "denied: Member of team dba: no policy allows it"),
        Case(
            name: "spec.policy restricts evaluation to that policy", policies: [open, teamGrantee],
            grant: Fixtures.grant(
                subject: "{user: bob@example.com}", access: "[{dataSource: staging-db, permission: Query}]",
                extra: "duration: 1h\npolicy: team-grantee"),
            facts: online, expected: "denied: user bob@example.com is not a subject of policy team-grantee"),
        Case(
            name: "spec.policy naming the right policy is allowed", policies: [open, teamGrantee],
            grant: Fixtures.grant(
                access: "[{dataSource: staging-db, permission: Query}]", extra: "duration: 1h\npolicy: open"),
            expected: "allowed by open"),
    ]

    @Test(arguments: cases)
    func verdicts(_ row: Case) throws {
        let catalog = Fixtures.catalog([("g.yaml", row.grant + row.policies.joined())])
        #expect(catalog.errors.isEmpty, "\(catalog.errors)")
        let grant = try #require(catalog.grants.first)
        let verdict = PolicyEvaluator(catalog: catalog, facts: row.facts).evaluate(grant, now: Self.now).verdict
        let (outcome, detail) = row.expected.split(separator: ":", maxSplits: 1).map(String.init).pair
        switch verdict {
        case .allowed(let allowances):
            #expect(outcome == "allowed by \(allowances.first?.policy ?? "")", "\(verdict)")
        case .denied(let denials):
            #expect(outcome == "denied", "\(verdict)")
            #expect(denials.contains { $0.message.contains(detail.trimmed) }, "\(denials)")
        case .undecided(let notes):
            #expect(outcome == "undecided", "\(verdict)")
            #expect(notes.contains { $0.message.contains(detail.trimmed) }, "\(notes)")
        }
    }

    @Test func aGrantWithoutStartsAtStartsWhenFirstSeen() throws {
        let catalog = Fixtures.catalog([("g.yaml", Fixtures.grant(extra: "duration: 4h"))])
        let grant = try #require(catalog.grants.first)
        let firstSeen = Self.now.addingTimeInterval(-3_600)
        let evaluation = PolicyEvaluator(catalog: catalog, facts: .offline).evaluate(
            grant, now: Self.now, firstSeen: firstSeen)
        #expect(evaluation.window == GrantWindow(start: firstSeen, end: firstSeen.addingTimeInterval(14_400)))
        #expect(evaluation.window.phase(at: Self.now) == .active)
        #expect(evaluation.window.phase(at: firstSeen.addingTimeInterval(14_400)) == .expired)
    }

    @Test func aScheduledGrantIsPendingUntilItStarts() throws {
        let catalog = Fixtures.catalog([
            ("g.yaml", Fixtures.grant(extra: "startsAt: 2026-11-22T08:00:00Z\nduration: 2h"))
        ])
        let grant = try #require(catalog.grants.first)
        let window = PolicyEvaluator(catalog: catalog, facts: .offline).evaluate(grant, now: Self.now).window
        #expect(window.phase(at: Self.now) == .pending)
        #expect(window.end.rfc3339 == "2026-11-22T10:00:00Z")
    }

    @Test func everyReasonIsGiven() throws {
        let catalog = Fixtures.catalog([
            (
                "g.yaml",
                Fixtures.grant(
                    subject: "{user: mallory@evil.io}", access: "[{dataSource: prod-logs, permission: Admin}]",
                    extra: "duration: 1d\napprovedBy: [mallory@evil.io]") + Self.prod
            )
        ])
        let grant = try #require(catalog.grants.first)
        guard
            case .denied(let denials) = PolicyEvaluator(catalog: catalog, facts: Self.online).evaluate(
                grant, now: Self.now
            ).verdict
        else {
            Issue.record("expected a denial")
            return
        }
        #expect(denials.count == 4)
        #expect(denials.map(\.location.line) == [6, 5, 8, 9])
        #expect(
            Set(denials.compactMap(\.cause)) == [
                .levelAbove(.dataSource("prod-logs", .admin), ceiling: "Query"), .subject(.user("mallory@evil.io")),
                .duration(window: .seconds(86_400), maxDuration: .seconds(28_800)), .approval(approved: 0, required: 1),
            ])
    }
}

extension [String] {
    fileprivate var pair: (String, String) { (self[0], count > 1 ? self[1] : "") }
}

extension String {
    fileprivate var trimmed: String { trimmingCharacters(in: .whitespaces) }
}
