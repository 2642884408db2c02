import AccessModel
import Foundation
import GrafanaSimulator
import Synchronization
import TestSupport
import Testing

@testable import Controller

/// A walk's tree, updated with the paths inotify names, lists exactly what a new walk would; whatever a path alone
/// cannot settle (a folder, a link, an ignore file, a swapped root) asks for a walk instead.
struct ResourceTreeTests {
    let directory: TemporaryDirectory
    let files = ResourceFiles(fileSystem: LocalFileSystem())
    var root: String { directory.path + "/repo" }

    init() throws {
        directory = try TemporaryDirectory()
        try directory.write("repo/.grafana-jit-ignore", "drafts/\n*.skip.yaml\n")
        for name in ["a.yaml", "team/b.yaml", "team/c.yml", "drafts/d.yaml", "notes.txt"] {
            try directory.write("repo/" + name, "")
        }
    }

    private func updated(_ tree: ResourceTree, _ relative: [String]) -> ResourceTree? {
        tree.updating(Set(relative.map { root + "/" + $0 }), fileSystem: LocalFileSystem())
    }

    private func listed(_ tree: ResourceTree?) -> [String]? {
        tree?.files.map { String($0.path.dropFirst(root.count + 1)) }
    }

    /// Paths sort in byte order, as the UTF-8 views compare: a prefix first, and `é` (0xC3 0xA9) after `z`.
    @Test func pathsSortInByteOrder() {
        let paths = ["a/b.yaml", "a/é.yaml", "a/z.yaml", "a", "a/b.yaml.d", "", "A/b.yaml"]
        let sorted = paths.sorted(by: ResourceFiles.precedes)
        #expect(sorted == paths.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "\(sorted)")
        #expect(sorted == ["", "A/b.yaml", "a", "a/b.yaml", "a/b.yaml.d", "a/z.yaml", "a/é.yaml"])
    }

    @Test func namedFilesAddedChangedAndRemovedMatchANewWalk() throws {
        let tree = files.walk([root])
        #expect(listed(tree) == ["a.yaml", "team/b.yaml", "team/c.yml"])
        try directory.write("repo/team/a0.yaml", "")
        try directory.write("repo/team/b.yaml", "changed")
        try directory.write("repo/x.skip.yaml", "")
        try directory.write("repo/team/.swap.yaml", "")
        try directory.write("repo/team/readme.md", "")
        try FileManager.default.removeItem(atPath: root + "/a.yaml")
        let next = updated(
            tree, ["team/a0.yaml", "team/b.yaml", "x.skip.yaml", "team/.swap.yaml", "team/readme.md", "a.yaml"])
        #expect(listed(next) == ["team/a0.yaml", "team/b.yaml", "team/c.yml"])
        #expect(listed(next) == listed(files.walk([root])))
        #expect(next?.files.map(\.resolved) == files.walk([root]).files.map(\.resolved))
    }

    @Test func whatAPathCannotSettleNeedsAWalk() throws {
        let tree = files.walk([root])
        try directory.write("repo/new/e.yaml", "")
        #expect(updated(tree, ["new/e.yaml"]) == nil, "a folder the walk never entered")
        #expect(updated(tree, ["new"]) == nil, "a folder")
        #expect(updated(tree, [".grafana-jit-ignore"]) == nil, "the ignore rules")
        #expect(updated(tree, ["drafts/d.yaml"]) == nil, "an ignored folder is never entered")
        try directory.link("repo/linked.yaml", to: root + "/team/b.yaml")
        #expect(updated(tree, ["linked.yaml"]) == nil, "a link")
    }

    /// Kubernetes mounts a ConfigMap as `p.yaml -> ..data/p.yaml`, `..data -> ..2026_...`, and swaps `..data`:
    /// only hidden names change, but the visible file now leads elsewhere.
    @Test func aHiddenLinkSwappedUnderVisibleFilesNeedsAWalk() throws {
        try directory.write("repo/mount/..rev-1/p.yaml", "one")
        try directory.write("repo/mount/..rev-2/p.yaml", "two")
        try directory.link("repo/mount/..data", to: "..rev-1")
        try directory.link("repo/mount/p.yaml", to: "..data/p.yaml")
        let tree = files.walk([root])
        #expect(listed(tree)?.contains("mount/p.yaml") == true)
        try directory.link("repo/mount/..data_tmp", to: "..rev-2")
        #expect(rename(root + "/mount/..data_tmp", root + "/mount/..data") == 0)
        #expect(updated(tree, ["mount/..data_tmp", "mount/..data"]) == nil)
        try directory.write("repo/team/.b.yaml.swp", "x")
        #expect(updated(tree, ["team/.b.yaml.swp", "team/.gone.tmp"]) != nil, "a hidden plain file, or one gone")
    }

