import AccessModel
import Foundation
import Testing

@testable import AccessRequests

struct GrantDocumentTests {
    func decoded(_ text: String) throws -> AccessGrant {
        let file = ResourceDecoder().decode(Array(text.utf8), path: "g.yaml")
        #expect(file.errors.isEmpty, "\(file.errors)\n\(text)")
        guard case .grant(let grant) = try #require(file.resources.first) else {
            Issue.record("not a grant")
            throw CancellationError()
        }
        return grant
    }

    @Test(arguments: [
        "INC-4711: 5xx spike on checkout", "*bold start", "# not a comment", "- not a list", "'single' and \"double\"",
        "back\\slash", "two\nlines", "tab\there", "bell\u{7}and C1\u{85}\u{90}", "yes", "null", "4711", "é 漢字 🙂",
        "  leading and trailing spaces  ", "{not: a map}", "[not, a, list]", "@at", "%percent", "&anchor", "!tag",
    ])
    func reasonsStayTheStringTheyWere(reason: String) throws {
        var request = AccessRequest(
            subject: .user("alice@example.com"), access: [.orgRole(.editor)], end: .after(.seconds(3600)),
            reason: reason)
        request.ticket = reason
        let grant = try decoded(GrantDocument.text(of: request, name: "g", policy: nil))
        #expect(grant.reason == reason)
        #expect(grant.ticket == reason)
    }

    @Test("every kind of item, bundle, times, approvers, incident and policy round-trip")
    func everyFieldRoundTrips() throws {
        let start = try #require(Date(rfc3339: "2026-11-21T14:00:00Z"))
        let end = try #require(Date(rfc3339: "2026-11-21T18:00:00Z"))
        let access: [AccessItem.Target] = [
            .dataSource("prod-logs", .edit), .folder("uid:payments", .view), .team("incident-responders", .admin),
            .orgRole(.editor), .serviceAccountToken("ci-dashboards", .viewer),
        ]
        var request = AccessRequest(
            subject: .user("alice@example.com"), access: access, bundle: "incident-kit", end: .at(end), reason: "r")
        request.startsAt = start
        request.approvers = ["bob@example.com", "carol"]
        request.incident = "4711"
        let grant = try decoded(GrantDocument.text(of: request, name: "alice-x", policy: "prod-datasources"))
        #expect(grant.name == "alice-x")
        #expect(grant.access.map(\.target) == access)
        #expect(grant.bundle == "incident-kit")
        #expect(grant.startsAt == start && grant.end == .at(end))
        #expect(grant.approvedBy == ["bob@example.com", "carol"])
        #expect(grant.incident == "4711" && grant.policy == "prod-datasources")
    }

    @Test("a team subject and a duration")
    func teamSubject() throws {
        let request = AccessRequest(
            subject: .team("sre"), access: [.dataSource("staging-logs", .query)], end: .after(.seconds(5400)),
            reason: "r")
        let grant = try decoded(GrantDocument.text(of: request, name: "team-sre", policy: nil))
        #expect(grant.subject == .team("sre") && grant.end == .after(.seconds(5400)) && grant.policy == nil)
    }
}
