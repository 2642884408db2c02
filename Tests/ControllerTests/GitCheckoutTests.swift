import TestSupport
import Testing

@testable import Controller

struct GitCheckoutTests {
    let directory: TemporaryDirectory
    let git = GitCheckout(fileSystem: LocalFileSystem())
    static let hash = "0123456789abcdef0123456789abcdef01234567"

    init() throws {
        directory = try TemporaryDirectory()
    }

    @Test func aBranchRefIsFollowedFromASubfolder() throws {
        try directory.write("repo/.git/HEAD", "ref: refs/heads/main\n")
        try directory.write("repo/.git/refs/heads/main", Self.hash + "\n")
        try directory.write("repo/grants/a.yaml", "")
        #expect(git.commit(of: directory.path + "/repo/grants") == Self.hash)
    }

    @Test func packedRefsAndDetachedHeadsWork() throws {
        try directory.write("packed/.git/HEAD", "ref: refs/heads/main\n")
        try directory.write("packed/.git/packed-refs", "# pack-refs with: peeled\n\(Self.hash) refs/heads/main\n")
        #expect(git.commit(of: directory.path + "/packed") == Self.hash)
        try directory.write("detached/.git/HEAD", Self.hash)
        #expect(git.commit(of: directory.path + "/detached") == Self.hash)
    }

    @Test func aWorktreeGitFileIsFollowed() throws {
        try directory.write("main/.git/worktrees/wt/HEAD", "ref: refs/heads/sync\n")
        try directory.write("main/.git/worktrees/wt/commondir", "../..\n")
        try directory.write("main/.git/refs/heads/sync", Self.hash)
        try directory.write("wt/.git", "gitdir: \(directory.path)/main/.git/worktrees/wt\n")
        #expect(git.commit(of: directory.path + "/wt") == Self.hash)
    }

    @Test func notACheckoutHasNoCommit() throws {
        try directory.write("plain/a.yaml", "")
        #expect(git.commit(of: directory.path + "/plain") == nil)
    }
}

struct PullRequestTests {
    @Test func mergeCommitsOfGitHubAndGitLabAndSquashSubjectsNameTheirRequest() {
        #expect(Provenance.pullRequest(in: "Merge pull request #42 from team/branch\n\nbody") == 42)
        #expect(Provenance.pullRequest(in: "Merge branch 'x' into 'main'\n\nSee merge request infra/access!17") == 17)
        #expect(Provenance.pullRequest(in: "Grant alice prod logs (#9)\n\n* details") == 9)
    }

    @Test func aNumberOnlyMentionedInTheBodyIsNotARequest() {
        #expect(Provenance.pullRequest(in: "Grant alice prod logs\n\nfollow-up to (#9)") == nil)
        #expect(Provenance.pullRequest(in: "Fix #12 typo") == nil)
    }
}
