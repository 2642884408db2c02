import Foundation
import TestSupport

/// `Tests/TLS/tls_server.py serve` as a child process: a TLS server on a free loopback port, answering itself or
/// relaying to an upstream (the simulator), with test certificates from `tls_server.py certs`.
final class TLSServerProcess: Sendable {
    let port: Int
    private let process: Process
    private let logs: TemporaryDirectory

    private init(port: Int, process: Process, logs: TemporaryDirectory) {
        self.port = port
        self.process = process
        self.logs = logs
    }

    /// Test certificates in a new folder: `ca.pem`, `server.pem`, `wrong-name.pem`, `expired.pem`, `untrusted.pem`,
    /// `client.pem` with their `.key` files.
    static func certificates() async throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        let run = try await BinaryRun.python(["Tests/TLS/tls_server.py", "certs", folder.path])
        guard run.status == 0 else { throw SimulatorProcess.StartFailed(description: "certs: \(run.stderr)") }
        return folder
    }

    static func start(certificate name: String, in certificates: TemporaryDirectory, extra: [String] = [])
        async throws -> TLSServerProcess
    {
        let logs = try TemporaryDirectory()
        let stdout = try logs.write("stdout", "")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: BinaryRun.python.executable)
        process.arguments =
            BinaryRun.python.arguments + [
                BinaryRun.projectRoot + "/Tests/TLS/tls_server.py", "serve", "--cert",
                certificates.path + "/\(name).pem", "--key", certificates.path + "/\(name).key",
            ] + extra
        process.standardOutput = FileHandle(forWritingAtPath: stdout)
        process.standardError = FileHandle(forWritingAtPath: try logs.write("stderr", ""))
        try await process.start()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first,
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let port = object["port"] as? Int
            {
                return TLSServerProcess(port: port, process: process, logs: logs)
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        process.terminate()
        throw SimulatorProcess.StartFailed(description: "TLS server did not start")
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func stop() async {
        _ = await process.terminateAndWait()
    }
}
