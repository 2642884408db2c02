import AccessModel
import Glibc

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
        let tree = walk(paths)
        return (tree.files, tree.errors)
    }

    /// One walk of the paths, kept so that changes inotify names can be applied to it without walking again.
    package func walk(_ paths: [String]) -> ResourceTree {
        var walk = Walk(fileSystem: fileSystem)
        for path in paths {
            walk.visitRoot(Self.trimmingTrailingSlashes(path))
        }
        var seen = Set<String>()
        let files = walk.files.sorted { Self.precedes($0.path, $1.path) }
            .filter { seen.insert($0.resolved).inserted }
        return ResourceTree(
            paths: paths, roots: Self.resolvedRoots(paths, fileSystem: fileSystem), files: files, targets: seen,
            errors: walk.errors, folders: walk.folders)
    }

    /// Where each path leads now (nil: nowhere): a git-sync link swap changes it.
    static func resolvedRoots(_ paths: [String], fileSystem: any FileSystem) -> [String?] {
        // A root that cannot be resolved is compared as missing.
        paths.map { try? fileSystem.resolvedPath(of: trimmingTrailingSlashes($0)) }
    }

    /// `examples/` and `examples` name the same folder; only the second makes clean paths in messages.
    package static func trimmingTrailingSlashes(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        return String(path)
    }

    /// Byte order, by one `memcmp` of the two paths' UTF-8 (a resync sorts 10,000 of them; comparing byte by byte
    /// through the UTF-8 views took a fifth of its walk).
    static func precedes(_ first: String, _ second: String) -> Bool {
        var (first, second) = (first, second)
        return first.withUTF8 { one in
            second.withUTF8 { other in
                let common = min(one.count, other.count)
                let order = common == 0 ? 0 : memcmp(one.baseAddress!, other.baseAddress!, common)
                return order != 0 ? order < 0 : one.count < other.count
            }
        }
    }

    /// Where `path` is, or would be inserted, among items sorted by path in byte order (the order files are listed in).
    static func position<Items: RandomAccessCollection<Element>, Element>(
        of path: String, in items: Items, path pathOf: (Element) -> String
    ) -> (index: Int, found: Bool) where Items.Index == Int {
        var (low, high) = (items.startIndex, items.endIndex)
        while low < high {
            let middle = (low + high) / 2
            if precedes(pathOf(items[middle]), path) {
                low = middle + 1
            } else {
                high = middle
            }
        }
        return (low, low < items.endIndex && pathOf(items[low]) == path)
    }

    package static func isResourceFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yaml") || name.hasSuffix(".yml"))
    }
}

