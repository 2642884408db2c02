import Controller
import Foundation
import TestSupport
import Testing

/// State files are never opened through a symbolic link: a link planted where audit.jsonl, lock, ledger.journal, a
/// status file or a token file should be is refused by name, and what it points at stays untouched.
struct LocalFileSystemTests {
    let folder: TemporaryDirectory
    let target: String
    let fileSystem = LocalFileSystem()

    init() throws {
        folder = try TemporaryDirectory()
        target = try folder.write("elsewhere/precious", "precious\n")
    }

    /// A link named `name` in the folder, pointing at the precious file.
    private func link(_ name: String) throws -> String {
        let path = folder.path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try folder.link(name, to: target)
        return path
    }

    private var targetIsUntouched: Bool {
        (try? String(contentsOfFile: target, encoding: .utf8)) == "precious\n"
    }

    @Test func theAuditTrailRefusesALink() async throws {
        let path = try link(AuditStore.fileName)
        let audit = AuditStore(destination: .file(path), fileSystem: fileSystem)
        let event = AuditEvent(time: Date(), event: "permission.granted", grant: "g", outcome: "success")
        await #expect(throws: FileSystemError.symbolicLink(path: path)) { try await audit.append([event]) }
        #expect(targetIsUntouched)
    }

    @Test func theLockRefusesALink() throws {
        let path = try link("lock")
        #expect(throws: FileSystemError.symbolicLink(path: path)) { _ = try fileSystem.lockExclusively(path) }
        #expect(targetIsUntouched)
    }

    @Test func theLedgerIsNeitherReadNorWrittenThroughALink() async throws {
        let path = try link(LedgerStore.fileName)
        let store = LedgerStore(directory: folder.path, fileSystem: fileSystem)
        let reason = "\(path) is a symbolic link; refusing to follow it"
        await #expect(throws: LedgerError.unreadable(path: path, reason: reason)) { _ = try await store.load() }
        var ledger = Ledger()
        ledger.grants["g"] = GrantRecord(firstSeen: Date())
        await #expect(throws: LedgerError.unwritable(path: path, reason: reason)) { try await store.save(ledger) }
        #expect(targetIsUntouched)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == target)
    }

    @Test(arguments: ["status/alice.json", "secrets/alice.token", "last-valid/0123.yaml"])
    func replacingAStateFileRefusesALink(name: String) throws {
        let path = try link(name)
        #expect(throws: FileSystemError.symbolicLink(path: path)) { try fileSystem.replace([0x41], at: path) }
        #expect(throws: FileSystemError.symbolicLink(path: path)) { try fileSystem.writeAtomically([0x41], to: path) }
        #expect(throws: FileSystemError.symbolicLink(path: path)) {
            _ = try fileSystem.contents(of: path, limit: 1024, followingLinks: false)
        }
        #expect(targetIsUntouched)
        let leftovers = try FileManager.default.contentsOfDirectory(
            atPath: (path as NSString).deletingLastPathComponent)
        #expect(leftovers == [(path as NSString).lastPathComponent], "no temporary file left behind")
    }

    @Test func grantFilesMayStillBeLinks() throws {
        let path = try link("repo/grants/alice.yaml")
        #expect(try fileSystem.contents(of: path, limit: 1024) == Array("precious\n".utf8))
    }

    @Test func aPlainStateFileIsWrittenAndRead() throws {
        let path = folder.path + "/ledger.json"
        try fileSystem.writeAtomically(Array("{}\n".utf8), to: path)
        try fileSystem.appendDurably(Array("x\n".utf8), to: path)
        #expect(try fileSystem.contents(of: path, limit: 1024, followingLinks: false) == Array("{}\nx\n".utf8))
    }
}
