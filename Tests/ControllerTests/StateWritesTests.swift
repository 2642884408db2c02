import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// State that costs what changes: a restart over an unchanged checkout rewrites no status and no last-valid copy,
/// and a status is stable across processes (its generation does not depend on the process).
struct StateWritesTests {
    let simulator: SimulatorHarness
    let directory: TemporaryDirectory

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
        try directory.write(
            "repo/bob.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: bob-logs}
            spec: {subject: {user: bob@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 2h, reason: r}
            """)
    }

    /// Each state file's inode: an atomic rewrite replaces it.
    func inodes(under folder: String) throws -> [String: Int] {
        let path = directory.path + "/state/" + folder
        var result: [String: Int] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: path) {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + "/" + name)
            result[name] = (attributes[.systemFileNumber] as? Int) ?? -1
        }
        return result
    }

    func runOnePass() async throws {
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: SystemClock())
        // Each pass stands for a process of its own; the lock of the one before is not the point here.
        try await reconciler.start(exclusive: false)
        let result = await reconciler.pass()
        #expect(result.error == nil)
    }

    /// The last-valid journal's inode and size: an append keeps the one and grows the other.
    func journal() throws -> (inode: Int, size: Int) {
        let path = directory.path + "/state/last-valid/" + LastValidJournal.fileName
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.systemFileNumber] as? Int) ?? -1, (attributes[.size] as? Int) ?? -1)
    }

    @Test func aRestartOverUnchangedFilesRewritesNoStatusAndNoLastValidCopy() async throws {
        try await runOnePass()
        let statuses = try inodes(under: "status")
        let copies = try journal()
        #expect(statuses.count == 2)
        #expect(try inodes(under: "last-valid").count == 1, "one journal holds every copy")
        try await runOnePass()
        #expect(try inodes(under: "status") == statuses)
        #expect(try journal() == copies)
    }

    @Test func aChangedFileRewritesOnlyItsOwnStatusAndCopy() async throws {
        try await runOnePass()
        let statuses = try inodes(under: "status")
        let copies = try journal()
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: bob-logs}
            spec: {subject: {user: bob@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
            """
        try directory.write("repo/bob.yaml", text)
        try await runOnePass()
        let statusesAfter = try inodes(under: "status")
        #expect(statusesAfter["alice-logs.json"] == statuses["alice-logs.json"])
        #expect(statusesAfter["bob-logs.json"] != statuses["bob-logs.json"])
        let after = try journal()
        #expect(after.inode == copies.inode, "appended, not rewritten")
        #expect(after.size > copies.size + text.utf8.count, "bob's copy is appended")
        #expect(after.size < copies.size + 2 * text.utf8.count, "and only bob's")
    }
}
