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

    static func change(_ user: Int, _ uid: String, level: Level = .edit) -> LedgerChange {
        LedgerChange(
            binding: Binding(.user(user), on: .dataSource(uid)), levelSet: level, levelBefore: .query,
            grants: ["a", "b"], since: Date(timeIntervalSince1970: 1_795_284_000), subjectName: "user\(user)",
            resourceName: uid)
    }

    static var sample: Ledger {
        var ledger = Ledger()
        ledger.record(change(2, "loki-prod"))
        var record = GrantRecord(firstSeen: Date(timeIntervalSince1970: 1_795_280_000))
        record.activatedAt = record.firstSeen
        record.end = Date(timeIntervalSince1970: 1_795_294_400)
        record.contentKey = "user alice|Edit on data source prod-logs"
        ledger.grants["a"] = record
        ledger.tokens["t"] = TokenRecord(
            serviceAccountID: 3, serviceAccountName: "ci", tokenName: "grafana-jit-t", tokenID: nil,
            expiresAt: Date(timeIntervalSince1970: 1_795_294_400), subjectName: "ci")
        return ledger
    }

    func journalLines() throws -> [String] {
        try String(contentsOfFile: directory.path + "/ledger.journal", encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }

    @Test func aMissingLedgerIsEmptyAndWritesNothing() async throws {
        #expect(try await store.load() == Ledger())
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func theLedgerRoundTripsThroughTheJournal() async throws {
        try await store.save(Self.sample)
        let reopened = LedgerStore(directory: directory.path, fileSystem: LocalFileSystem())
        #expect(try await reopened.load() == Self.sample)
        let lines = try journalLines()
        #expect(lines.first == #"{"journal":"grafana-jit-ledger","version":2}"#)
        #expect(lines.count == 5, "a header, one record per entry, window and token, and the commit")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ledger.journal"])
    }

    @Test func aSaveAppendsOnlyWhatChanged() async throws {
        var ledger = Self.sample
        try await store.save(ledger)
        try await store.save(ledger)
        #expect(try journalLines().count == 5, "an unchanged ledger appends nothing")
        ledger.record(Self.change(5, "prom-prod"))
        ledger.forget(Binding(.user(2), on: .dataSource("loki-prod")))
        ledger.tokens["t"] = nil
        try await store.save(ledger)
        let lines = try journalLines()
        #expect(lines.count == 9)
        #expect(lines[5...].contains { $0.contains(#""forget""#) })
        #expect(lines[5...].contains { $0.hasPrefix(#"{"token":"t"}"#) })
        #expect(lines.last == #"{"commit":3}"#)
        let reopened = LedgerStore(directory: directory.path, fileSystem: LocalFileSystem())
        #expect(try await reopened.load() == ledger)
    }

    /// A crash can cut the journal at any byte of an append that had not returned. Replaying any prefix gives the
    /// ledger of the last save that finished before the cut: nothing a returned save recorded is lost, and nothing of
    /// the save cut short is half applied. (The first save writes the whole file by rename: it is never cut.)
    /// The diff skips a part whose revision both sides share, and only then: whatever changed is still written, and
    /// a ledger of unknown history (new, or decoded from 0.2's file) is always compared whole.
    @Test func theDiffSkipsOnlyPartsBothSidesShare() throws {
        let saved = Self.sample
        var next = saved
        #expect(LedgerJournal.records(from: saved, to: next).isEmpty)
        next.record(Self.change(3, "prom-prod"))
        #expect(
            LedgerJournal.records(from: saved, to: next).map(\.change?.binding) == [Self.change(3, "prom-prod").binding]
        )
        next.grants["a"]?.isExpired = true
        #expect(LedgerJournal.records(from: saved, to: next).count == 2, "the entry and the window")
        let decoded = try JSONDecoder().decode(Ledger.self, from: JSONEncoder().encode(saved))
        #expect(decoded == saved)
        #expect(LedgerJournal.records(from: Ledger(), to: decoded).count == 3, "one record per live item")
        #expect(LedgerJournal.records(from: decoded, to: saved).isEmpty, "compared whole: the same")
    }

    @Test func aJournalCutAtAnyByteReplaysToTheLastFinishedSave() async throws {
        var ledgers = [Ledger()]
        var ledger = Ledger()
        var sizes = [0]
        for step in 0..<5 {
            ledger.record(Self.change(10 + step, "ds\(step)"))
            if step == 3 { ledger.forget(Binding(.user(10), on: .dataSource("ds0"))) }
            ledger.grants["g\(step)"] = GrantRecord(firstSeen: Date(timeIntervalSince1970: 1_795_280_000))
            try await store.save(ledger)
            ledgers.append(ledger)
            sizes.append(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/ledger.journal")).count)
        }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/ledger.journal")))
        for cut in sizes[1]...bytes.count {
            let replay = try LedgerJournal.replay(Array(bytes[..<cut]), path: "j")
            let finished = sizes.lastIndex { $0 <= cut } ?? 0
            #expect(replay.ledger == ledgers[finished], "cut at \(cut)")
            #expect(replay.tornTail == !sizes.contains(cut))
        }
    }

    @Test func aTornTailIsDroppedAtStartAndTheJournalRewritten() async throws {
        try await store.save(Self.sample)
        let path = directory.path + "/ledger.journal"
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"change":{"bind"#.utf8) + Data(repeating: 0, count: 16))
        try handle.close()
        let torn = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try await store.load() == Self.sample)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == torn, "a reader changes nothing")
        #expect(try await store.load(maintaining: true) == Self.sample)
        #expect(try String(contentsOfFile: path, encoding: .utf8).hasSuffix("}\n"))
    }

    @Test func theJournalIsCompactedWhenItOutgrowsWhatIsLive() async throws {
        var ledger = Ledger()
        for round in 0..<(LedgerStore.compactionSlack / 1000 + 2) {
            for user in 0..<1000 {
                ledger.record(Self.change(user, "ds", level: round % 2 == 0 ? .edit : .admin))
            }
            try await store.save(ledger)
        }
        #expect(try journalLines().count <= 2 * 1000 + LedgerStore.compactionSlack + 1)
        let reopened = LedgerStore(directory: directory.path, fileSystem: LocalFileSystem())
        #expect(try await reopened.load() == ledger)
    }

    /// The ledger.json of 0.2 becomes the journal, and is left as a stub that 0.2 refuses as a newer format.
    @Test func aLegacyLedgerIsMigratedAndLeftAsAStubOlderVersionsRefuse() async throws {
        let legacy = try StateJSON.encoder.encode(Self.sample)
        try directory.write("ledger.json", String(decoding: legacy, as: UTF8.self))
        #expect(try await store.load() == Self.sample)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["ledger.json"],
            "a reader beside a running 0.2 migrates nothing")
        #expect(try await store.load(maintaining: true) == Self.sample)
        #expect(try journalLines().count == 5)
        let stub = try String(contentsOfFile: directory.path + "/ledger.json", encoding: .utf8)
        #expect(stub.contains(#""version":2"#))
        let reopened = LedgerStore(directory: directory.path, fileSystem: LocalFileSystem())
        #expect(try await reopened.load() == Self.sample)
    }

    @Test func aStubWithoutItsJournalIsRefused() async throws {
        try directory.write("ledger.json", String(decoding: LedgerJournal.legacyStub, as: UTF8.self))
        let error = await #expect(throws: LedgerError.self) { try await store.load() }
        #expect(error?.description.contains("moved to ledger.journal, which is missing") == true)
    }

    @Test(arguments: [
        ("{\"version\": 1, \"changes\": [{\"oops\": 1}], \"grants\": {}}", "is corrupt"),
        ("not json at all", "is corrupt (no version field"),
        ("{\"version\": 3, \"changes\": []}", "has format version 3, newer than this grafana-jit understands (1)"),
        ("", "is corrupt"),
    ])
    func anUntrustworthyLegacyLedgerIsRefusedNotReset(content: String, message: String) async throws {
        try directory.write("ledger.json", content)
        let error = await #expect(throws: LedgerError.self) { try await store.load() }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(try String(contentsOfFile: directory.path + "/ledger.json", encoding: .utf8) == content)
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/ledger.journal"))
    }

    @Test(arguments: [
        ("not a journal\n", "line 1 is not a grafana-jit ledger journal header"),
        (#"{"journal":"grafana-jit-ledger","version":3}"# + "\n", "has format version 3"),
        (#"{"journal":"grafana-jit-ledger","version":2}"# + "\n{\"grant\":5}\n{}\n", "line 2:"),
        (#"{"journal":"grafana-jit-ledger","version":2}"# + "\n{}\n{\"commit\":1}\n", "an empty record"),
        (#"{"journal":"grafana-jit-ledger","version":2}"# + "\n{\"commit\":1}\n", "line 2 commits 1 records, but 0"),
    ])
    func anUntrustworthyJournalIsRefusedNotReset(content: String, message: String) async throws {
        try directory.write("ledger.journal", content)
        let error = await #expect(throws: LedgerError.self) { try await store.load() }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(try String(contentsOfFile: directory.path + "/ledger.journal", encoding: .utf8) == content)
    }
}
