import Foundation
import Glibc

/// The real file system, through plain POSIX calls (fast enough for 10,000 files per pass).
package struct LocalFileSystem: FileSystem {
    package init() {}

    package func entries(of directory: String) throws(FileSystemError) -> [DirectoryEntry] {
        guard let handle = opendir(directory) else { throw .system(call: "opendir", path: directory, errno: errno) }
        defer { closedir(handle) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name == "." || name == ".." { continue }
            let kind: DirectoryEntry.Kind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symbolicLink
            case Int32(DT_UNKNOWN): kind = try linkKind(of: directory + "/" + name)
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
        return entries
    }

    package func kind(of path: String) throws(FileSystemError) -> DirectoryEntry.Kind {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .system(call: "stat", path: path, errno: errno) }
        return Self.kind(of: info)
    }

    package func resolvedPath(of path: String) throws(FileSystemError) -> String {
        guard let resolved = realpath(path, nil) else { throw .system(call: "realpath", path: path, errno: errno) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    package func contents(of path: String, limit: Int, followingLinks: Bool) throws(FileSystemError) -> [UInt8] {
        let fd = try open(path, O_RDONLY | O_CLOEXEC | (followingLinks ? 0 : O_NOFOLLOW))
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .system(call: "fstat", path: path, errno: errno) }
        let size = Int(info.st_size)
        guard size <= limit else { throw .tooLarge(path: path, size: size, limit: limit) }
        // One byte over the stated size detects a file that grew after fstat.
        var bytes = [UInt8](repeating: 0, count: size + 1)
        var count = 0
        while count < bytes.count {
            let read = bytes.withUnsafeMutableBytes {
                Glibc.read(fd, $0.baseAddress.map { $0 + count }, $0.count - count)
            }
            if read < 0 {
                if errno == EINTR { continue }
                throw .system(call: "read", path: path, errno: errno)
            }
            if read == 0 { break }
            count += read
        }
        guard count <= limit else { throw .tooLarge(path: path, size: count, limit: limit) }
        bytes.removeLast(bytes.count - count)
        return bytes
    }

    package func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        try write(bytes, to: path, durably: true)
    }

    package func replace(_ bytes: [UInt8], at path: String) throws(FileSystemError) {
        try write(bytes, to: path, durably: false)
    }

    private func write(_ bytes: [UInt8], to path: String, durably: Bool) throws(FileSystemError) {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary =
            directory + "/." + ((path as NSString).lastPathComponent)
            + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try refuseLink(at: path)
        let fd = try open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode: 0o600)
        do throws(FileSystemError) {
            try writeAll(bytes, to: fd, path: temporary)
            guard !durably || fsync(fd) == 0 else {
                throw FileSystemError.system(call: "fsync", path: temporary, errno: errno)
            }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        guard rename(temporary, path) == 0 else {
            let error = errno
            unlink(temporary)
            throw .system(call: "rename", path: path, errno: error)
        }
        if durably { try syncDirectory(directory) }
    }

    package func appendDurably(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        let fd = try open(path, O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, mode: 0o600)
        defer { close(fd) }
        try writeAll(bytes, to: fd, path: path)
        guard fsync(fd) == 0 else { throw .system(call: "fsync", path: path, errno: errno) }
    }

    package func stamp(of path: String) throws(FileSystemError) -> FileStamp {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .system(call: "stat", path: path, errno: errno) }
        return FileStamp(
            inode: UInt64(info.st_ino), size: Int64(info.st_size), seconds: info.st_mtim.tv_sec,
            nanoseconds: info.st_mtim.tv_nsec)
    }

    package func lockExclusively(_ path: String) throws(FileSystemError) -> FileLock? {
        let fd = try open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode: 0o600)
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let error = errno
            close(fd)
            if error == EWOULDBLOCK { return nil }
            throw .system(call: "flock", path: path, errno: error)
        }
        return FileLock { close(fd) }
    }

    package func createDirectory(_ path: String) throws(FileSystemError) {
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw .system(call: "mkdir", path: path, errno: errno) }
    }

    package func removeFile(_ path: String) throws(FileSystemError) {
        guard unlink(path) == 0 || errno == ENOENT else { throw .system(call: "unlink", path: path, errno: errno) }
    }

    /// `open(2)`; with O_NOFOLLOW, a link as the last component fails with ELOOP, reported as the link it is.
    private func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(FileSystemError) -> Int32 {
        let fd = Glibc.open(path, flags, mode)
        guard fd < 0 else { return fd }
        let error = errno
        // Only to name the error better: when the kind cannot be read, the open's own errno is reported below.
        if error == ELOOP, flags & O_NOFOLLOW != 0, (try? linkKind(of: path)) == .symbolicLink {
            throw .symbolicLink(path: path)
        }
        throw .system(call: "open", path: path, errno: error)
    }

    /// Renaming over a link would replace it, but the caller meant the file the name should hold: say so instead.
    private func refuseLink(at path: String) throws(FileSystemError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        if info.st_mode & S_IFMT == S_IFLNK { throw .symbolicLink(path: path) }
    }

    private func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(FileSystemError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                Glibc.write(fd, $0.baseAddress.map { $0 + offset }, $0.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .system(call: "write", path: path, errno: errno)
            }
            offset += written
        }
    }

    /// Makes the rename itself durable (swift-linux-notes §6: Foundation's atomic write skips this).
    private func syncDirectory(_ directory: String) throws(FileSystemError) {
        let fd = try open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .system(call: "fsync", path: directory, errno: errno) }
    }

    private func linkKind(of path: String) throws(FileSystemError) -> DirectoryEntry.Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { throw .system(call: "lstat", path: path, errno: errno) }
        return Self.kind(of: info)
    }

    private static func kind(of info: stat) -> DirectoryEntry.Kind {
        switch info.st_mode & S_IFMT {
        case S_IFREG: .file
        case S_IFDIR: .directory
        case S_IFLNK: .symbolicLink
        default: .other
        }
    }
}
