import Foundation

/// The ledger journal's format, pure: the records that turn one ledger into another, their lines, and the replay of
/// a journal into a ledger.
enum LedgerJournal {
    /// One line: exactly one of an entry set, an entry forgotten, a window set or dropped (`grant` without `window`),
    /// a token set or dropped (`token` without `tokenRecord`), or the end of a save (`commit`: how many records it
    /// held). A save counts only once its commit line is there, so a save is all or nothing.
    struct Record: Codable, Equatable {
        var commit: Int?
        var change: LedgerChange?
        var forget: Binding?
        var grant: String?
        var window: GrantRecord?
        var token: String?
        var tokenRecord: TokenRecord?

        init(commit records: Int) { commit = records }
        init(change: LedgerChange) { self.change = change }
        init(forget binding: Binding) { forget = binding }
        init(grant: String, window: GrantRecord?) { (self.grant, self.window) = (grant, window) }
        init(token: String, record: TokenRecord?) { (self.token, tokenRecord) = (token, record) }
    }

    private struct Header: Decodable {
        var journal: String
        var version: Int
    }

    static let header = Array(#"{"journal":"grafana-jit-ledger","version":2}"#.utf8) + [0x0A]
    /// What `ledger.json` holds once migrated: version 2, which 0.2 and older refuse as newer than they understand.
    static let legacyStub =
        Array(#"{"version":2,"movedTo":"ledger.journal","note":"the ledger is in ledger.journal since 0.3"}"#.utf8)
        + [0x0A]

    /// What turns `old` into `new`, in a stable order; empty when they are the same.
    static func records(from old: Ledger, to new: Ledger) -> [Record] {
        var result: [Record] = []
        // A part with the same known revision on both sides is the same part: nothing in it to write.
        func differ(_ old: UInt64, _ new: UInt64) -> Bool { old == 0 || old != new }
        if differ(old.revisions.entries, new.revisions.entries) {
            let (before, after) = (old.entriesByBinding, new.entriesByBinding)
            // Saved from `old` since: only the bindings touched can differ.
            if let saved = new.savedEntries, saved != 0, saved == old.revisions.entries {
                for binding in new.touchedEntries where before[binding] != after[binding] {
                    result.append(after[binding].map { Record(change: $0) } ?? Record(forget: binding))
                }
                assertSameEntries(result, from: old, to: new)
            } else {
                for (binding, change) in after where before[binding] != change { result.append(Record(change: change)) }
                for binding in before.keys where after[binding] == nil { result.append(Record(forget: binding)) }
            }
        }
        if differ(old.revisions.grants, new.revisions.grants) {
            for (name, window) in new.grants where old.grants[name] != window {
                result.append(Record(grant: name, window: window))
            }
            for name in old.grants.keys where new.grants[name] == nil {
                result.append(Record(grant: name, window: nil))
            }
        }
        if differ(old.revisions.tokens, new.revisions.tokens) {
            for (name, token) in new.tokens where old.tokens[name] != token {
                result.append(Record(token: name, record: token))
            }
            for name in old.tokens.keys where new.tokens[name] == nil {
                result.append(Record(token: name, record: nil))
            }
        }
        // Each key built once: built per comparison, they took 0.2 s of a 10,000-grant cold pass (issue 17).
        return result.map { (sortKey($0), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The entries' records found from the touched bindings are those a whole comparison finds: checked in debug
    /// builds, which every test runs.
    private static func assertSameEntries(_ found: [Record], from old: Ledger, to new: Ledger) {
        #if DEBUG
            let (before, after) = (old.entriesByBinding, new.entriesByBinding)
            let whole = Set(after.keys.filter { before[$0] != after[$0] }).union(
                before.keys.filter { after[$0] == nil })
            let touched = Set(found.compactMap { $0.change?.binding ?? $0.forget })
            assert(touched == whole, "the ledger's touched entries missed \(whole.subtracting(touched))")
        #endif
    }

    private static func sortKey(_ record: Record) -> String {
        if let binding = record.change?.binding ?? record.forget { return "b" + binding.description }
        if let grant = record.grant { return "g" + grant }
        return "t" + (record.token ?? "")
    }

    /// One save's lines: its records, then its commit line.
    static func encode(_ records: [Record]) -> [UInt8] {
        let encoder = StateJSON.lineEncoder
        var bytes: [UInt8] = []
        for record in records + [Record(commit: records.count)] {
            // A record is plain strings, numbers and dates: encoding it cannot fail.
            bytes += Array((try? encoder.encode(record)) ?? Data()) + [0x0A]
        }
        return bytes
    }

    /// The ledger a journal adds up to, how many lines it holds, and whether it ends in a save cut short (a crash
    /// during an append whose save never returned, so nothing was written to Grafana on its strength): that save's
    /// records are dropped whole.
    static func replay(_ bytes: [UInt8], path: String) throws(LedgerError) -> (
        ledger: Ledger, records: Int, tornTail: Bool
    ) {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0 { end -= 1 }
        let complete = bytes[..<end].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
        let lines = bytes[..<complete].split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        // Whatever fails to decode as the header is reported the same way: not a journal this binary wrote.
        guard let first = lines.first,
            let header = try? StateJSON.decoder.decode(Header.self, from: Data(first)),
            header.journal == "grafana-jit-ledger"
        else {
            throw .corrupt(path: path, reason: "line 1 is not a grafana-jit ledger journal header")
        }
        guard header.version <= 2 else {
            throw .newerFormat(path: path, version: header.version, supported: 2)
        }
        let records = try decode(lines.dropFirst(), path: path)
        var ledger = Ledger()
        var save: [Record] = []
        for (offset, record) in records.enumerated() {
            guard let count = record.commit else {
                save.append(record)
                continue
            }
            guard count == save.count else {
                throw .corrupt(
                    path: path, reason: "line \(offset + 2) commits \(count) records, but \(save.count) precede it")
            }
            for record in save { try apply(record, to: &ledger, line: offset + 2, path: path) }
            save = []
        }
        return (ledger, records.count, !save.isEmpty || complete < end)
    }

    private static func apply(_ record: Record, to ledger: inout Ledger, line: Int, path: String) throws(LedgerError) {
        if let change = record.change {
            ledger.record(change)
        } else if let binding = record.forget {
            ledger.forget(binding)
        } else if let grant = record.grant {
            ledger.grants[grant] = record.window
        } else if let token = record.token {
            ledger.tokens[token] = record.tokenRecord
        } else {
            throw .corrupt(path: path, reason: "an empty record in the save committed at line \(line)")
        }
    }

    /// All lines in one decoder call (as one JSON array); only when that fails, line by line to name the bad one.
    private static func decode(_ lines: ArraySlice<ArraySlice<UInt8>>, path: String) throws(LedgerError) -> [Record] {
        var array: [UInt8] = [0x5B]
        for (index, line) in lines.enumerated() {
            if index > 0 { array.append(0x2C) }
            array += line
        }
        array.append(0x5D)
        let decoder = StateJSON.decoder
        // A failure here is found and named below, line by line.
        if let records = try? decoder.decode([Record].self, from: Data(array)) { return records }
        for (offset, line) in lines.enumerated() {
            do {
                _ = try decoder.decode(Record.self, from: Data(line))
            } catch {
                throw .corrupt(path: path, reason: "line \(offset + 2): \(error)")
            }
        }
        throw .corrupt(path: path, reason: "the records do not decode")
    }
}
