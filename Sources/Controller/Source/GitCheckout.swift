import Foundation

/// The commit a grants folder is checked out at, read from git's own files (no git binary needed): `.git` as a
/// folder or as a `gitdir:` file (worktrees, git-sync), `HEAD` as a hash or a ref, refs loose or packed.
package struct GitCheckout: Sendable {
    let fileSystem: any FileSystem

    package init(fileSystem: any FileSystem) {
        self.fileSystem = fileSystem
    }

    /// The commit hash, or nil when `path` is not inside a git checkout.
    package func commit(of path: String) -> String? {
        guard var directory = try? fileSystem.resolvedPath(of: path) else { return nil }
        while true {
            if let gitDirectory = self.gitDirectory(in: directory) { return head(of: gitDirectory) }
            guard let slash = directory.lastIndex(of: "/"), directory != "/" else { return nil }
            directory = slash == directory.startIndex ? "/" : String(directory[..<slash])
        }
    }

    private func gitDirectory(in directory: String) -> String? {
        let candidate = (directory == "/" ? "" : directory) + "/.git"
        // No readable .git here just means "look one folder up".
        switch try? fileSystem.kind(of: candidate) {
        case .directory?: return candidate
        case .file?:
            guard let text = read(candidate), text.hasPrefix("gitdir: ") else { return nil }
            let target = String(text.dropFirst("gitdir: ".count))
            return target.hasPrefix("/") ? target : directory + "/" + target
        default: return nil
        }
    }

    private func head(of gitDirectory: String) -> String? {
        guard let head = read(gitDirectory + "/HEAD") else { return nil }
        guard head.hasPrefix("ref: ") else { return Self.isHash(head) ? head : nil }
        let ref = String(head.dropFirst("ref: ".count))
        // Worktrees keep their refs in the main repository, named by `commondir`.
        let common = read(gitDirectory + "/commondir").map { $0.hasPrefix("/") ? $0 : gitDirectory + "/" + $0 }
        for directory in [gitDirectory] + (common.map { [$0] } ?? []) {
            if let hash = read(directory + "/" + ref), Self.isHash(hash) { return hash }
            for line in (read(directory + "/packed-refs") ?? "").split(separator: "\n") where line.hasSuffix(" " + ref)
            {
                return String(line.prefix { $0 != " " })
            }
        }
        return nil
    }

    /// A small text file's content without surrounding whitespace; nil when it does not exist.
    private func read(_ path: String) -> String? {
        guard let bytes = try? fileSystem.contents(of: path, limit: 1 << 20) else { return nil }
        return String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func isHash(_ text: String) -> Bool {
        (text.count == 40 || text.count == 64) && text.allSatisfy(\.isHexDigit)
    }
}
