import Testing

@testable import AccessModel

struct ResourcePlaceTests {
    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: wide}
        spec: {subjects: {users: ["*"]}, dataSources: [{name: "*"}], permissions: [Admin], maxDuration: 8h}
        """
    static let grant = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: mine}
        spec: {subject: {user: mallory@example.com}, access: [{dataSource: prod, permission: Admin}], duration: 1h, reason: r}
        """

    private func decode(_ text: String, maxGrantDuration: Duration? = nil) -> DecodedFile {
        ResourceDecoder(maxGrantDuration: maxGrantDuration).decode(Array(text.utf8), path: "f.yaml")
    }

    @Test func aPolicyBesideAGrantUnderGrantsIsAnErrorAndNeverLoaded() {
        let file = decode(Self.grant + "\n---\n" + Self.policy).placed(in: .grants)
        #expect(file.resources.map(\.kind) == [.grant])
        #expect(
            file.errors.map(\.description) == [
                "f.yaml:8:18: error: kind: AccessPolicy \"wide\" is under a --grants path and is not loaded: policies "
                    + "and bundles are read only from --policies paths"
            ])
        // Not a rejected name: it can neither shadow a real policy of that name nor count as one.
        #expect(file.rejected.isEmpty)
    }

    @Test func aGrantAmongThePoliciesIsRejected() {
        let file = decode(Self.policy + "\n---\n" + Self.grant).placed(in: .policies)
        #expect(file.resources.map(\.kind) == [.policy])
        #expect(file.errors.first?.message.hasSuffix("grants are read only from --grants paths") == true)
        #expect(file.rejected == [Rejected(kind: .grant, name: "mine")])
    }

    @Test(arguments: [ResourcePlace.grants, .policies, .anywhere])
    func aLintTakesAnyKindAndEachPlaceItsOwn(place: ResourcePlace) {
        let file = decode(Self.grant + "\n---\n" + Self.policy).placed(in: place)
        let expected: [ResourceKind] =
            switch place {
            case .grants: [.grant]
            case .policies: [.policy]
            case .anywhere: [.grant, .policy]
            }
        #expect(file.resources.map(\.kind) == expected)
    }

    @Test func aPolicyAboveTheCeilingIsAnErrorInThePolicy() {
        let file = decode(
            Self.policy.replacingOccurrences(of: "8h", with: "999999d"), maxGrantDuration: .seconds(86_400))
        #expect(file.resources.isEmpty)
        #expect(
            file.errors.map(\.description) == [
                "f.yaml:4:97: error: spec.maxDuration: 999999d is above the controller's ceiling of 1d "
                    + "(--max-grant-duration)"
            ])
        #expect(file.rejected == [Rejected(kind: .policy, name: "wide")])
    }

    @Test func theDefaultCeilingIsThirtyDays() {
        #expect(
            decode(
                Self.policy.replacingOccurrences(of: "8h", with: "30d"),
                maxGrantDuration: ResourceDecoder.defaultMaxGrantDuration
            ).errors.isEmpty)
        #expect(
            !ResourceDecoder().decode(Array(Self.policy.replacingOccurrences(of: "8h", with: "31d").utf8), path: "f")
                .errors.isEmpty)
    }

    @Test(arguments: [".", "..", "a/b", "uid:", "uid:..", "name:x/y"])
    func aReferenceIsOnePathSegment(reference: String) {
        let text = Self.grant.replacingOccurrences(of: "dataSource: prod", with: "dataSource: \"\(reference)\"")
        let errors = decode(text).errors
        #expect(errors.count == 1)
        #expect(errors.first?.location.line == 4)
        #expect(errors.first?.message.hasPrefix("spec.access[0].dataSource: names") == true, "\(errors)")
    }
}
