import Foundation
import TestSupport

/// `grafana-jit run` as a daemon child process, stopped with SIGTERM.
final class ControllerProcess: Sendable {
    private let process: Process
    private let logPath: String
    private let logs: TemporaryDirectory

    private init(process: Process, logPath: String, logs: TemporaryDirectory) {
        self.process = process
        self.logPath = logPath
        self.logs = logs
    }

    static func start(
        _ work: ControllerWorkspace, grants: String? = nil, extra: [String] = [], environment: [String: String] = [:]
    ) async throws -> ControllerProcess {
        let logs = try TemporaryDirectory()
        let logPath = try logs.write("stderr", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BinaryRun.executable)
        process.arguments = ["run"] + work.arguments(grants: grants) + extra
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["GRAFANA_TOKEN": "glsa_simulator_controller_token"].merging(environment) { $1 }
        ) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try await process.start()
        return ControllerProcess(process: process, logPath: logPath, logs: logs)
    }

    /// A test that fails before `stop()` must not leave its controller running.
    deinit {
        if process.isRunning { process.terminate() }
    }

    /// After it ended: whether a signal ended it, rather than its own exit (the status is then the signal's number).
    var endedBySignal: Bool { !process.isRunning && process.terminationReason == .uncaughtSignal }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Waits for the start line first: a SIGTERM that lands before `run` installs its handler (a few milliseconds
    /// after exec) ends the process by the signal, which is harmless but not the shutdown under test.
    func stop() async -> (status: Int32, log: String) {
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, !log.contains("controller.started"), Date() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let status = await process.terminateAndWait()
        return (status, log)
    }

    func kill() async {
        Foundation.kill(process.processIdentifier, SIGKILL)
        _ = await process.terminateAndWait()
    }
}
