import Testing

@testable import AccessModel

/// Grants and policies find their Grafana instance and org by `spec.grafana` and `spec.org`.
struct TargetTests {
    static let orgs = ["main": [1, 2], "eu": [Int]()]

    static func catalog() throws -> ResourceCatalog {
        let text =
            Fixtures.grant("to-main")
            + Fixtures.grant("to-main-org-2", extra: "duration: 1h\norg: 2")
            + Fixtures.grant("to-eu", extra: "duration: 1h\ngrafana: eu")
            + Fixtures.grant("to-nowhere", extra: "duration: 1h\ngrafana: us")
            + Fixtures.grant("to-missing-org", extra: "duration: 1h\norg: 9")
            + Fixtures.policy("everywhere", "subjects: {users: [\"*\"]}\nteams: [\"*\"]\nmaxDuration: 1d")
            + Fixtures.policy("eu-only", "subjects: {users: [\"*\"]}\nteams: [\"*\"]\nmaxDuration: 1d\ngrafana: eu")
        let file = ResourceDecoder().decode(Array(text.utf8), path: "t.yaml")
        #expect(file.errors.isEmpty, "\(file.errors)")
        return ResourceCatalog(files: [file])
    }

    @Test func eachTargetSeesItsOwnGrantsAndTheDefaultReportsUnknownPlaces() throws {
        let catalog = try Self.catalog()
        let main = catalog.scoped(to: Target(grafana: "main", org: 1, defaultGrafana: "main", orgs: Self.orgs))
        #expect(main.grants.map(\.name) == ["to-main"])
        #expect(main.policyNames == ["everywhere"])
        #expect(
            main.rejectedGrants.mapValues(\.message) == [
                "to-nowhere": "spec.grafana: no Grafana instance named us is configured (known: eu, main)",
                "to-missing-org": "spec.org: org 9 is not configured for Grafana main (configured: 1, 2)",
            ])
        let second = catalog.scoped(to: Target(grafana: "main", org: 2, defaultGrafana: "main", orgs: Self.orgs))
        #expect(second.grants.map(\.name) == ["to-main-org-2"] && second.rejectedGrants.isEmpty)
        let eu = catalog.scoped(to: Target(grafana: "eu", org: nil, defaultGrafana: "main", orgs: Self.orgs))
        #expect(eu.grants.map(\.name) == ["to-eu"] && eu.policyNames == ["eu-only", "everywhere"])
    }

    @Test func oneGrafanaWithoutAnOrgRefusesGrantsThatNameOne() throws {
        let single = try Self.catalog().scoped(to: .single(org: nil))
        #expect(single.grants.map(\.name) == ["to-main"])
        #expect(
            single.rejectedGrants["to-main-org-2"]?.message
                == "spec.org: org 2 is not configured for Grafana default (configured: none; set --org-id or orgs in --config)"
        )
    }
}
