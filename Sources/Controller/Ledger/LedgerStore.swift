import Foundation

/// Reads and writes the ledger file in the state directory. Refuses to start on a file it cannot trust: a
/// silently reset ledger would forget access the controller granted and strand it in Grafana.
package actor LedgerStore {
    package static let fileName = "ledger.json"
    private let path: String
    private let fileSystem: any FileSystem

    package init(directory: String, fileSystem: any FileSystem) {
        path = directory + "/" + Self.fileName
        self.fileSystem = fileSystem
    }

    /// The ledger; empty only when the file does not exist yet.
    package func load() throws(LedgerError) -> Ledger {
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.contents(of: path, limit: 256 << 20, followingLinks: false)
        } catch .system(_, _, ENOENT) {
            return Ledger()
        } catch {
            throw .unreadable(path: path, reason: error.description)
        }
        struct VersionOnly: Decodable { var version: Int }
        let data = Data(bytes)
        // Any decoding failure here means the same thing, reported below: not a ledger this binary wrote.
        guard let version = try? JSONDecoder().decode(VersionOnly.self, from: data).version else {
            throw .corrupt(path: path, reason: "no version field; not a grafana-jit ledger")
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

    package func save(_ ledger: Ledger) throws(LedgerError) {
        let data: Data
        do {
            data = try StateJSON.encoder.encode(ledger)
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
        do {
            try fileSystem.writeAtomically(Array(data) + [0x0A], to: path)
        } catch {
            throw .unwritable(path: path, reason: error.description)
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
