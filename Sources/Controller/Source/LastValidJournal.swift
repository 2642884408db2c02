import Glibc

/// The last valid copy of every grant file, in one append-only file (`STATE/last-valid/copies.journal`): a cold
/// pass over 10,000 files creates one file instead of 10,000, each creation costing 150 µs of kernel time on a
/// busy ext4 (issue 17).
///
/// After the header line, each record is `<key> <content hash> <length>` in hex, hex and decimal, a newline, the
/// copy's bytes and a newline. A record counts only whole and with the hash of its bytes, so an append cut short by
/// a crash is never read as a copy; reading stops there, and the next append rewrites the journal without it.
/// The latest record of a key wins; a rewrite drops the ones before it once they outweigh the rest.
struct LastValidJournal {
    static let fileName = "copies.journal"
    static let header = Array("grafana-jit last-valid copies v1\n".utf8)
    /// Copies saved by releases before the journal, one file per key; moved into the journal by its first append.
    static let legacySuffix = ".yaml"

    /// One copy to append, under its source path's key.
    struct Copy {
        var key: String
        var bytes: [UInt8]
        var hash: UInt64
    }

    private let directory: String
    private let fileSystem: any FileSystem
    /// Superseded records may take this many bytes before a rewrite drops them (and at least as many as the live).
    private let deadBytesAllowed: Int
    /// Each key's latest content hash and record size, the journal's size, and whether all of it is whole records;
    /// nil until first used.
    private var index: Index?
    /// The journal's bytes and where each key's copy lies in them, kept while `contents(of:)` is asked during one
    /// read of the grant files, then let go.
    private var cached: (bytes: [UInt8], records: Records)?

    private struct Index {
        var records: [String: (hash: UInt64, size: Int)]
        var size: Int
        var isWhole: Bool
        var liveSize: Int { records.values.reduce(0) { $0 + $1.size } }
    }

    /// Each key's latest whole copy, as where its bytes lie, and how many bytes from the start hold whole records.
    struct Records {
        var copies: [String: (bytes: Range<Int>, hash: UInt64)] = [:]
        var wholeLength = 0
    }

    init(directory: String, fileSystem: any FileSystem, deadBytesAllowed: Int = 1 << 20) {
        self.directory = directory
        self.fileSystem = fileSystem
        self.deadBytesAllowed = deadBytesAllowed
    }

    private var path: String { directory + "/" + Self.fileName }

    /// The content hash of the copy saved under `key`, nil when there is none.
    mutating func hash(of key: String) throws(FileSystemError) -> UInt64? {
        try loadedIndex().records[key]?.hash
    }

    /// The copy saved under `key`, nil when there is none, in the journal or as a copy from before it.
    mutating func contents(of key: String, limit: Int) throws(FileSystemError) -> [UInt8]? {
        if cached == nil {
            let bytes = try read()
            cached = (bytes, Self.records(in: bytes))
        }
        guard let (bytes, records) = cached else { return nil }
        if let copy = records.copies[key] { return Array(bytes[copy.bytes]) }
        // No copy in the journal, and none as a file from before it, means none at all.
        return try? fileSystem.contents(
            of: directory + "/" + key + Self.legacySuffix, limit: limit, followingLinks: false)
    }

    /// Lets go of the bytes `contents(of:)` kept, so they are read again, and afresh, next time.
    mutating func forgetCachedBytes() { cached = nil }

    /// Appends the copies in one write, fsynced; rewrites the journal instead when there is none yet, when it has a
    /// torn tail or copies saved as files before it, or when superseded records outweigh the allowance.
    mutating func append(_ copies: [Copy]) throws(FileSystemError) {
        guard !copies.isEmpty else { return }
        cached = nil
        var index = try loadedIndex()
        let legacy = try legacyCopies()
        let records = copies.map(Self.record)
        let exists = index.size > 0
        for (copy, record) in zip(copies, records) { index.records[copy.key] = (copy.hash, record.count) }
        index.size += records.reduce(0) { $0 + $1.count }
        let dead = index.size - Self.header.count - index.liveSize
        if exists, index.isWhole, legacy.isEmpty, dead <= max(deadBytesAllowed, index.liveSize) {
            try fileSystem.appendDurably(records.flatMap { $0 }, to: path)
            self.index = index
            return
        }
        try rewrite(adding: copies, legacy: legacy)
    }

