import AccessModel
import Foundation

/// Remembers each grant file's last content that decoded cleanly (in `STATE/last-valid/`), so a file that stops
/// parsing keeps its last valid grants in force, expiry included, across restarts too.
package struct LastValidFiles: Sendable {
    private let directory: String
    private let fileSystem: any FileSystem
    private var journal: LastValidJournal
    /// The copies the current read found to save, appended together when it ends.
    private var unsaved: [(path: String, copy: LastValidJournal.Copy)] = []
    /// What is saved for each source path, as a hash, so unchanged files cost no disk access.
    private var saved: [String: UInt64] = [:]
    /// Each file's content hash in the latest read (unreadable files are left out), to tell which files changed.
    package private(set) var contentHashes: [String: UInt64] = [:]
    /// What each file decoded to in the latest read, by path, with its content hash and its stamp (inode, size,
    /// modification time) taken before it was read: an unchanged file is not parsed again, and with `trustingStamps`
    /// not even read.
    private var decoded: [String: (hash: UInt64, file: DecodedFile, stamp: FileStamp?)] = [:]
    /// Where the files were at the latest read: a pass told which paths changed updates it instead of walking.
    private var tree: ResourceTree?
    /// What the latest read returned, which a pass told which paths changed patches.
    private var last: (files: [DecodedFile], fellBack: [DecodedFile])?
    /// A file modified this recently may change again within the file system's timestamp granularity without its
    /// stamp changing (git's "racy" files): its stamp is not trusted until it is older.
    static let settledAfter: TimeInterval = 2

    package init(stateDirectory: String, fileSystem: any FileSystem) {
        directory = stateDirectory + "/last-valid"
        self.fileSystem = fileSystem
        journal = LastValidJournal(directory: directory, fileSystem: fileSystem)
    }

    /// Reads and decodes every file; a file with errors is replaced by its last valid content when there is one.
    /// Returns the files to use, each placed by where it lies (a document of the wrong kind for its folder is an
    /// error, whichever content is used), and the paths that fell back.
    /// With `saving` false (`plan`, `--dry-run`), nothing is written: a plan must not change the daemon's fallbacks.
    /// With `trustingStamps` (a pass started by a file event or a deadline), a file whose stamp has not changed since
    /// it was last read, and had settled then, is not read again; a start or a resync reads every file.
    /// When `changed` names the paths that changed (inotify), only those are looked at: no walk, no stamps.
    /// The paths the last read looked at when it patched the read before it; nil after a whole read. Only their
    /// content can have changed.
    package private(set) var patchedPaths: Set<String>?
    /// How many reads this has made: which read a patch was of.
    package private(set) var reads = 0

    package mutating func decode(
        _ sources: ResourceSources, with loader: ResourceLoader, saving: Bool = true, trustingStamps: Bool = false,
        changed: FileChanges = .everything, now: Date = Date()
    ) throws(FileSystemError) -> (files: [DecodedFile], fellBack: [DecodedFile]) {
        // A read that fails leaves nothing to patch: the next one walks and reads every file, so no change named
        // to the failed one is lost.
        let (knownTree, knownLast) = (tree, last)
        (tree, last) = (nil, nil)
        reads += 1
        unsaved = []
        defer { journal.forgetCachedBytes() }
        if saving { try fileSystem.createDirectory(directory) }
        // Paths inotify named, applied to the last read: only they are looked at. Anything a path cannot settle
        // (see `ResourceTree.updating`) reads the whole tree again.
        if case .paths(let paths) = changed, let knownLast,
            let known = knownTree?.updating(paths, fileSystem: fileSystem),
            known.paths == sources.paths
        {
            let result = try patch(
                knownLast, with: paths, in: known, sources, loader: loader, saving: saving, now: now)
            try saveCopies()
            (tree, last, patchedPaths) = (known, result, paths)
            return result
        }
        patchedPaths = nil
        var files: [DecodedFile] = []
        var fellBack: [DecodedFile] = []
        contentHashes = [:]
        let previous = self.decoded
        var stamps: [String: FileStamp] = [:]
        var unread: Set<String> = []
        let walked = loader.files.walk(sources.paths)
        let reads = loader.read(sources, in: walked) { path in
            // A file that cannot be stamped is read, which reports its problem.
            let stamp = try? fileSystem.stamp(of: path)
            // Remembered only once settled when read: a stamp trusted later must have been settled then.
            stamps[path] = stamp.flatMap { Self.hasSettled($0, now: now) ? $0 : nil }
            guard trustingStamps, let stamp, let known = previous[path], known.stamp == stamp,
                Self.hasSettled(stamp, now: now)
            else { return nil }
            unread.insert(path)
            return known.file
        } reusing: { path, bytes in
            previous[path].flatMap { $0.hash == StableHash.of(bytes) ? $0.file : nil }
        }
        self.decoded = [:]
        for read in reads {
            let hash = unread.contains(read.path) ? previous[read.path]?.hash : read.bytes.map { StableHash.of($0) }
            let (file, fell) = try settle(read, hash: hash, stamp: stamps[read.path], loader: loader, saving: saving)
            files.append(file)
            if let fell { fellBack.append(fell) }
        }
        try saveCopies()
        (tree, last) = (walked, (files, fellBack))
        return (files, fellBack)
    }

    /// The last read with the named paths read again (or dropped, when the tree no longer lists them).
    private mutating func patch(
        _ last: (files: [DecodedFile], fellBack: [DecodedFile]), with paths: Set<String>, in tree: ResourceTree,
        _ sources: ResourceSources, loader: ResourceLoader, saving: Bool, now: Date
    ) throws(FileSystemError) -> (files: [DecodedFile], fellBack: [DecodedFile]) {
        var (files, fellBack) = last
        let placement = ResourceSources.Placement(sources, fileSystem: fileSystem)
        for path in paths.sorted() {
            let previous = decoded.removeValue(forKey: path)
            contentHashes[path] = nil
            fellBack.removeAll { $0.path == path }
            var index = Self.position(of: path, in: files)
            if index.found { files.remove(at: index.index) }
            guard let resolved = tree.resolved(path) else { continue }
            // Stamped before it is read, as a full read does, so a later read by stamps can trust it; a file that
            // cannot be stamped is read all the same, which reports its problem.
            let stamp = (try? fileSystem.stamp(of: path)).flatMap { Self.hasSettled($0, now: now) ? $0 : nil }
            let read = loader.readFile(path, place: placement.place(ofResolved: resolved)) { _, bytes in
                previous.flatMap { $0.hash == StableHash.of(bytes) ? $0.file : nil }
            }
            let (file, fell) = try settle(
                read, hash: read.bytes.map { StableHash.of($0) }, stamp: stamp, loader: loader, saving: saving)
            index = Self.position(of: path, in: files)
            files.insert(file, at: index.index)
            if let fell { fellBack.append(fell) }
        }
        fellBack.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return (files, fellBack)
    }

    /// Appends the copies this read found to save, and only then counts them as saved.
    private mutating func saveCopies() throws(FileSystemError) {
        try journal.append(unsaved.map(\.copy))
        for (path, copy) in unsaved { saved[path] = copy.hash }
        unsaved = []
    }

    /// Remembers one file's read, marks its copy for saving when it decoded cleanly and changed, and returns the file
    /// to use:
    /// itself, or its last valid content (then also the failed read, as fallen back).
    private mutating func settle(
        _ read: ResourceLoader.FileRead, hash: UInt64?, stamp: FileStamp?, loader: ResourceLoader, saving: Bool
    ) throws(FileSystemError) -> (file: DecodedFile, fellBack: DecodedFile?) {
        let (path, bytes, decoded, place) = read
        if let hash, !path.isEmpty {
            contentHashes[path] = hash
            self.decoded[path] = (hash, decoded, stamp)
        }
        let key = Self.key(for: path)
        guard !decoded.errors.isEmpty, !path.isEmpty else {
            if saving, let bytes, let hash, saved[path] != hash {
                if try journal.hash(of: key) == hash {
                    saved[path] = hash
                } else {
                    unsaved.append((path, LastValidJournal.Copy(key: key, bytes: bytes, hash: hash)))
                }
            }
            return (decoded.placed(in: place), nil)
        }
        // No saved copy means the file never decoded: its errors stand. A journal that cannot be read has none.
        guard let previous = try? journal.contents(of: key, limit: loader.decoder.parser.limits.maxBytes) else {
            return (decoded.placed(in: place), nil)
        }
        return (loader.decoder.decode(previous, path: path).placed(in: place), decoded)
    }

    /// Where a file is, or would be inserted, among files sorted by path (bytes).
    private static func position(of path: String, in files: [DecodedFile]) -> (index: Int, found: Bool) {
        ResourceFiles.position(of: path, in: files, path: \.path)
    }

    /// Whether the modification time in a stamp is older than `settledAfter`.
    private static func hasSettled(_ stamp: FileStamp, now: Date) -> Bool {
        now.timeIntervalSince1970 - stamp.modified >= settledAfter
    }

    /// A flat, stable key per source path (the file name of its copy before the journal).
    private static func key(for source: String) -> String {
        String(StableHash.of(source.utf8), radix: 16)
    }
}
