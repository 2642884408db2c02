import Foundation
import Testing

/// A commit is claimed only for grant files that are as committed: an untracked or modified file says
/// `uncommitted` in status and audit, and the commit once it is committed.
struct ProvenanceEndToEndTests {
    private func git(_ arguments: [String], in work: ControllerWorkspace) async throws -> String {
        // Waited for off the concurrency pool, like every child the tests start.
        let run = try await BinaryRun.run(
            "/usr/bin/git", ["-C", work.grants, "-c", "user.name=t", "-c", "user.email=t@example.com"] + arguments,
            in: work.grants)
        try #require(run.status == 0, "\(run.stderr)")
        return run.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func commit(of grant: String, in work: ControllerWorkspace) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: work.state + "/status/\(grant).json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["commit"] as? String
    }

    @Test func onlyCommittedFilesClaimTheCommit() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/git") else { return }
        let work = try await ControllerWorkspace.start()
        try work.grant("committed", access: "[{team: sre-leads}]")
        try work.grant("edited", user: "dave@example.com", access: "[{team: sre-leads}]")
        _ = try await git(["init", "-q", "-b", "main"], in: work)
        _ = try await git(["add", "."], in: work)
        _ = try await git(["commit", "-q", "-m", "grants"], in: work)
        let head = try await git(["rev-parse", "HEAD"], in: work)
        try work.grant("fresh", user: "erin@example.com", access: "[{team: sre-leads}]")
        try work.grant("edited", user: "dave@example.com", access: "[{team: sre-leads}]", duration: "2h")
        _ = try await work.once()
        #expect(try commit(of: "committed", in: work) == head)
        #expect(try commit(of: "fresh", in: work) == "uncommitted")
        #expect(try commit(of: "edited", in: work) == "uncommitted")
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
        let fresh = audit.filter { $0.contains(#""grant":"fresh""#) }
        #expect(!fresh.isEmpty && fresh.allSatisfy { $0.contains(#""commit":"uncommitted""#) }, "\(fresh)")
        let committed = audit.filter { $0.contains(#""grant":"committed""#) }
        #expect(!committed.isEmpty && committed.allSatisfy { $0.contains(#""commit":"\#(head)""#) }, "\(committed)")

        // Committed without a change of content: the status now names the new commit.
        _ = try await git(["add", "."], in: work)
        _ = try await git(["commit", "-q", "-m", "more grants"], in: work)
        let next = try await git(["rev-parse", "HEAD"], in: work)
        _ = try await work.once()
        #expect(try commit(of: "fresh", in: work) == next)
        _ = await work.simulator.stop()
    }
}