/// The resource files one walk found, and the folders it entered plainly (from a root, through no link), with
/// what decides which of their files count. `updating` applies the paths inotify names to it: a file written,
/// created, moved or deleted in such a folder is looked at alone; anything else (a folder, a link, an ignore file,
/// a root that now leads elsewhere) needs a walk.
package struct ResourceTree: Sendable {
    struct Folder: Sendable {
        var resolved: String
        /// The path from its root, which ignore patterns match.
        var relative: String
        var rules: IgnoreRules
    }

    let paths: [String]
    let roots: [String?]
    /// Sorted by path (bytes), each file once, with its path after resolving links.
    package private(set) var files: [(path: String, resolved: String)]
    /// Every file's resolved path: a file reached twice is listed once.
    private var targets: Set<String>
    package let errors: [ResourceError]
    let folders: [String: Folder]

    init(
        paths: [String], roots: [String?], files: [(path: String, resolved: String)], targets: Set<String>,
        errors: [ResourceError], folders: [String: Folder]
    ) {
        self.paths = paths
        self.roots = roots
        self.files = files
        self.targets = targets
        self.errors = errors
        self.folders = folders
    }

    /// The tree with `changed` looked at again, or nil when one of them needs a walk.
    package func updating(_ changed: Set<String>, fileSystem: any FileSystem) -> ResourceTree? {
        guard ResourceFiles.resolvedRoots(paths, fileSystem: fileSystem) == roots else { return nil }
        var tree = self
        for path in changed.sorted() {
            guard tree.update(path, fileSystem: fileSystem) else { return nil }
        }
        return tree
    }

    /// False when the path needs a walk.
    private mutating func update(_ path: String, fileSystem: any FileSystem) -> Bool {
        guard let slash = path.lastIndex(of: "/"), let folder = folders[String(path[..<slash])] else { return false }
        let name = String(path[path.index(after: slash)...])
        // Where a plain file of that name would lie; anything else there (a link) is for a walk to judge.
        let plain = folder.resolved + "/" + name
        if name.hasPrefix(".") {
            // Hidden files are never read, but a hidden link or folder may be what visible files lead through
            // (Kubernetes' `..data` swap): that needs a walk. A name already gone left nothing to follow.
            guard name != IgnoreRules.fileName else { return false }
            guard let kind = try? fileSystem.kind(of: path) else { return true }
            return kind == .file && (try? fileSystem.resolvedPath(of: path)) == plain
        }
        let relative = folder.relative.isEmpty ? name : folder.relative + "/" + name
        let kind: DirectoryEntry.Kind
        do {
            kind = try fileSystem.kind(of: path)
        } catch .system(_, _, ENOENT) {
            return drop(path, plain: plain)
        } catch {
            return false
        }
        switch kind {
        case .file:
            guard ResourceFiles.isResourceFile(name), !folder.rules.ignores(relative, isDirectory: false) else {
                return drop(path, plain: plain)
            }
            let resolved = plain
            // A link, or a file another path also reaches, is for a walk to judge.
            guard (try? fileSystem.resolvedPath(of: path)) == resolved else { return false }
            let (index, found) = position(of: path)
            if found { return files[index].resolved == resolved }
            guard targets.insert(resolved).inserted else { return false }
            files.insert((path, resolved), at: index)
            return true
        case .directory, .symbolicLink:
            return false
        case .other:
            return drop(path, plain: plain)
        }
    }

    /// Takes a path that no longer holds a resource file off the list; false (a walk must judge) when it was not
    /// listed but a listed link led to it: that link now leads nowhere, or elsewhere.
    private mutating func drop(_ path: String, plain: String) -> Bool {
        guard position(of: path).found || !targets.contains(plain) else { return false }
        remove(path)
        return true
    }

    private mutating func remove(_ path: String) {
        let (index, found) = position(of: path)
        guard found else { return }
        targets.remove(files[index].resolved)
        files.remove(at: index)
    }

    /// The resolved path of a file the tree lists.
    package func resolved(_ path: String) -> String? {
        let (index, found) = position(of: path)
        return found ? files[index].resolved : nil
    }

    /// Where `path` is, or would be inserted, in the sorted files.
    private func position(of path: String) -> (index: Int, found: Bool) {
        ResourceFiles.position(of: path, in: files, path: \.path)
    }
}

/// One traversal; remembers directories already visited so linked folders cannot loop.
private struct Walk {
    let fileSystem: any FileSystem
    /// Each file as reached, with its path after resolving links.
    var files: [(path: String, resolved: String)] = []
    var errors: [ResourceError] = []
    /// The folders entered through no link, by path.
    var folders: [String: ResourceTree.Folder] = [:]
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
            visitDirectory(path, relative: "", root: root, rules: try ignoreRules(in: path), plainly: true)
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

    private mutating func visitDirectory(
        _ path: String, relative: String, root: String, rules: IgnoreRules, plainly: Bool
    ) {
        do {
            let resolved = try fileSystem.resolvedPath(of: path)
            guard visited.insert(resolved).inserted else { return }
            if plainly { folders[path] = ResourceTree.Folder(resolved: resolved, relative: relative, rules: rules) }
            for entry in try fileSystem.entries(of: path) where !entry.name.hasPrefix(".") {
                let entryPath = path + "/" + entry.name
                let entryRelative = relative.isEmpty ? entry.name : relative + "/" + entry.name
                var (kind, target) = (entry.kind, resolved + "/" + entry.name)
                let linked = kind == .symbolicLink
                if linked {
                    guard let link = linkTarget(entryPath, root: root) else { continue }
                    (kind, target) = link
                }
                switch kind {
                case .directory where !rules.ignores(entryRelative, isDirectory: true):
                    visitDirectory(
                        entryPath, relative: entryRelative, root: root, rules: rules, plainly: plainly && !linked)
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
