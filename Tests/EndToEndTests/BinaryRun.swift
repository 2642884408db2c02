import Foundation
import TestSupport

/// Runs the built `grafana-jit` binary and collects its exit status and output.
struct BinaryRun: Sendable {
    var status: Int32
    var stdout: String
    var stderr: String

    var lines: [String] { stdout.split(separator: "\n").map(String.init) }

    /// The project's root, for its `examples/` and `crds/`.
    static let projectRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The binary sits beside the test executable in the build folder.
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        .deletingLastPathComponent().appendingPathComponent("grafana-jit").path

    /// The test virtualenv's Python (made by `.ci/ensure-deps --test`), or the system's.
    static var python: (executable: String, arguments: [String]) {
        let venv = projectRoot + "/.build-python/bin/python3"
        return FileManager.default.isExecutableFile(atPath: venv) ? (venv, []) : ("/usr/bin/env", ["python3"])
    }

    /// Runs a Python script of the project's tests.
    static func python(_ arguments: [String]) async throws -> BinaryRun {
        try await run(python.executable, python.arguments + arguments, in: projectRoot)
    }

    /// Debian's Prometheus checker, when installed.
    static let promtool: String? =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool")
        ? "/usr/bin/promtool" : nil

    /// Runs on a thread of its own: waiting for a process must never block the concurrency pool.
    static func grafanaJIT(
        _ arguments: [String], environment: [String: String] = [:], in directory: String = projectRoot
    ) async throws -> BinaryRun {
        try await run(executable, arguments, environment: environment, in: directory)
    }

    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: String
    ) async throws -> BinaryRun {
        let output = try TemporaryDirectory()
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    let stdoutPath = try output.write("stdout", "")
                    let stderrPath = try output.write("stderr", "")
                    let process = Process()
                    process.executableURL = URL(fileURLWithPath: executable)
                    process.arguments = arguments
                    process.currentDirectoryURL = URL(fileURLWithPath: directory)
                    process.environment = ProcessInfo.processInfo.environment
                        .filter { !$0.key.hasPrefix("GRAFANA_") }
                        .merging(environment) { $1 }
                    // Files, not pipes: nothing can fill up and stall the child while we wait.
                    process.standardOutput = FileHandle(forWritingAtPath: stdoutPath)
                    process.standardError = FileHandle(forWritingAtPath: stderrPath)
                    try process.run()
                    process.waitUntilExit()
                    continuation.resume(
                        returning: BinaryRun(
                            status: process.terminationStatus,
                            stdout: try String(contentsOfFile: stdoutPath, encoding: .utf8),
                            stderr: try String(contentsOfFile: stderrPath, encoding: .utf8)))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }
}

extension Process {
    /// Starts the process from a thread of its own: `run()` forks and waits for the child's exec, and with many
    /// tests starting processes at once, those waits on the two threads of the concurrency pool stalled every other
    /// test for seconds.
    func start() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            Thread { continuation.resume(with: Result { try self.run() }) }.start()
        }
    }

    /// Terminates the process and waits for it on a thread of its own: `waitUntilExit` blocks, and a Task must not.
    func terminateAndWait() async -> Int32 {
        terminate()
        return await withCheckedContinuation { continuation in
            Thread {
                self.waitUntilExit()
                continuation.resume(returning: self.terminationStatus)
            }.start()
        }
    }
}
