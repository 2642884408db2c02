import Foundation

/// Keeps the ledger in the state directory as an append-only journal (`ledger.journal`, JSON Lines): a header, then
/// one record per entry, window or token that changed, each save appended and fsynced once, however many records it
/// holds. Compacted (rewritten as one record per live item, atomically) at start and when it has grown well past
/// what is live. Refuses to start on a file it cannot trust: a silently reset ledger would forget access the
/// controller granted and strand it in Grafana.
package actor LedgerStore {
    package static let fileName = "ledger.journal"
    /// The single-file ledger of 0.2 and before; read once and migrated, then left as a stub that those versions
    /// refuse (format version 2), so a downgrade cannot start from a stale copy.
    package static let legacyFileName = "ledger.json"
    static let journalVersion = 2
    /// Records appended beyond twice the live items (plus this slack) trigger a compaction.
    static let compactionSlack = 10_000

    private let path: String
    private let legacyPath: String
    private let fileSystem: any FileSystem
    /// What the journal on disk adds up to; a save appends only what differs from it.
    private var persisted = Ledger()
    /// Lines in the journal after the header; nil while there is no journal file.
    private var records: Int?

    package init(directory: String, fileSystem: any FileSystem) {
        path = directory + "/" + Self.fileName
        legacyPath = directory + "/" + Self.legacyFileName
        self.fileSystem = fileSystem
    }

    /// The ledger; empty only when neither the journal nor a legacy ledger exists yet. With `maintaining` (only the
    /// holder of the state folder's lock: `run`), also migrates a legacy ledger, drops a cut-off last save and
    /// compacts; readers beside a running controller (`plan`, `status`, `request`) change nothing, since a rewrite
    /// under the controller would take its later appends with the old file.
    package func load(maintaining: Bool = false) throws(LedgerError) -> Ledger {
        let ledger: Ledger
        if let journal = try contents(of: path) {
            let replay = try LedgerJournal.replay(journal, path: path)
            ledger = replay.ledger
            persisted = ledger
            records = replay.records
            if maintaining, replay.tornTail || replay.records > Self.compactionThreshold(live: ledger.liveItems) {
                try compact(ledger)
            }
        } else if let legacy = try contents(of: legacyPath) {
            ledger = try Self.decodeLegacy(legacy, path: legacyPath)
            persisted = ledger
            guard maintaining else { return ledger }
            try compact(ledger)
        } else {
            return Ledger()
        }
        if maintaining { try leaveStub() }
        return ledger
    }

    package func save(_ ledger: Ledger) throws(LedgerError) {
        let changes = LedgerJournal.records(from: persisted, to: ledger)
        guard !changes.isEmpty else { return }
        guard let count = records else {
            // Only once on disk: a rewrite that failed must leave the next save comparing against what is there.
            try compact(ledger)
            persisted = ledger
            return
        }
        do {
            try fileSystem.appendDurably(LedgerJournal.encode(changes), to: path)
        } catch {
            // Part of the save may be on disk: the next save rewrites the journal whole rather than append after it.
            records = nil
            throw .unwritable(path: path, reason: error.description)
        }
        persisted = ledger
        // The save's records and its commit line.
        records = count + changes.count + 1
        if count + changes.count + 1 > Self.compactionThreshold(live: ledger.liveItems) { try compact(ledger) }
    }

    /// Rewrites the journal as one record per live item, replacing it atomically (durably) in one rename.
    private func compact(_ ledger: Ledger) throws(LedgerError) {
        let snapshot = LedgerJournal.records(from: Ledger(), to: ledger)
        do {
            try fileSystem.writeAtomically(LedgerJournal.header + LedgerJournal.encode(snapshot), to: path)
        } catch {
            throw .unwritable(path: path, reason: error.description)
        }
        records = snapshot.count + 1
    }

    /// Once the journal holds the ledger, `ledger.json` becomes a stub that older versions refuse.
    private func leaveStub() throws(LedgerError) {
        guard let legacy = try contents(of: legacyPath), legacy != LedgerJournal.legacyStub else { return }
        do {
            try fileSystem.writeAtomically(LedgerJournal.legacyStub, to: legacyPath)
        } catch {
            throw .unwritable(path: legacyPath, reason: error.description)
        }
    }

    private static func compactionThreshold(live: Int) -> Int { 2 * live + compactionSlack }

    private func contents(of file: String) throws(LedgerError) -> [UInt8]? {
        do {
            return try fileSystem.contents(of: file, limit: 1 << 30, followingLinks: false)
        } catch .system(_, _, ENOENT) {
            return nil
        } catch {
            throw .unreadable(path: file, reason: error.description)
        }
    }

    /// The ledger.json of 0.2 and before.
    private static func decodeLegacy(_ bytes: [UInt8], path: String) throws(LedgerError) -> Ledger {
        struct VersionOnly: Decodable { var version: Int }
        let data = Data(bytes)
        // Any decoding failure here means the same thing, reported below: not a ledger this binary wrote.
        guard let version = try? JSONDecoder().decode(VersionOnly.self, from: data).version else {
            throw .corrupt(path: path, reason: "no version field; not a grafana-jit ledger")
        }
        if version == journalVersion {
            throw .corrupt(
                path: path,
                reason: "it says the ledger moved to \(fileName), which is missing; restore \(fileName) from a backup")
        }
        guard version <= Ledger.currentVersion else {
            throw .newerFormat(path: path, version: version, supported: Ledger.currentVersion)
        }
        do {
            return try StateJSON.decoder.decode(Ledger.self, from: data)
        } catch {
            throw .corrupt(path: path, reason: "\(error)")
        }
    }
}

/// Why the ledger cannot be used; the controller stops rather than guess.
package enum LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case corrupt(path: String, reason: String)
    case newerFormat(path: String, version: Int, supported: Int)
    case unwritable(path: String, reason: String)
    case locked(path: String)

    package var description: String {
        switch self {
        case .unreadable(let path, let reason): "cannot read the ledger \(path): \(reason)"
        case .corrupt(let path, let reason):
            "the ledger \(path) is corrupt (\(reason)); refusing to start: restore it from a backup, or move it away "
                + "only after checking Grafana for access grafana-jit granted"
        case .newerFormat(let path, let version, let supported):
            "the ledger \(path) has format version \(version), newer than this grafana-jit understands (\(supported)); "
                + "run the newer version"
        case .unwritable(let path, let reason): "cannot write the ledger \(path): \(reason)"
        case .locked(let path): "another grafana-jit holds \(path); one controller per state folder"
        }
    }
}
