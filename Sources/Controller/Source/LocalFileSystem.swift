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

    package func contents(of path: String, limit: Int) throws(FileSystemError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(call: "open", path: path, errno: errno) }
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
