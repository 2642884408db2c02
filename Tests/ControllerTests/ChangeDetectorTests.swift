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

    /// Polls for a flag with a deadline: inotify events arrive on a dispatch queue.
    private func eventually(_ detector: any ChangeDetector) async throws -> Bool {
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if detector.takeChange() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test func inotifySeesWritesInNewSubfoldersAndLinkSwaps() async throws {
        let detector = try #require(InotifyDetector(paths: [directory.path + "/repo"], fileSystem: LocalFileSystem()))
        #expect(!detector.takeChange())
        try directory.write("repo/grants/new/b.yaml", "x")
        #expect(try await eventually(detector))
        // The new folder is watched now: a write inside it is seen on its own.
        try await Task.sleep(for: .milliseconds(100))
        _ = detector.takeChange()
        try directory.write("repo/grants/new/c.yaml", "y")
        #expect(try await eventually(detector))
    }

    @Test func pollingSeesChangesToo() throws {
        let detector = PollingDetector(paths: [directory.path + "/repo"], fileSystem: LocalFileSystem())
        #expect(!detector.takeChange())
        try directory.write("repo/grants/a.yaml", "changed")
        #expect(detector.takeChange())
        #expect(!detector.takeChange())
    }
}
