import AccessModel
import Foundation
import Testing

@testable import AccessRequests

struct GrantNamingTests {
    let day = Date(rfc3339: "2026-11-21T14:00:00Z") ?? .distantPast

    func request(_ subject: Subject, _ access: [AccessItem.Target], bundle: String? = nil, ticket: String? = nil)
        -> AccessRequest
    {
        var request = AccessRequest(
            subject: subject, access: access, bundle: bundle, end: .after(.seconds(3600)), reason: "r")
        request.ticket = ticket
        return request
    }

    @Test("subject, resource and ticket, as the examples are named")
    func namesBySubjectResourceAndTicket() {
        let named = GrantNaming.name(
            for: request(.user("alice@example.com"), [.dataSource("prod-logs", .query)], ticket: "INC-4711"),
            startingOn: day)
        #expect(named == "alice-prod-logs-inc-4711")
    }

    @Test("without a ticket, the start date; a team subject says so")
    func namesByDateWithoutTicket() {
        let named = GrantNaming.name(
            for: request(.team("SRE"), [.folder("uid:prod-dashboards", .edit)]), startingOn: day)
        #expect(named == "team-sre-prod-dashboards-2026-11-21")
    }

    @Test(arguments: [
        (AccessItem.Target.orgRole(.editor), "bob-org-editor-chg-1"),
        (.serviceAccountToken("ci-dashboards", .viewer), "bob-ci-dashboards-token-chg-1"),
        (.team("incident-responders", .member), "bob-incident-responders-chg-1"),
        (.dataSource("name:Prod Logs (EU)", .query), "bob-prod-logs-eu-chg-1"),
    ])
    func eachKindNamesItsResource(target: AccessItem.Target, expected: String) {
        #expect(GrantNaming.name(for: request(.user("bob"), [target], ticket: "CHG 1"), startingOn: day) == expected)
    }

    @Test("a bundle names the grant, and further items are counted")
    func bundleAndCount() {
        let named = GrantNaming.name(
            for: request(.user("erin@example.com"), [.orgRole(.viewer)], bundle: "incident-kit", ticket: "INC-4802"),
            startingOn: day)
        #expect(named == "erin-incident-kit-and-1-more-inc-4802")
    }

    @Test("a long resource is shortened so the name stays a valid name of at most 63 characters")
    func longNamesStayValid() {
        let long = String(repeating: "very-long-data-source-", count: 6)
        let named = GrantNaming.name(
            for: request(.user("alice@example.com"), [.dataSource(long, .query)], ticket: "INC-4711"), startingOn: day)
        #expect(named.count <= 63 && named.hasPrefix("alice-very-long") && named.hasSuffix("-inc-4711"))
        #expect(ResourceName.isValid(named))
    }

    @Test("a ticket without letters or digits falls back to the date")
    func punctuationTicket() {
        let named = GrantNaming.name(
            for: request(.user("alice"), [.orgRole(.editor)], ticket: "#!?"), startingOn: day)
        #expect(named == "alice-org-editor-2026-11-21")
    }
}
