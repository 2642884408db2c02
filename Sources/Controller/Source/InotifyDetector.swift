import Dispatch
@preconcurrency import Glibc
import Synchronization

/// Watches the configured trees with inotify: every folder, and the parent of each root so a git-sync link swap is
/// seen. A file written, created, moved or deleted in a watched folder is reported by its path, so a pass reads
/// only that file; anything else (a folder created or removed, a root replaced, a lost event) asks for the whole
/// tree, and new folders get watches of their own (inotify is not recursive).
package final class InotifyDetector: ChangeDetector {
    /// Events are gathered as they come; the daemon looks for them this often.
    package let checkInterval: Duration = .milliseconds(10)
    package let namesPaths = true
    private let fd: Int32
    private let paths: [String]
    private let fileSystem: any FileSystem
    private let changes = Mutex<FileChanges?>(nil)
    /// Each watch's folder, and for a root's parent the root names in it whose replacement means a new tree.
    private let watches = Mutex<[Int32: (folder: String, roots: Set<String>, isTree: Bool)]>([:])
    /// Told when the kernel's event queue overflowed (events were lost; the whole tree is read).
    private let onOverflow: @Sendable () -> Void
    // DispatchSource is not Sendable; it is created here and only cancelled in deinit.
    nonisolated(unsafe) private var source: (any DispatchSourceRead)?

    private static let mask = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)

    /// Nil when inotify is not available (the caller falls back to polling).
    package init?(paths: [String], fileSystem: any FileSystem, onOverflow: @escaping @Sendable () -> Void = {}) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
        self.onOverflow = onOverflow
        self.paths = paths.map(ResourceFiles.trimmingTrailingSlashes)
        self.fileSystem = fileSystem
        addWatches()
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        source.setEventHandler { [weak self] in self?.drain() }
        source.setCancelHandler { [fd] in close(fd) }
        source.resume()
        self.source = source
    }

    deinit {
        source?.cancel()
    }

    package func takeChanges() -> FileChanges? {
        changes.withLock { changes in
            defer { changes = nil }
            return changes
        }
    }

    /// Reads every pending event and records what it says changed.
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var found: FileChanges?
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            let events = Self.events(in: buffer, count: count)
            if events.contains(where: { $0.mask & UInt32(IN_Q_OVERFLOW) != 0 }) { onOverflow() }
            let watches = watches.withLock { $0 }
            for event in events {
                guard let change = Self.change(of: event, watches: watches) else { continue }
                found = found?.merging(change) ?? change
            }
        }
        guard let found else { return }
        changes.withLock { $0 = $0.map { $0.merging(found) } ?? found }
        if found == .everything { addWatches() }
    }

    /// What one event says changed, nil for nothing that matters.
    private static func change(
        of event: (wd: Int32, mask: UInt32, name: String),
        watches: [Int32: (folder: String, roots: Set<String>, isTree: Bool)]
    ) -> FileChanges? {
        let whole = UInt32(IN_Q_OVERFLOW | IN_DELETE_SELF | IN_MOVE_SELF)
        if event.mask & whole != 0 { return .everything }
        guard let watch = watches[event.wd], !event.name.isEmpty else { return nil }
        if watch.roots.contains(event.name) { return .everything }
        guard watch.isTree else { return nil }
        // Folders with dot names (`.git`) are never read; any other folder coming or going needs a walk.
        if event.mask & UInt32(IN_ISDIR) != 0 { return event.name.hasPrefix(".") ? nil : .everything }
        return .paths([watch.folder + "/" + event.name])
    }

    /// The `inotify_event` records read: wd, mask, cookie, len, then `len` bytes of NUL-padded name.
    static func events(in buffer: [UInt8], count: Int) -> [(wd: Int32, mask: UInt32, name: String)] {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        var events: [(wd: Int32, mask: UInt32, name: String)] = []
        while offset + header <= count {
            let (wd, mask, length) = buffer.withUnsafeBytes { bytes in
                (
                    bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self),
                    bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                    Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                )
            }
            let start = offset + header
            let name = buffer[start..<min(count, start + length)].prefix { $0 != 0 }
            events.append((wd, mask, String(decoding: name, as: UTF8.self)))
            offset = start + length
        }
        return events
    }

    /// Watches the roots' parents and every folder below the roots (re-adding is harmless: same descriptor).
    private func addWatches() {
        var folders: [String] = []
        var parents: [String: Set<String>] = [:]
        for path in paths {
            let slash = path.lastIndex(of: "/")
            let parent = slash.map { String(path[..<$0]) } ?? "."
            let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
            parents[parent.isEmpty ? "/" : parent, default: []].insert(name)
            collect(path, into: &folders)
        }
        var added: [Int32: (folder: String, roots: Set<String>, isTree: Bool)] = [:]
        for folder in folders {
            // A folder that cannot be watched (gone meanwhile, or out of watches) is still read at the resync.
            let wd = inotify_add_watch(fd, folder, Self.mask)
            if wd >= 0 { added[wd] = (folder, [], true) }
        }
        for (parent, names) in parents {
            let wd = inotify_add_watch(fd, parent, Self.mask)
            guard wd >= 0 else { continue }
            added[wd] = (added[wd]?.folder ?? parent, names, added[wd]?.isTree ?? false)
        }
        watches.withLock { $0.merge(added) { $1 } }
    }

    private func collect(_ directory: String, into directories: inout [String]) {
        // Files and vanished paths have nothing to watch; the resync covers the rest.
        guard (try? fileSystem.kind(of: directory)) == .directory else { return }
        directories.append(directory)
        // A directory that vanished between listing and reading is simply not watched; the resync sees it gone.
        for entry in (try? fileSystem.entries(of: directory)) ?? [] where !entry.name.hasPrefix(".") {
            if entry.kind == .directory { collect(directory + "/" + entry.name, into: &directories) }
        }
    }
}
