import AccessModel
import TestSupport
import Testing

@testable import Controller

struct ResourceFilesTests {
    let directory: TemporaryDirectory
    let files = ResourceFiles(fileSystem: LocalFileSystem())

    init() throws {
        directory = try TemporaryDirectory()
    }

    private func relativeFiles(in paths: [String]? = nil) -> [String] {
        files.find(in: paths ?? [directory.path]).files.map { String($0.dropFirst(directory.path.count + 1)) }
    }

    @Test func findsYAMLFilesRecursivelyInByteOrder() throws {
        for name in ["b.yaml", "a.yml", "sub/z.yaml", "sub/deeper/c.yaml", "B.yaml", "notes.txt", "yaml"] {
            try directory.write(name, "")
        }
        #expect(relativeFiles() == ["B.yaml", "a.yml", "b.yaml", "sub/deeper/c.yaml", "sub/z.yaml"])
    }

    @Test func skipsDotNamesLikeGitAndGitSyncFolders() throws {
        for name in [".hidden.yaml", ".git/config.yaml", "..data/grant.yaml", "ok.yaml"] {
            try directory.write(name, "")
        }
        #expect(relativeFiles() == ["ok.yaml"])
    }

    @Test func honoursTheIgnoreFile() throws {
        try directory.write(".grafana-jit-ignore", "# examples of mistakes\ninvalid/\nkustomization.yaml\nci/*.yml\n")
        for name in ["invalid/bad.yaml", "kustomization.yaml", "sub/kustomization.yaml", "ci/x.yml", "grants/ok.yaml"] {
            try directory.write(name, "")
        }
        #expect(relativeFiles() == ["grants/ok.yaml"])
    }

    @Test func aFileNamedExplicitlyIsTakenWhateverItsExtension() throws {
        let path = try directory.write("grant.txt", "")
        #expect(files.find(in: [path]).files == [path])
    }

    @Test func neverFollowsALinkOutOfTheRoot() throws {
        let outside = try TemporaryDirectory()
        let secret = try outside.write("secret.yaml", "")
        try directory.write("root/ok.yaml", "")
        try directory.link("root/escape.yaml", to: secret)
        try directory.link("root/escape-dir", to: outside.path)
        let (found, errors) = files.find(in: [directory.path + "/root"])
        #expect(found == [directory.path + "/root/ok.yaml"])
        #expect(errors.count == 2)
        #expect(errors.allSatisfy { $0.message.contains("symbolic link points outside") })
    }

    @Test func followsLinksInsideTheRootWithoutLooping() throws {
        try directory.write("root/grants/a.yaml", "")
        try directory.link("root/alias.yaml", to: directory.path + "/root/grants/a.yaml")
        try directory.link("root/grants/loop", to: directory.path + "/root")
        #expect(relativeFiles(in: [directory.path + "/root"]) == ["root/alias.yaml"])
    }

    @Test func aFileNamedTwiceIsReadOnce() throws {
        try directory.write("root/a.yaml", "")
        let root = directory.path + "/root"
        #expect(files.find(in: [root + "/", root + "/./a.yaml", root]).files == [root + "/./a.yaml"])
        #expect(files.find(in: [root + "/"]).files == [root + "/a.yaml"])
    }

    @Test func aRootThatIsALinkIsResolvedFirstAsGitSyncDoes() throws {
        try directory.write("rev-1/grant.yaml", "")
        try directory.link("current", to: directory.path + "/rev-1")
        #expect(relativeFiles(in: [directory.path + "/current"]) == ["current/grant.yaml"])
    }

    @Test func aMissingPathIsReportedNotSkipped() {
        let (found, errors) = files.find(in: [directory.path + "/nope"])
        #expect(found.isEmpty)
        #expect(errors.map(\.message) == ["stat(\(directory.path)/nope) failed: no such file or directory"])
    }

    @Test func theLoaderReportsOversizedFilesAndDecodesTheRest() throws {
        try directory.write("big.yaml", String(repeating: "#", count: 2_000))
        try directory.write("ok.yaml", "")
        let decoder = ResourceDecoder(parser: .init(limits: .init(maxBytes: 1_000)))
        let decoded = ResourceLoader(fileSystem: LocalFileSystem(), decoder: decoder).decode(
            ResourceSources(anywhere: [directory.path]))
        #expect(decoded.map { $0.errors.map(\.message) } == [["file is 2000 bytes, over the limit of 1000 bytes"], []])
    }
}

struct IgnoreRulesTests {
    @Test(arguments: [
        ("invalid/", "invalid", true, true), ("invalid/", "invalid", false, false),
        ("*.tmp.yaml", "a/b.tmp.yaml", false, true),
        ("ci/*.yml", "ci/x.yml", false, true), ("ci/*.yml", "other/ci/x.yml", false, false),
        ("/top.yaml", "top.yaml", false, true),
        ("# comment", "# comment", false, false),
    ])
    func patternsMatchNamesOrPaths(pattern: String, path: String, isDirectory: Bool, ignored: Bool) {
        #expect(IgnoreRules(text: pattern).ignores(path, isDirectory: isDirectory) == ignored)
    }
}
