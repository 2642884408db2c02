import Foundation
import TestSupport
import Testing

@testable import Controller

/// The last-valid journal reads back only whole copies: an append cut short, or bytes that do not match their hash,
/// are never a copy; copies saved as files by an earlier release move in; superseded records are dropped.
struct LastValidJournalTests {
    let directory: TemporaryDirectory
    let fileSystem = LocalFileSystem()

    init() throws {
        directory = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    var folder: String { directory.path + "/last-valid" }
    var path: String { folder + "/" + LastValidJournal.fileName }

    func journal(deadBytesAllowed: Int = 1 << 20) -> LastValidJournal {
        LastValidJournal(directory: folder, fileSystem: fileSystem, deadBytesAllowed: deadBytesAllowed)
    }

    func copy(_ key: String, _ text: String) -> LastValidJournal.Copy {
        LastValidJournal.Copy(key: key, bytes: Array(text.utf8), hash: StableHash.of(text.utf8))
    }

    func text(of key: String, in journal: inout LastValidJournal) throws -> String? {
        journal.forgetCachedBytes()
        return try journal.contents(of: key, limit: 1 << 20).map { String(decoding: $0, as: UTF8.self) }
    }

    func bytesOnDisk() throws -> [UInt8] { Array(try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test func everyCopyOfOneAppendReadsBackWhole() throws {
        var written = journal()
        let copies = (0..<500).map { copy(String($0, radix: 16), "kind: AccessGrant # \($0)\n") }
        try written.append(copies)
        var read = journal()
        for copy in copies {
            #expect(try read.hash(of: copy.key) == copy.hash)
            #expect(try read.contents(of: copy.key, limit: 1 << 20) == copy.bytes)
        }
    }

    @Test(arguments: [1, 10, 30])
    func anAppendCutShortIsNotReadAndTheNextAppendDropsIt(cutBytes: Int) throws {
        var written = journal()
        try written.append([copy("a1", "first\n")])
        try written.append([copy("a1", "second\n"), copy("b2", "other\n")])
        let whole = try bytesOnDisk()
        try Data(whole.dropLast(cutBytes)).write(to: URL(fileURLWithPath: path))
        var read = journal()
        #expect(try text(of: "b2", in: &read) == nil)
        let lastRecord = LastValidJournal.record(copy("b2", "other\n")).count
        #expect(try text(of: "a1", in: &read) == (cutBytes > lastRecord ? "first\n" : "second\n"))
        try read.append([copy("c3", "third\n")])
        #expect(LastValidJournal.records(in: try bytesOnDisk()).wholeLength == (try bytesOnDisk()).count)
        #expect(try text(of: "c3", in: &read) == "third\n")
    }

    @Test func bytesThatDoNotMatchTheirHashAreNotACopy() throws {
        var written = journal()
        try written.append([copy("a1", "first\n")])
        try written.append([copy("a1", "second\n")])
        // What a crash can leave after an append: the record's length right, its bytes zeros.
        var bytes = try bytesOnDisk()
        let start = bytes.count - "second\n".utf8.count - 1
        bytes.replaceSubrange(start..<(bytes.count - 1), with: [UInt8](repeating: 0, count: "second\n".utf8.count))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        var read = journal()
        #expect(try text(of: "a1", in: &read) == "first\n")
        #expect(try read.hash(of: "a1") == StableHash.of("first\n".utf8))
    }

    @Test func aFileThatIsNotAJournalHoldsNoCopy() throws {
        try Data("a1 0 3\nabc\n".utf8).write(to: URL(fileURLWithPath: path))
        var read = journal()
        #expect(try text(of: "a1", in: &read) == nil)
    }

    @Test func copiesSavedAsFilesAreReadThenMovedIntoTheJournal() throws {
        try directory.write("last-valid/a1.yaml", "old copy\n")
        var read = journal()
        #expect(try text(of: "a1", in: &read) == "old copy\n")
        try read.append([copy("b2", "new copy\n")])
        #expect(!FileManager.default.fileExists(atPath: folder + "/a1.yaml"))
        var reread = journal()
        #expect(try text(of: "a1", in: &reread) == "old copy\n")
        #expect(try text(of: "b2", in: &reread) == "new copy\n")
        #expect(try reread.hash(of: "a1") == StableHash.of("old copy\n".utf8))
    }

    @Test func supersededRecordsAreDroppedOnceTheyOutweighTheAllowance() throws {
        let long = { (word: String) in String(repeating: word + " ", count: 20) + "\n" }
        var written = journal(deadBytesAllowed: 0)
        try written.append([copy("a1", long("one")), copy("b2", "k\n")])
        try written.append([copy("a1", long("two"))])
        let grown = try bytesOnDisk().count
        #expect(grown > LastValidJournal.header.count + 2 * long("one").utf8.count, "one superseded record is kept")
        try written.append([copy("a1", long("six"))])
        #expect(try bytesOnDisk().count < grown, "two superseded records outweigh the live ones")
        var read = journal()
        #expect(try text(of: "a1", in: &read) == long("six"))
        #expect(try text(of: "b2", in: &read) == "k\n")
    }
}