    /// A file reached only through a link that sorts first is listed under the link: moving or deleting it leaves
    /// the link dangling or leading elsewhere, which a walk must judge.
    @Test func theTargetOfAListedLinkGoneNeedsAWalk() throws {
        try directory.link("repo/alias.yaml", to: root + "/team/b.yaml")
        let tree = files.walk([root])
        #expect(listed(tree) == ["a.yaml", "alias.yaml", "team/c.yml"])
        try FileManager.default.removeItem(atPath: root + "/team/b.yaml")
        #expect(updated(tree, ["team/b.yaml"]) == nil)
    }

    @Test func aSwappedRootNeedsAWalk() throws {
        try directory.write("rev-2/a.yaml", "")
        try directory.link("live", to: root)
        let live = directory.path + "/live"
        let tree = files.walk([live])
        #expect(tree.updating([live + "/a.yaml"], fileSystem: LocalFileSystem()) != nil)
        try FileManager.default.removeItem(atPath: live)
        try directory.link("live", to: directory.path + "/rev-2")
        #expect(tree.updating([live + "/a.yaml"], fileSystem: LocalFileSystem()) == nil)
    }

    @Test func aPassToldWhichFilesChangedReadsOnlyThose() throws {
        let fileSystem = LocalFileSystem()
        let sources = ResourceSources(grants: [root], policies: [])
        func grant(_ name: String, reason: String) throws {
            try directory.write(
                "repo/team/\(name).yaml",
                """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessGrant
                metadata: {name: \(name)}
                spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: \(reason)}
                """)
        }
        try grant("g1", reason: "one")
        try grant("g2", reason: "one")
        var read = LastValidFiles(stateDirectory: directory.path + "/state", fileSystem: fileSystem)
        func reasons(_ changed: FileChanges) throws -> [String] {
            let decoded = try read.decode(
                sources, with: ResourceLoader(fileSystem: fileSystem), saving: false, trustingStamps: true,
                changed: changed)
            return ResourceCatalog(files: decoded.files).grants.map { "\($0.name)=\($0.reason)" }.sorted()
        }
        #expect(try reasons(.everything) == ["g1=one", "g2=one"])
        try grant("g1", reason: "two")
        try grant("g2", reason: "two")
        try grant("g3", reason: "two")
        #expect(
            try reasons(.paths([root + "/team/g1.yaml", root + "/team/g3.yaml"])) == ["g1=two", "g2=one", "g3=two"],
            "g2 was not named: not read")
        #expect(try reasons(.everything) == ["g1=two", "g2=two", "g3=two"])
    }

    @Test(arguments: 0..<10)
    func randomEditsReadByPathEqualAWholeRead(seed: UInt64) throws {
        let fileSystem = LocalFileSystem()
        let sources = ResourceSources(grants: [root], policies: [])
        let loader = ResourceLoader(fileSystem: fileSystem)
        var random = FaultDice(state: seed)
        try fileSystem.createDirectories(directory.path + "/state-a")
        try fileSystem.createDirectories(directory.path + "/state-b")
        var byPath = LastValidFiles(stateDirectory: directory.path + "/state-a", fileSystem: fileSystem)
        var whole = LastValidFiles(stateDirectory: directory.path + "/state-b", fileSystem: fileSystem)
        _ = try byPath.decode(sources, with: loader)
        _ = try whole.decode(sources, with: loader)
        let names = ["a.yaml", "team/b.yaml", "team/c.yml", "team/d.yaml", "e.yaml", "x.skip.yaml", "notes.txt"]
        for step in 0..<40 {
            let name = names[Int.random(in: 0..<names.count, using: &random)]
            let path = root + "/" + name
            switch Int.random(in: 0..<4, using: &random) {
            // Removing a file that is not there is a step that changes nothing.
            case 0: try? FileManager.default.removeItem(atPath: path)
            case 1: try directory.write("repo/" + name, "kind: [broken")
            default:
                try directory.write(
                    "repo/" + name,
                    """
                    apiVersion: grafana-jit.io/v1alpha1
                    kind: AccessGrant
                    metadata: {name: g\(step)}
                    spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: r}
                    """)
            }
            let patched = try byPath.decode(sources, with: loader, changed: .paths([path]))
            let read = try whole.decode(sources, with: loader)
            #expect(patched.files == read.files, "seed \(seed) step \(step): \(name)")
            #expect(patched.fellBack == read.fellBack, "seed \(seed) step \(step)")
            #expect(byPath.contentHashes == whole.contentHashes, "seed \(seed) step \(step)")
        }
    }

    /// A read that fails part-way (the disk refuses a last-valid copy) leaves nothing to patch: the next read walks
    /// and reads every file, so the changes named to the failed one are not lost.
    @Test func aFailedReadLeavesNothingToPatch() throws {
        let fileSystem = RefusingCopies()
        let sources = ResourceSources(grants: [root], policies: [])
        let loader = ResourceLoader(fileSystem: fileSystem)
        try fileSystem.createDirectories(directory.path + "/state")
        var read = LastValidFiles(stateDirectory: directory.path + "/state", fileSystem: fileSystem)
        func grant(_ name: String, reason: String) throws {
            try directory.write(
                "repo/team/\(name).yaml",
                """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessGrant
                metadata: {name: \(name)}
                spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-logs, permission: Query}], duration: 1h, reason: \(reason)}
                """)
        }
        func reasons(_ changed: FileChanges) throws -> [String] {
            let decoded = try read.decode(sources, with: loader, changed: changed)
            return ResourceCatalog(files: decoded.files).grants.map { "\($0.name)=\($0.reason)" }.sorted()
        }
        try grant("g1", reason: "one")
        try grant("g2", reason: "one")
        #expect(try reasons(.everything) == ["g1=one", "g2=one"])
        try grant("g1", reason: "two")
        try grant("g2", reason: "two")
        fileSystem.refusing.withLock { $0 = true }
        #expect(throws: FileSystemError.self) { try reasons(.paths([root + "/team/g1.yaml", root + "/team/g2.yaml"])) }
        fileSystem.refusing.withLock { $0 = false }
        #expect(try reasons(.paths([])) == ["g1=two", "g2=two"], "nothing named, yet both read: the last read failed")
    }
}

