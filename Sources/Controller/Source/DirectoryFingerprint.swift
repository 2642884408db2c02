import AccessModel

/// A digest of a grants tree: which files exist, where the root link points, and each file's size, time and
/// inode. Two equal fingerprints mean nothing a pass reads has changed.
package struct DirectoryFingerprint: Sendable {
    let files: ResourceFiles

    package init(fileSystem: any FileSystem) {
        files = ResourceFiles(fileSystem: fileSystem)
    }

    package func take(_ paths: [String]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String) {
            for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            hash = (hash ^ 0xFF) &* 0x100_0000_01b3
        }
        for path in paths {
            // A root that cannot be resolved is itself a state worth noticing; its error shows in the pass.
            mix((try? files.fileSystem.resolvedPath(of: path)) ?? "missing:" + path)
        }
        let (found, errors) = files.find(in: paths)
        for error in errors { mix(error.description) }
        for path in found {
            mix(path)
            // A file removed since it was listed changes the fingerprint like any other removal.
            mix((try? files.fileSystem.stamp(of: path))?.description ?? "gone")
        }
        return hash
    }
}
