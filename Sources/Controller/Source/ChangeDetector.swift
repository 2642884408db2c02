import Synchronization

/// What changed in the configured trees.
package enum FileChanges: Sendable, Equatable {
    /// These files were written, created, moved or deleted, and nothing else changed.
    case paths(Set<String>)
    /// Anything may have changed: the whole tree is read (polling, a lost event, a folder or a root link changed).
    case everything

    /// Both changes at once.
    package func merging(_ other: FileChanges?) -> FileChanges {
        switch (self, other) {
        case (_, nil): self
        case (.paths(let mine), .paths(let theirs)?): .paths(mine.union(theirs))
        default: .everything
        }
    }
}

/// Tells the daemon what in the configured trees may have changed since it last asked.
package protocol ChangeDetector: Sendable {
    /// How often the daemon should ask.
    var checkInterval: Duration { get }
    /// Whether it names the files that changed: a pass it reported nothing to may then trust that nothing did.
    var namesPaths: Bool { get }
    /// What changed since the previous call, nil for nothing (a false alarm only costs a pass).
    func takeChanges() -> FileChanges?
}

/// Watches nothing: for a loop that only runs `once`.
package struct UnwatchedFiles: ChangeDetector {
    package let checkInterval: Duration = .seconds(1)
    package let namesPaths = true

    package init() {}

    package func takeChanges() -> FileChanges? { nil }
}

/// inotify where the kernel offers it, polling otherwise or when asked.
package enum ChangeDetectors {
    package static func make(
        paths: [String], polling: Bool, onOverflow: @escaping @Sendable () -> Void = {}
    ) -> any ChangeDetector {
        let fileSystem = LocalFileSystem()
        if !polling, let inotify = InotifyDetector(paths: paths, fileSystem: fileSystem, onOverflow: onOverflow) {
            return inotify
        }
        return PollingDetector(paths: paths, fileSystem: fileSystem)
    }
}

/// For file systems without inotify (`--poll`): compares fingerprints of the tree.
package final class PollingDetector: ChangeDetector {
    private let fingerprint: DirectoryFingerprint
    private let paths: [String]
    private let last: Mutex<UInt64>
    package let checkInterval: Duration
    package let namesPaths = false

    package init(paths: [String], fileSystem: any FileSystem, interval: Duration = .milliseconds(500)) {
        fingerprint = DirectoryFingerprint(fileSystem: fileSystem)
        self.paths = paths
        last = Mutex(fingerprint.take(paths))
        checkInterval = interval
    }

    package func takeChanges() -> FileChanges? {
        let now = fingerprint.take(paths)
        return last.withLock { last in
            defer { last = now }
            return last != now ? .everything : nil
        }
    }
}
