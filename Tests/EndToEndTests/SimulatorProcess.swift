import Foundation
import TestSupport

/// `grafana-jit simulate` as a child process on a free port, stopped with SIGTERM.
final class SimulatorProcess: Sendable {
    let url: String
    private let process: Process
    private let logs: TemporaryDirectory

    struct StartFailed: Error, CustomStringConvertible {
        var description: String
    }

    private init(url: String, process: Process, logs: TemporaryDirectory) {
        self.url = url
        self.process = process
        self.logs = logs
    }

    static func start(fixture: String = "examples/grafana-fixture.yaml") async throws -> SimulatorProcess {
        let logs = try TemporaryDirectory()
        let stderr = try logs.write("stderr", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BinaryRun.executable)
        process.arguments = ["simulate", "--fixture", fixture, "--listen", "127.0.0.1:0"]
        process.currentDirectoryURL = URL(fileURLWithPath: BinaryRun.projectRoot)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: stderr)
        try await process.start()
        // Poll the log for the address, with a deadline: the only wait is for the process to come up. A full run's
        // start stalls the machine for 8-10 s, so the deadline is well past that.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.contains("event=simulator.started") }),
                let field = line.split(separator: " ").first(where: { $0.hasPrefix("url=") })
            {
                return SimulatorProcess(url: String(field.dropFirst(4)), process: process, logs: logs)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw StartFailed(
            description: "simulator did not start: \((try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")")
    }

    /// A test that fails before `stop()` must not leave its simulator running.
    deinit {
        if process.isRunning { process.terminate() }
    }

    /// Sends SIGTERM and returns the exit status and what was logged.
    func stop() async -> (status: Int32, log: String) {
        let status = await process.terminateAndWait()
        return (status, (try? String(contentsOfFile: logs.path + "/stderr", encoding: .utf8)) ?? "")
    }
}
