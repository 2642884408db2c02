import Testing

@testable import AccessModel

struct ResourceCatalogTests {
    @Test func duplicateNamesAreReportedWithBothLocationsAndNeitherIsUsed() {
        let catalog = Fixtures.catalog([("a.yaml", Fixtures.grant("same")), ("b.yaml", Fixtures.grant("same"))])
        #expect(catalog.grants.isEmpty)
        #expect(
            catalog.errors.map(\.description)
                == [
                    "b.yaml:3:18: error: metadata.name: AccessGrant \"same\" is defined twice; first definition at a.yaml:3:18"
                ])
    }

    @Test func sameNameInDifferentKindsIsFine() {
        let catalog = Fixtures.catalog([
            (
                "a.yaml",
                Fixtures.grant("x") + Fixtures.bundle("x", access: "[{team: sre}]")
                    + Fixtures.policy("x", "subjects: {users: ['*']}\nteams: [sre]\nmaxDuration: 1h")
            )
        ])
        #expect(catalog.errors.isEmpty)
        #expect(catalog.grants.count == 1 && catalog.bundles.count == 1 && catalog.policies.count == 1)
    }

    @Test func missingBundleAndPolicyReferencesAreErrors() {
        let catalog = Fixtures.catalog([
            (
                "a.yaml",
                Fixtures.grant(extra: "duration: 4h\nbundle: nope\npolicy: nada")
                    + Fixtures.policy("p", "subjects: {users: ['*']}\nteams: [sre]\nmaxDuration: 1h")
            )
        ])
        #expect(catalog.grants.isEmpty)
        #expect(
            catalog.errors.map(\.message)
                == [
                    "spec.bundle: AccessBundle \"nope\" does not exist",
                    "spec.policy: AccessPolicy \"nada\" does not exist",
                ])
        #expect(catalog.errors.map(\.location.line) == [9, 10])
    }

    @Test func referencesToBrokenOrDuplicatedResourcesSaySo() {
        let broken = Fixtures.policy("p", "subjects: {users: ['*']}\nteams: [sre]\nmaxDuration: 0h")
        let catalog = Fixtures.catalog([
            (
                "a.yaml",
                Fixtures.grant(extra: "duration: 4h\nbundle: kit\npolicy: p") + broken
                    + Fixtures.bundle("kit", access: "[{team: a}]") + Fixtures.bundle("kit", access: "[{team: b}]")
            )
        ])
        #expect(catalog.hasPolicies)
        #expect(
            catalog.errors.map(\.message).filter { $0.contains("invalid or defined more than once") } == [
                "spec.bundle: AccessBundle \"kit\" is invalid or defined more than once (see its errors)",
                "spec.policy: AccessPolicy \"p\" is invalid or defined more than once (see its errors)",
            ])
    }

    @Test func policyReferencesAreOnlyCheckedWhenPoliciesAreLoaded() {
        let catalog = Fixtures.catalog([("a.yaml", Fixtures.grant(extra: "duration: 4h\npolicy: elsewhere"))])
        #expect(catalog.errors.isEmpty)
        #expect(catalog.grants.count == 1)
    }

    @Test func aTeamSubjectCannotJoinATeamThroughItsBundle() {
        let catalog = Fixtures.catalog([
            (
                "a.yaml",
                Fixtures.grant(subject: "{team: sre}", extra: "duration: 4h\nbundle: kit")
                    + Fixtures.bundle("kit", access: "[{team: incident-responders}]")
            )
        ])
        #expect(catalog.grants.isEmpty)
        #expect(
            catalog.errors.map(\.message)
                == ["spec.bundle: the subject is a team, and a team cannot join team \"incident-responders\""])
    }

    @Test func bundlesExpandAfterTheGrantsOwnItems() throws {
        let catalog = Fixtures.catalog([
            (
                "a.yaml",
                Fixtures.grant(extra: "duration: 4h\nbundle: kit")
                    + Fixtures.bundle("kit", access: "[{team: sre, role: Admin}]")
            )
        ])
        let grant = try #require(catalog.grants.first)
        #expect(
            catalog.accessItems(of: grant).map(\.target) == [.dataSource("prod-logs", .query), .team("sre", .admin)])
    }

    @Test func grantsAreSortedByNameWhateverTheFileOrder() {
        let catalog = Fixtures.catalog([("z.yaml", Fixtures.grant("a")), ("a.yaml", Fixtures.grant("b"))])
        #expect(catalog.grants.map(\.name) == ["a", "b"])
    }
}
