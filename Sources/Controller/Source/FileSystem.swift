/// The file-system calls the controller makes, so tests can run on an in-memory tree.
package protocol FileSystem: Sendable {
    /// The entries of a directory, unsorted, without following symbolic links.
    func entries(of directory: String) throws(FileSystemError) -> [DirectoryEntry]
    /// The kind of what `path` names, following symbolic links.
    func kind(of path: String) throws(FileSystemError) -> DirectoryEntry.Kind
    /// The absolute path with every symbolic link resolved.
    func resolvedPath(of path: String) throws(FileSystemError) -> String
    /// A file's bytes; refuses files over `limit` bytes without reading them. State files are read with
    /// `followingLinks` false: a link planted in the state folder must not make us read another file.
    func contents(of path: String, limit: Int, followingLinks: Bool) throws(FileSystemError) -> [UInt8]
    /// Replaces a file so readers see the old or the new content, never a mix, even after a power cut:
    /// temporary file, fsync, rename, fsync of the directory. Refuses a symbolic link at `path`.
    func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError)
    /// Replaces a file atomically (temporary file and rename) without waiting for the disk: for state that is
    /// merely convenient to keep (status reports, last valid copies), where fsync per file would dominate a pass.
    /// Refuses a symbolic link at `path`.
    func replace(_ bytes: [UInt8], at path: String) throws(FileSystemError)
    /// Appends and fsyncs before returning, creating the file if needed; refuses a symbolic link at `path`.
    func appendDurably(_ bytes: [UInt8], to path: String) throws(FileSystemError)
    func createDirectory(_ path: String) throws(FileSystemError)
    /// Removes a file; one that does not exist is not an error.
    func removeFile(_ path: String) throws(FileSystemError)
    /// Takes an exclusive lock on `path` (created if needed) for as long as the returned value lives; nil when
    /// another process holds it. Refuses a symbolic link at `path`.
    func lockExclusively(_ path: String) throws(FileSystemError) -> FileLock?
    /// Size, modification time and inode, following links: enough to notice that a file changed.
    func stamp(of path: String) throws(FileSystemError) -> FileStamp
}

/// A file's inode, size and modification time: numbers, since a resync compares 10,000 of them (as text, building
/// and parsing them took a third of its walk).
package struct FileStamp: Sendable, Hashable, CustomStringConvertible {
    package var inode: UInt64
    package var size: Int64
    package var seconds: Int
    package var nanoseconds: Int

    package init(inode: UInt64, size: Int64, seconds: Int, nanoseconds: Int) {
        (self.inode, self.size, self.seconds, self.nanoseconds) = (inode, size, seconds, nanoseconds)
    }

    /// The modification time, in seconds since 1970.
    package var modified: Double { Double(seconds) + Double(nanoseconds) / 1_000_000_000 }

    package var description: String { "\(inode):\(size):\(seconds).\(nanoseconds)" }
}

extension FileSystem {
    /// A file's bytes, following symbolic links (grant files may be links, as git-sync's checkout is).
    package func contents(of path: String, limit: Int) throws(FileSystemError) -> [UInt8] {
        try contents(of: path, limit: limit, followingLinks: true)
    }

    /// Whether `path` is there as `kind`. A failing stat means "not there": whatever else is wrong surfaces when the
    /// path is read or written.
    func exists(_ path: String, as kind: DirectoryEntry.Kind = .file) -> Bool {
        (try? self.kind(of: path)) == kind
    }

    /// Creates a folder and any missing parents (`STATE/main/org-2`).
    func createDirectories(_ path: String) throws(FileSystemError) {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try createDirectory(prefix)
        }
    }
}

/// An advisory lock held until released or the process ends.
package final class FileLock: Sendable {
    private let release: @Sendable () -> Void

    package init(release: @escaping @Sendable () -> Void) {
        self.release = release
    }

    deinit {
        release()
    }
}

/// One name in a directory.
package struct DirectoryEntry: Sendable, Hashable {
    package enum Kind: Sendable, Hashable {
        case file
        case directory
        case symbolicLink
        case other
    }

    package var name: String
    package var kind: Kind

    package init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// A failed file-system call: which call, on what, and errno (as NIO's `IOError`).
package enum FileSystemError: Error, Sendable, Equatable, CustomStringConvertible {
    case system(call: String, path: String, errno: Int32)
    case tooLarge(path: String, size: Int, limit: Int)
    /// A state file is a link, which could point the controller at a file it must not read or overwrite.
    case symbolicLink(path: String)

    package var description: String {
        switch self {
        case .system(let call, let path, let errno): "\(call)(\(path)) failed: \(Self.text(errno))"
        case .symbolicLink(let path): "\(path) is a symbolic link; refusing to follow it"
        case .tooLarge(_, let size, let limit): "file is \(size) bytes, over the limit of \(limit) bytes"
        }
    }

    private static func text(_ errno: Int32) -> String {
        switch errno {
        case 2: "no such file or directory"
        case 13: "permission denied"
        case 20: "not a directory"
        case 21: "is a directory"
        case 40: "too many levels of symbolic links"
        default: "errno \(errno)"
        }
    }
}
