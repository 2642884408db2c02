import Synchronization

/// Tells the daemon whether the grants tree may have changed since it last asked.
package protocol ChangeDetector: Sendable {
    /// How often the daemon should ask.
    var checkInterval: Duration { get }
    /// True when something changed since the previous call (false positives only cost a pass).
    func takeChange() -> Bool
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

    package init(paths: [String], fileSystem: any FileSystem, interval: Duration = .milliseconds(500)) {
        fingerprint = DirectoryFingerprint(fileSystem: fileSystem)
        self.paths = paths
        last = Mutex(fingerprint.take(paths))
        checkInterval = interval
    }

    package func takeChange() -> Bool {
        let now = fingerprint.take(paths)
        return last.withLock { last in
            defer { last = now }
            return last != now
        }
    }
}
