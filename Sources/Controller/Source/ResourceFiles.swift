import AccessModel

/// Finds the resource files under the given paths: `*.yaml`/`*.yml`, recursively, skipping dot-names and what
/// `.grafana-jit-ignore` lists, never following a symbolic link out of its root, in a stable order.
package struct ResourceFiles: Sendable {
    package var fileSystem: any FileSystem

    package init(fileSystem: any FileSystem) {
        self.fileSystem = fileSystem
    }

    /// The files found, sorted by path, and the problems met on the way (unreadable folders, escaping links).
    /// A path named explicitly is taken whatever its extension. A file reached twice (through a link, or named
    /// twice) is listed once, under the path that sorts first, so it can't collide with itself.
    package func find(in paths: [String]) -> (files: [String], errors: [ResourceError]) {
        let (files, errors) = locate(in: paths)
        return (files.map(\.path), errors)
    }

    /// As `find`, with each file's path after resolving links (which decides its place).
    package func locate(in paths: [String]) -> (files: [(path: String, resolved: String)], errors: [ResourceError]) {
        var walk = Walk(fileSystem: fileSystem)
        for path in paths {
            walk.visitRoot(Self.trimmingTrailingSlashes(path))
        }
        var seen = Set<String>()
        let files = walk.files.sorted { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
            .filter { seen.insert($0.resolved).inserted }
        return (files, walk.errors)
    }

    /// `examples/` and `examples` name the same folder; only the second makes clean paths in messages.
    package static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    package static func isResourceFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
    }
}

/// One traversal; remembers directories already visited so linked folders cannot loop.
private struct Walk {
    let fileSystem: any FileSystem
    /// Each file as reached, with its path after resolving links.
    var files: [(path: String, resolved: String)] = []
    var errors: [ResourceError] = []
    private var visited: Set<String> = []

    init(fileSystem: any FileSystem) {
        self.fileSystem = fileSystem
    }

    mutating func visitRoot(_ path: String) {
        do {
            guard try fileSystem.kind(of: path) == .directory else {
                files.append((path, try fileSystem.resolvedPath(of: path)))
                return
            }
            // A root may itself be a link (git-sync): its target is the boundary links must stay within.
            let root = try fileSystem.resolvedPath(of: path)
            visitDirectory(path, relative: "", root: root, rules: try ignoreRules(in: path))
        } catch {
            errors.append(.unreadable(error.description, at: .start(of: path)))
        }
    }

    /// The folder's `.grafana-jit-ignore`; none when the file does not exist, an error when it can't be read.
    private func ignoreRules(in folder: String) throws(FileSystemError) -> IgnoreRules {
        let path = folder + "/" + IgnoreRules.fileName
        guard fileSystem.exists(path) else { return IgnoreRules() }
        return IgnoreRules(text: String(decoding: try fileSystem.contents(of: path, limit: 1 << 20), as: UTF8.self))
    }

    private mutating func visitDirectory(_ path: String, relative: String, root: String, rules: IgnoreRules) {
        do {
            let resolved = try fileSystem.resolvedPath(of: path)
            guard visited.insert(resolved).inserted else { return }
            for entry in try fileSystem.entries(of: path) where !entry.name.hasPrefix(".") {
                let entryPath = path + "/" + entry.name
                let entryRelative = relative.isEmpty ? entry.name : relative + "/" + entry.name
                var (kind, target) = (entry.kind, resolved + "/" + entry.name)
                if kind == .symbolicLink {
                    guard let link = linkTarget(entryPath, root: root) else { continue }
                    (kind, target) = link
                }
                switch kind {
                case .directory where !rules.ignores(entryRelative, isDirectory: true):
                    visitDirectory(entryPath, relative: entryRelative, root: root, rules: rules)
                case .file
                where ResourceFiles.isResourceFile(entry.name) && !rules.ignores(entryRelative, isDirectory: false):
                    files.append((entryPath, target))
                default:
                    continue
                }
            }
        } catch {
            errors.append(.unreadable(error.description, at: .start(of: path)))
        }
    }

    /// What a link inside the tree points to, or nil (with an error) when it leads outside `root` or nowhere.
    private mutating func linkTarget(_ path: String, root: String) -> (DirectoryEntry.Kind, String)? {
        do {
            let target = try fileSystem.resolvedPath(of: path)
            guard target == root || target.hasPrefix(root.hasSuffix("/") ? root : root + "/") else {
                guard
                    ResourceFiles.isResourceFile(String(path.split(separator: "/").last ?? ""))
                        || fileSystem.exists(path, as: .directory)
                else { return nil }
                errors.append(
                    .unreadable(
                        "symbolic link points outside \(root) (to \(target)); not followed", at: .start(of: path)))
                return nil
            }
            return (try fileSystem.kind(of: target), target)
        } catch {
            errors.append(.unreadable(error.description, at: .start(of: path)))
            return nil
        }
    }
}
