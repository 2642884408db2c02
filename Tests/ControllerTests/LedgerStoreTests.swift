import Foundation
import TestSupport
import Testing

@testable import Controller

struct LedgerStoreTests {
    let directory: TemporaryDirectory
    let store: LedgerStore

    init() throws {
        directory = try TemporaryDirectory()
        store = LedgerStore(directory: directory.path, fileSystem: LocalFileSystem())
    }

    @Test func aMissingLedgerIsEmpty() async throws {
        #expect(try await store.load() == Ledger())
    }

    @Test func theLedgerRoundTrips() async throws {
        var ledger = Ledger()
        ledger.record(
            LedgerChange(
                binding: Binding(.user(2), on: .dataSource("loki-prod")), levelSet: .edit, levelBefore: .query,
                grants: ["a", "b"], since: Date(timeIntervalSince1970: 1_795_284_000), subjectName: "alice",
                resourceName: "prod-logs"))
        var record = GrantRecord(firstSeen: Date(timeIntervalSince1970: 1_795_280_000))
        record.activatedAt = record.firstSeen
        record.end = Date(timeIntervalSince1970: 1_795_294_400)
        ledger.grants["a"] = record
        try await store.save(ledger)
        #expect(try await store.load() == ledger)
        let text = try String(contentsOfFile: directory.path + "/ledger.json", encoding: .utf8)
        #expect(text.contains("\"version\" : 1"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(leftovers == ["ledger.json"])
    }

    @Test(arguments: [
        ("{\"version\": 1, \"changes\": [{\"oops\": 1}], \"grants\": {}}", "is corrupt"),
        ("not json at all", "is corrupt (no version field"),
        ("{\"version\": 2, \"changes\": []}", "has format version 2, newer than this grafana-jit understands (1)"),
        ("", "is corrupt"),
    ])
    func anUntrustworthyLedgerIsRefusedNotReset(content: String, message: String) async throws {
        try directory.write("ledger.json", content)
        let error = await #expect(throws: LedgerError.self) { try await store.load() }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(try String(contentsOfFile: directory.path + "/ledger.json", encoding: .utf8) == content)
    }
}
