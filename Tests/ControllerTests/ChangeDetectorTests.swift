import Foundation
import TestSupport
import Testing

@testable import Controller

struct ChangeDetectorTests {
    let directory: TemporaryDirectory

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("repo/grants/a.yaml", "")
    }

    /// Polls for changes with a deadline (long: a loaded machine stalls tests for seconds; it only waits that long
    /// when the change never comes): inotify events arrive on a dispatch queue. Collects what arrives within
    /// `settle` of the first.
    private func eventually(_ detector: any ChangeDetector, settle: Duration = .milliseconds(100)) async throws
        -> FileChanges?
    {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let changes = detector.takeChanges() {
                try await Task.sleep(for: settle)
                return changes.merging(detector.takeChanges())
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    @Test func inotifySeesWritesInNewSubfoldersAndLinkSwaps() async throws {
        let detector = try #require(InotifyDetector(paths: [directory.path + "/repo"], fileSystem: LocalFileSystem()))
        #expect(detector.takeChanges() == nil)
        try directory.write("repo/grants/new/b.yaml", "x")
        #expect(try await eventually(detector) == .everything, "a new folder needs a walk")
        // The new folder is watched now: a write inside it is seen on its own, by its path.
        try directory.write("repo/grants/new/c.yaml", "y")
        #expect(try await eventually(detector) == .paths([directory.path + "/repo/grants/new/c.yaml"]))
    }

    @Test func inotifyNamesTheFilesWrittenMovedAndDeleted() async throws {
        let detector = try #require(InotifyDetector(paths: [directory.path + "/repo/"], fileSystem: LocalFileSystem()))
        let grants = directory.path + "/repo/grants"
        try directory.write("repo/grants/a.yaml", "changed")
        try directory.write("repo/grants/.b.yaml.tmp", "z")
        try FileManager.default.moveItem(atPath: grants + "/.b.yaml.tmp", toPath: grants + "/b.yaml")
        try FileManager.default.removeItem(atPath: grants + "/a.yaml")
        let changes = try await eventually(detector)
        #expect(changes == .paths([grants + "/a.yaml", grants + "/.b.yaml.tmp", grants + "/b.yaml"]))
    }

    @Test func aRootSwappedByGitSyncNeedsTheWholeTree() async throws {
        try directory.write("rev-1/grants/a.yaml", "")
        try directory.write("rev-2/grants/a.yaml", "")
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/live", withDestinationPath: "rev-1")
        let detector = try #require(InotifyDetector(paths: [directory.path + "/live"], fileSystem: LocalFileSystem()))
        // Unrelated files beside the root are not a change.
        try directory.write("notes.txt", "x")
        try await Task.sleep(for: .milliseconds(100))
        #expect(detector.takeChanges() == nil)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/next", withDestinationPath: "rev-2")
        #expect(rename(directory.path + "/next", directory.path + "/live") == 0)
        #expect(try await eventually(detector) == .everything)
    }

    @Test func pollingSeesChangesToo() throws {
        let detector = PollingDetector(paths: [directory.path + "/repo"], fileSystem: LocalFileSystem())
        #expect(detector.takeChanges() == nil)
        try directory.write("repo/grants/a.yaml", "changed")
        #expect(detector.takeChanges() == .everything)
        #expect(detector.takeChanges() == nil)
    }
}
