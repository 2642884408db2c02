import Dispatch
import Foundation

/// Where the grants came from: the checkout's commit and, when its message names one, the pull or merge request.
package struct Provenance: Sendable, Equatable {
    package var commit: String
    package var pullRequest: Int?

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

/// A commit's message from the `git` program (commit objects are compressed, so git's own files do not give it
/// up as easily as refs). Run on a Dispatch thread, never on the concurrency pool.
package enum CommitMessage {
    /// Nil when there is no `git` on the PATH or it fails (then audit and status carry the commit alone).
    package static func read(_ commit: String, in directory: String) async -> String? {
        guard let git = program("git") else { return nil }
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: git)
                // The checkout may belong to another user (a git-sync sidecar): trust it for this read only.
                process.arguments = [
                    "-c", "safe.directory=*", "-C", directory, "log", "-1", "--format=%B", commit, "--",
                ]
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
                continuation.resume(
                    returning: process.terminationStatus == 0 ? String(decoding: data, as: UTF8.self) : nil)
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
