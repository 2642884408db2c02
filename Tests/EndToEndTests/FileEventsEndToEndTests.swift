import Foundation
import TestSupport
import Testing

/// The daemon reads only the files inotify names: each way a grant file can change (edited in place, created in a
/// new folder, renamed into place, deleted, and a new folder of files at once) is applied by the event's own pass,
/// long before the resync.
struct FileEventsEndToEndTests {
    static func text(_ name: String, user: String, access: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: \(name)}
        spec:
          subject: {user: \(user)}
          access: \(access)
          duration: 1h
          reason: file events
        """
    }

    @Test func everyKindOfFileChangeIsAppliedWithoutTheResync() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("logs", access: "[{dataSource: prod-logs, permission: Query}]")
        let daemon = try await ControllerProcess.start(work, extra: ["--resync", "10m"])
        func eventually(_ expected: String, present: Bool = true) async throws -> Bool {
            try await work.eventually(within: 30) { try await work.access().contains(expected) == present }
        }
        #expect(try await eventually("alice@loki-prod=Query"))

        // Edited in place: the same file (same inode), other access.
        let path = work.grants + "/grants/logs.yaml"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: 0)
        try handle.write(
            contentsOf: Data(
                Self.text("logs", user: "alice@example.com", access: "[{dataSource: prod-metrics, permission: Query}]")
                    .utf8))
        try handle.close()
        #expect(try await eventually("alice@prom-prod=Query"))
        #expect(try await eventually("alice@loki-prod=Query", present: false))

        // Created in a folder that did not exist.
        try work.directory.write(
            "repo/grants/team-a/dave.yaml",
            Self.text("dave", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Query}]"))
        #expect(try await eventually("dave@loki-prod=Query"))
        // And then a second file in that folder, now watched on its own.
        try work.directory.write(
            "repo/grants/team-a/dave-2.yaml",
            Self.text("dave-2", user: "dave@example.com", access: "[{team: db-oncall}]"))
        #expect(try await eventually("dave@db-oncall=Member"))

        // Renamed into place, as git and editors write.
        let hidden = try work.directory.write(
            "repo/grants/.erin.yaml.tmp",
            Self.text("erin", user: "erin@example.com", access: "[{dataSource: prod-logs, permission: Query}]"))
        #expect(rename(hidden, work.grants + "/grants/erin.yaml") == 0)
        #expect(try await eventually("erin@loki-prod=Query"))

        // Deleted.
        try work.remove("logs")
        #expect(try await eventually("alice@prom-prod=Query", present: false))

        #expect(!daemon.log.contains("trigger=resync"), "all of it by events: \(daemon.log)")
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }
}