    /// Writes the journal anew with each key's latest copy, then removes the copies saved as files before it.
    private mutating func rewrite(adding copies: [Copy], legacy: [Copy]) throws(FileSystemError) {
        var latest: [String: Copy] = [:]
        for copy in legacy { latest[copy.key] = copy }
        let journal = try read()
        for (key, copy) in Self.records(in: journal).copies {
            latest[key] = Copy(key: key, bytes: Array(journal[copy.bytes]), hash: copy.hash)
        }
        for copy in copies { latest[copy.key] = copy }
        var bytes = Self.header
        var index = Index(records: [:], size: 0, isWhole: true)
        for key in latest.keys.sorted() {
            guard let copy = latest[key] else { continue }
            let record = Self.record(copy)
            bytes += record
            index.records[key] = (copy.hash, record.count)
        }
        index.size = bytes.count
        try fileSystem.writeAtomically(bytes, to: path)
        self.index = index
        for copy in legacy { try fileSystem.removeFile(directory + "/" + copy.key + Self.legacySuffix) }
    }

    private mutating func loadedIndex() throws(FileSystemError) -> Index {
        if let index { return index }
        let bytes = try read()
        let records = Self.records(in: bytes)
        var loaded = Index(records: [:], size: bytes.count, isWhole: records.wholeLength == bytes.count)
        for (key, copy) in records.copies {
            loaded.records[key] = (copy.hash, Self.recordSize(key: key, hash: copy.hash, length: copy.bytes.count))
        }
        index = loaded
        return loaded
    }

    /// The journal's bytes; none when there is no journal yet.
    private func read() throws(FileSystemError) -> [UInt8] {
        do {
            return try fileSystem.contents(of: path, limit: Int.max, followingLinks: false)
        } catch .system(_, _, ENOENT) {
            return []
        }
    }

    /// The copies saved as files by releases before the journal.
    private func legacyCopies() throws(FileSystemError) -> [Copy] {
        let entries: [DirectoryEntry]
        do {
            entries = try fileSystem.entries(of: directory)
        } catch .system(_, _, ENOENT) {
            return []
        }
        var copies: [Copy] = []
        for entry in entries where entry.kind == .file && entry.name.hasSuffix(Self.legacySuffix) {
            let bytes = try fileSystem.contents(of: directory + "/" + entry.name, limit: Int.max, followingLinks: false)
            let key = String(entry.name.dropLast(Self.legacySuffix.count))
            copies.append(Copy(key: key, bytes: bytes, hash: StableHash.of(bytes)))
        }
        return copies
    }

    static func record(_ copy: Copy) -> [UInt8] {
        Array(recordHeader(key: copy.key, hash: copy.hash, length: copy.bytes.count).utf8) + copy.bytes + [0x0A]
    }

    private static func recordHeader(key: String, hash: UInt64, length: Int) -> String {
        "\(key) \(String(hash, radix: 16)) \(length)\n"
    }

    private static func recordSize(key: String, hash: UInt64, length: Int) -> Int {
        recordHeader(key: key, hash: hash, length: length).utf8.count + length + 1
    }

    /// Each key's latest whole copy; reading stops at the first record that is not whole or not a journal at all.
    static func records(in bytes: [UInt8]) -> Records {
        var records = Records()
        guard bytes.starts(with: header) else { return records }
        var offset = header.count
        // A header line is a key, a hash and a length: far under 128 bytes.
        while let end = bytes[offset...].prefix(128).firstIndex(of: 0x0A) {
            let fields = bytes[offset..<end].split(separator: 0x20, omittingEmptySubsequences: false)
            guard fields.count == 3, let hash = UInt64(String(decoding: fields[1], as: UTF8.self), radix: 16),
                let length = Int(String(decoding: fields[2], as: UTF8.self)), length >= 0,
                length < bytes.count - end - 1, bytes[end + 1 + length] == 0x0A,
                StableHash.of(bytes[(end + 1)..<(end + 1 + length)]) == hash
            else { break }
            records.copies[String(decoding: fields[0], as: UTF8.self)] = ((end + 1)..<(end + 1 + length), hash)
            offset = end + 2 + length
        }
        records.wholeLength = offset
        return records
    }
}
