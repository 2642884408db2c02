import AccessModel
import Foundation
import TestSupport
import Testing

@testable import Controller

/// A pass started by a file event reads only files whose stamp (inode, size, modification time) changed, and only
/// once they have settled; a start reads every file, and a resync does at least every 10 minutes. Shown by an edit
/// that keeps the stamp: same inode, same size, modification time put back.
struct StampedReadTests {
    let directory: TemporaryDirectory
    let fileSystem = LocalFileSystem()

    init() throws {
        directory = try TemporaryDirectory()
        try write(reason: "aaaa")
    }

    func write(reason: String, duration: String = "1h") throws {
        let text = """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: alice-logs}
            spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: \(duration), reason: \(reason)}
            """
        let path = directory.path + "/repo/alice.yaml"
        if FileManager.default.fileExists(atPath: path) {
            // In place (same inode), as an editor saving over the file would.
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        } else {
            try directory.write("repo/alice.yaml", text)
        }
    }

    func setModified(_ date: Date) throws {
        try FileManager.default.setAttributes(
            [.modificationDate: date], ofItemAtPath: directory.path + "/repo/alice.yaml")
    }

    func reason(trustingStamps: Bool, _ read: inout LastValidFiles) throws -> String? {
        let sources = ResourceSources(grants: [directory.path + "/repo"], policies: [])
        let decoded = try read.decode(
            sources, with: ResourceLoader(fileSystem: fileSystem), saving: false, trustingStamps: trustingStamps)
        return ResourceCatalog(files: decoded.files).grants.first?.reason
    }

    @Test func anUnchangedStampIsNotReadAgainByAnEventButIsByAResync() throws {
        let old = Date().addingTimeInterval(-60)
        try setModified(old)
        var files = LastValidFiles(stateDirectory: directory.path + "/state", fileSystem: fileSystem)
        #expect(try reason(trustingStamps: false, &files) == "aaaa")
        try write(reason: "bbbb")
        try setModified(old)
        #expect(try reason(trustingStamps: true, &files) == "aaaa", "same stamp: not read")
        #expect(try reason(trustingStamps: false, &files) == "bbbb", "a resync reads every file")
    }

    /// The resync trusts an unchanged stamp too, but reads every file whole at least every 10 minutes: an edit
    /// that kept its stamp (here the grant's duration, 1h to 2h) is in force by then.
    @Test func aResyncReadsEveryFileAtLeastEveryTenMinutes() async throws {
        let old = Date().addingTimeInterval(-60)
        try setModified(old)
        try directory.write("repo/policies/prod.yaml", ZeroStandingTests.resources.components(separatedBy: "---")[0])
        let simulator = try SimulatorHarness()
        let clock = ShiftedClock()
        let reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock)
        try await reconciler.start()
        let start = try #require(await reconciler.pass(trigger: .startup).nextDeadline)
        try write(reason: "aaaa", duration: "2h")
        try setModified(old)
        clock.jump(by: 15)
        #expect(await reconciler.pass(trigger: .resync(slices: 1)).nextDeadline == start, "same stamp: trusted")
        clock.jump(by: 600)
        let later = await reconciler.pass(trigger: .resync(slices: 1)).nextDeadline
        #expect(later == start.addingTimeInterval(3600), "read whole: the 2h in force")
    }

    @Test func aFileModifiedJustNowIsReadEvenWithAnUnchangedStamp() throws {
        let recent = Date()
        try setModified(recent)
        var files = LastValidFiles(stateDirectory: directory.path + "/state", fileSystem: fileSystem)
        #expect(try reason(trustingStamps: true, &files) == "aaaa")
        try write(reason: "bbbb")
        try setModified(recent)
        #expect(try reason(trustingStamps: true, &files) == "bbbb", "not settled: read again")
    }

    @Test func aChangedStampIsReadByAnEvent() throws {
        try setModified(Date().addingTimeInterval(-60))
        var files = LastValidFiles(stateDirectory: directory.path + "/state", fileSystem: fileSystem)
        #expect(try reason(trustingStamps: true, &files) == "aaaa")
        try write(reason: "bbbb")
        try setModified(Date().addingTimeInterval(-30))
        #expect(try reason(trustingStamps: true, &files) == "bbbb")
    }
}