/// The local file system, except that it refuses to write or append (the last-valid journal) while `refusing` is set.
final class RefusingCopies: FileSystem {
    let local = LocalFileSystem()
    let refusing = Mutex(false)

    func entries(of directory: String) throws(FileSystemError) -> [DirectoryEntry] {
        try local.entries(of: directory)
    }
    func kind(of path: String) throws(FileSystemError) -> DirectoryEntry.Kind { try local.kind(of: path) }
    func resolvedPath(of path: String) throws(FileSystemError) -> String { try local.resolvedPath(of: path) }
    func contents(of path: String, limit: Int, followingLinks: Bool) throws(FileSystemError) -> [UInt8] {
        try local.contents(of: path, limit: limit, followingLinks: followingLinks)
    }
    func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        if refusing.withLock({ $0 }) { throw .system(call: "rename", path: path, errno: ENOSPC) }
        try local.writeAtomically(bytes, to: path)
    }
    func replace(_ bytes: [UInt8], at path: String) throws(FileSystemError) {
        try local.replace(bytes, at: path)
    }
    func appendDurably(_ bytes: [UInt8], to path: String) throws(FileSystemError) {
        if refusing.withLock({ $0 }) { throw .system(call: "write", path: path, errno: ENOSPC) }
        try local.appendDurably(bytes, to: path)
    }
    func createDirectory(_ path: String) throws(FileSystemError) { try local.createDirectory(path) }
    func removeFile(_ path: String) throws(FileSystemError) { try local.removeFile(path) }
    func lockExclusively(_ path: String) throws(FileSystemError) -> FileLock? { try local.lockExclusively(path) }
    func stamp(of path: String) throws(FileSystemError) -> FileStamp { try local.stamp(of: path) }
}
