import Dispatch
@preconcurrency import Glibc
import Synchronization

/// Watches the grants tree with inotify: every directory, and the parent of the root so a git-sync link swap is
/// seen. Events only raise a flag: the daemon rescans the whole tree anyway, so the flag need not say what changed.
package final class InotifyDetector: ChangeDetector {
    private struct State {
        var changed = false
        var watched: [Int32: String] = [:]
        var overflows = 0
    }

    package let checkInterval: Duration = .milliseconds(50)
    private let fd: Int32
    private let paths: [String]
    private let fileSystem: any FileSystem
    private let state = Mutex(State())
    // DispatchSource is not Sendable; it is created here and only cancelled in deinit.
    nonisolated(unsafe) private var source: (any DispatchSourceRead)?

    private static let mask = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)

    /// Nil when inotify is not available (the caller falls back to polling).
    package init?(paths: [String], fileSystem: any FileSystem) {
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { return nil }
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

    package var overflows: Int { state.withLock { $0.overflows } }

    package func takeChange() -> Bool {
        state.withLock { state in
            defer { state.changed = false }
            return state.changed
        }
    }

    /// Reads every pending event; new directories get watches of their own (inotify is not recursive).
    private func drain() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        var sawEvent = false
        var overflowed = false
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            sawEvent = true
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= count {
                let event = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: inotify_event.self) }
                if event.mask & UInt32(IN_Q_OVERFLOW) != 0 { overflowed = true }
                offset += MemoryLayout<inotify_event>.size + Int(event.len)
            }
        }
        guard sawEvent else { return }
        state.withLock { state in
            state.changed = true
            if overflowed { state.overflows += 1 }
        }
        addWatches()
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
            let wd = inotify_add_watch(fd, directory, Self.mask)
            if wd >= 0 { state.withLock { $0.watched[wd] = directory } }
        }
    }

    private func collect(_ directory: String, into directories: inout [String]) {
        guard (try? fileSystem.kind(of: directory)) == .directory else { return }
        directories.append(directory)
        // A directory that vanished between listing and reading is simply not watched; the rescan sees it gone.
        for entry in (try? fileSystem.entries(of: directory)) ?? [] where !entry.name.hasPrefix(".") {
            if entry.kind == .directory { collect(directory + "/" + entry.name, into: &directories) }
        }
    }
}
