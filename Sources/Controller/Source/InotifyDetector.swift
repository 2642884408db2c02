import Dispatch
@preconcurrency import Glibc
import Synchronization

/// Watches the grants tree with inotify: every directory, and the parent of the root so a git-sync link swap is
/// seen. Events only raise a flag: the daemon rescans the whole tree anyway, so the flag need not say what changed.
package final class InotifyDetector: ChangeDetector {
    package let checkInterval: Duration = .milliseconds(20)
    private let fd: Int32
    private let paths: [String]
    private let fileSystem: any FileSystem
    private let changed = Mutex(false)
    /// Told when the kernel's event queue overflowed (events were lost; the rescan still sees everything).
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
        self.paths = paths
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

    package func takeChange() -> Bool {
        changed.withLock { changed in
            defer { changed = false }
            return changed
        }
    }

    /// Reads every pending event; new directories get watches of their own (inotify is not recursive).
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        // Any event, an overflow (IN_Q_OVERFLOW) included, means "rescan"; only overflows are counted.
        var sawEvent = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            sawEvent = true
            if Self.containsOverflow(buffer, count: count) { onOverflow() }
        }
        guard sawEvent else { return }
        changed.withLock { $0 = true }
        addWatches()
    }

    /// Walks the `inotify_event` records read (wd, mask, cookie, len, then `len` name bytes) for IN_Q_OVERFLOW.
    static func containsOverflow(_ buffer: [UInt8], count: Int) -> Bool {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= count {
            let (mask, length) = buffer.withUnsafeBytes { bytes in
                (
                    bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self),
                    bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self)
                )
            }
            if mask & UInt32(IN_Q_OVERFLOW) != 0 { return true }
            offset += header + Int(length)
        }
        return false
    }

    /// Watches the roots' parents and every directory below the roots (re-adding is harmless: same descriptor).
    private func addWatches() {
        var directories: [String] = []
        for path in paths {
            let parent = path.contains("/") ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : "."
            directories.append(parent.isEmpty ? "/" : parent)
            collect(path, into: &directories)
        }
        for directory in directories {
            // A folder that cannot be watched (gone meanwhile, or out of watches) is still rescanned on the timer.
            _ = inotify_add_watch(fd, directory, Self.mask)
        }
    }

    private func collect(_ directory: String, into directories: inout [String]) {
        // Files and vanished paths have nothing to watch; the rescan timer covers the rest.
        guard (try? fileSystem.kind(of: directory)) == .directory else { return }
        directories.append(directory)
        // A directory that vanished between listing and reading is simply not watched; the rescan sees it gone.
        for entry in (try? fileSystem.entries(of: directory)) ?? [] where !entry.name.hasPrefix(".") {
            if entry.kind == .directory { collect(directory + "/" + entry.name, into: &directories) }
        }
    }
}
