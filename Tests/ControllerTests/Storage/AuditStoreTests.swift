import Foundation
import TestSupport
import Testing

@testable import Controller

/// The file backend's audit trail is the format SIEMs and `review` read: its bytes must not move when the code
/// around it does.
struct AuditStoreTests {
    let folder: TemporaryDirectory
    let event: AuditEvent
    let expired = AuditEvent(
        time: Date(timeIntervalSince1970: 1_795_269_601), event: "grant.expired", grant: "alice-logs",
        outcome: "expired")

    init() throws {
        folder = try TemporaryDirectory()
        var event = AuditEvent(
            time: Date(timeIntervalSince1970: 1_795_269_600.12), event: "permission.granted", grant: "alice-logs",
            outcome: "success")
        event.file = "grants/alice.yaml"
        event.subject = "alice@example.com"
        event.resource = "dataSource loki-prod"
        event.permission = "Query"
        event.previous = "none"
        event.reason = "INC-4711: \"logs\" über 1h"
        event.approvers = ["bob", "carol"]
        event.commit = "0123abc"
        event.pullRequest = 42
        event.grafana = "prod"
        event.org = 2
        event.expiresAt = Date(timeIntervalSince1970: 1_795_273_200)
        event.breakGlass = true
        self.event = event
    }

    /// The lines 0.3 wrote for these events, byte for byte (keys sorted, slashes and non-ASCII as they are,
    /// milliseconds in UTC, absent fields left out, one newline each).
    static let lines = """
        {"approvers":["bob","carol"],"breakGlass":true,"commit":"0123abc","event":"permission.granted",\
        "expiresAt":"2026-11-21T15:00:00.000Z","file":"grants/alice.yaml","grafana":"prod","grant":"alice-logs",\
        "org":2,"outcome":"success","permission":"Query","previous":"none","pullRequest":42,\
        "reason":"INC-4711: \\"logs\\" über 1h","resource":"dataSource loki-prod","subject":"alice@example.com",\
        "time":"2026-11-21T14:00:00.120Z"}
        {"event":"grant.expired","grant":"alice-logs","outcome":"expired","time":"2026-11-21T14:00:01.000Z"}

        """

    @Test func theFileBackendAppendsTheSameLinesToAuditJSONLInTheStateFolder() async throws {
        let storage = FileStateStorage(directory: folder.path, fileSystem: LocalFileSystem())
        try await storage.appendAudit([event])
        try await storage.appendAudit([])
        try await storage.appendAudit([expired])
        let bytes = try #require(FileManager.default.contents(atPath: folder.path + "/audit.jsonl"))
        #expect(String(decoding: bytes, as: UTF8.self) == Self.lines)
    }

    @Test func aTrailConfiguredElsewhereGetsTheSameLinesAndTheStateFolderNone() async throws {
        let path = folder.path + "/elsewhere.jsonl"
        let storage = FileStateStorage(
            directory: folder.path + "/state", audit: .file(path), fileSystem: LocalFileSystem())
        try await storage.appendAudit([event, expired])
        let bytes = try #require(FileManager.default.contents(atPath: path))
        #expect(String(decoding: bytes, as: UTF8.self) == Self.lines)
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/state/audit.jsonl"))
    }

    @Test func anEmptyAppendCreatesNoFile() async throws {
        try await FileStateStorage(directory: folder.path, fileSystem: LocalFileSystem()).appendAudit([])
        #expect(!FileManager.default.fileExists(atPath: folder.path + "/audit.jsonl"))
    }
}
