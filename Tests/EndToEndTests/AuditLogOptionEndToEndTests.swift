import Foundation
import Testing

/// `--audit-log` moves the trail out of the state folder: to another file, or to standard output with `-`.
struct AuditLogOptionEndToEndTests {
    @Test func aFileElsewhereTakesTheTrailAndTheStateFolderHasNone() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        let trail = work.directory.path + "/trail/audit.jsonl"
        try FileManager.default.createDirectory(
            atPath: work.directory.path + "/trail", withIntermediateDirectories: true)
        let run = try await work.once(["--audit-log", trail])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: trail, encoding: .utf8).split(separator: "\n")
        #expect(
            lines.contains { $0.contains(#""event":"permission.granted""#) && $0.contains(#""grant":"alice-logs""#) })
        #expect(!FileManager.default.fileExists(atPath: work.state + "/audit.jsonl"))
        _ = await work.simulator.stop()
    }

    @Test func aDashWritesTheTrailToStandardOutput() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        let run = try await work.once(["--audit-log", "-"])
        #expect(run.status == 0, "\(run.stderr)")
        let granted = run.stdout.split(separator: "\n").filter { $0.contains(#""event":"permission.granted""#) }
        #expect(granted.count == 1 && granted.allSatisfy { $0.hasPrefix("{") && $0.hasSuffix("}") }, "\(run.stdout)")
        #expect(!FileManager.default.fileExists(atPath: work.state + "/audit.jsonl"))
        _ = await work.simulator.stop()
    }
}
