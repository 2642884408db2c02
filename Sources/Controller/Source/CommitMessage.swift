import Dispatch
import Foundation

/// Where the grants came from: the checkout's commit and, when its message names one, the pull or merge request.
package struct Provenance: Sendable, Equatable {
    package var commit: String
    package var pullRequest: Int?
    /// Grants whose file differs from the commit (modified or untracked): no commit is claimed for them.
    package var uncommittedGrants: Set<String> = []

    /// What status and audit say for grants of `names` (comma-separated): the commit, or `uncommitted`.
    package func claim(for names: String) -> (commit: String, pullRequest: Int?) {
        let isUncommitted = names.split(separator: ",").contains { uncommittedGrants.contains(String($0)) }
        return isUncommitted ? (Self.uncommitted, nil) : (commit, pullRequest)
    }

    package static let uncommitted = "uncommitted"

    package init(commit: String, pullRequest: Int?) {
        self.commit = commit
        self.pullRequest = pullRequest
    }

    /// The number a merge names: GitHub's "Merge pull request #12", GitLab's "See merge request group/project!12",
    /// or a squash merge's subject ending in "(#12)".
    package static func pullRequest(in message: String) -> Int? {
        let patterns = [
            #"Merge pull request #([0-9]+)"#, #"See merge request [^\s!]+!([0-9]+)"#,
            #"^[^\n]*\(#([0-9]+)\)[ \t]*(\n|$)"#,
        ]
        for pattern in patterns {
            // The patterns are constants that compile; a failure would only skip that form.
            guard let expression = try? NSRegularExpression(pattern: pattern),
                let match = expression.firstMatch(in: message, range: NSRange(message.startIndex..., in: message)),
                let range = Range(match.range(at: 1), in: message)
            else { continue }
            return Int(message[range])
        }
        return nil
    }
}

/// Runs the `git` program on a Dispatch thread, never on the concurrency pool, trusting the checkout for that one
/// command (it may belong to another user, such as a git-sync sidecar).
package enum GitCommand {
    /// Standard output, or nil when there is no `git` on the PATH or it fails.
    static func output(_ arguments: [String], in directory: String) async -> Data? {
        guard let git = program("git") else { return nil }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: git)
                process.arguments = ["-c", "safe.directory=*", "-C", directory] + arguments
                let output = Pipe()
                process.standardOutput = output
                process.standardError = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(returning: nil)
                    return
                }
                let data = output.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus == 0 ? data : nil)
            }
        }
    }

    private static func program(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }
}

/// A commit's message (commit objects are compressed, so git's own files do not give it up as easily as refs).
package enum CommitMessage {
    /// Nil when there is no `git` or it fails (then audit and status carry the commit alone).
    package static func read(_ commit: String, in directory: String) async -> String? {
        await GitCommand.output(["log", "-1", "--format=%B", commit, "--"], in: directory).map {
            String(decoding: $0, as: UTF8.self)
        }
    }
}

/// Files of a checkout that differ from its commit: modified, added or untracked, so no commit can be claimed for them.
package enum UncommittedFiles {
    /// Absolute paths (links resolved, as git reports them from the top of the work tree); nil without `git`.
    package static func read(in directory: String) async -> Set<String>? {
        guard let top = await GitCommand.output(["rev-parse", "--show-toplevel"], in: directory),
            let status = await GitCommand.output(
                ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"], in: directory)
        else { return nil }
        let root = String(decoding: top, as: UTF8.self).trimmingCharacters(in: .newlines)
        // Each entry is "XY path\0"; paths are relative to the top of the work tree.
        return Set(
            status.split(separator: 0).compactMap { entry -> String? in
                guard entry.count > 3 else { return nil }
                return root + "/" + String(decoding: entry.dropFirst(3), as: UTF8.self)
            })
    }
}
