import AccessModel
import Foundation
import TestSupport
import Testing

@testable import Controller

struct ResourceSourcesTests {
    /// One document of each kind, one line each.
    static let (policy, grant) = (
        "{apiVersion: grafana-jit.io/v1alpha1, kind: AccessPolicy, metadata: {name: wide}, spec: {subjects: "
            + "{users: ['*']}, dataSources: [{name: '*'}], permissions: [Admin], maxDuration: 8h}}",
        "{apiVersion: grafana-jit.io/v1alpha1, kind: AccessGrant, metadata: {name: mine}, spec: {subject: "
            + "{user: m@example.com}, access: [{dataSource: prod, permission: Admin}], duration: 1h, reason: r}}"
    )
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("repo/grants/g.yaml", Self.grant)
        try directory.write("repo/policies/p.yaml", Self.policy)
        try directory.write("repo/docs/p.yaml", Self.policy)
    }

    private func kinds(_ sources: ResourceSources) -> [String: [ResourceKind]] {
        let files = ResourceLoader(fileSystem: LocalFileSystem()).decode(sources)
        var kinds: [String: [ResourceKind]] = [:]
        for file in files where !file.path.isEmpty {
            kinds[String(file.path.dropFirst(directory.path.count + 1))] = file.resources.map(\.kind)
        }
        return kinds
    }

    @Test func theMoreSpecificPathDecides() {
        let root = directory.path + "/repo"
        #expect(
            kinds(ResourceSources(grants: [root], policies: [root + "/policies"])) == [
                "repo/grants/g.yaml": [.grant], "repo/policies/p.yaml": [.policy], "repo/docs/p.yaml": [],
            ])
    }

    @Test func aFolderOutsideEveryPathIsNotRead() {
        let root = directory.path + "/repo"
        #expect(
            kinds(ResourceSources(grants: [root + "/grants"], policies: [root + "/policies"])) == [
                "repo/grants/g.yaml": [.grant], "repo/policies/p.yaml": [.policy],
            ])
    }

    /// A link among the grants to a policy file is placed by where the file really is, so it can neither smuggle a
    /// policy in nor, being read first, knock the real one out.
    @Test func aLinkIsPlacedByItsTarget() throws {
        let root = directory.path + "/repo"
        try directory.link("repo/grants/a-link.yaml", to: root + "/policies/p.yaml")
        let files = ResourceLoader(fileSystem: LocalFileSystem())
            .decode(ResourceSources(grants: [root], policies: [root + "/policies"]))
        let catalog = ResourceCatalog(files: files)
        #expect(catalog.policyNames == ["wide"])
        // Only the copy under docs/, which lies among the grants, is refused.
        #expect(catalog.errors.map(\.location.file) == [root + "/docs/p.yaml"], "\(catalog.errors)")
    }
}
