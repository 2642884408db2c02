import Foundation
@preconcurrency import Glibc

/// One finished child process: exit status, wall time, peak resident memory (from the kernel's rusage).
struct ProcessMeasurement {
    var status: Int32
    var wallSeconds: Double
    var peakResidentBytes: Int
    /// User plus system CPU time of the child.
    var cpuSeconds: Double = 0

    /// `run` on a thread of its own, so waiting for the child never blocks the concurrency pool (which serves the
    /// in-process simulator the child talks to).
    static func measure(_ arguments: [String], environment: [String: String]) async throws -> ProcessMeasurement {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try run(arguments, environment: environment) }) }.start()
        }
    }

    /// Runs `arguments` with stdout and stderr sent to /dev/null, waiting with wait4 to read its rusage; the
    /// child gets this process's environment plus `environment`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessMeasurement {
        let start = Date()
        let pid = try spawn(arguments, environment: environment)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchmarkError.waitFailed(errno: errno) }
        }
        let wall = Date().timeIntervalSince(start)
        // ru_maxrss is in kilobytes on Linux.
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        // A child ended by a signal (a crash) must not read as exit 0: report it as the shell does, 128 + signal.
        let signal = status & 0x7f
        return ProcessMeasurement(
            status: signal != 0 ? 128 + signal : (status >> 8) & 0xff, wallSeconds: wall,
            peakResidentBytes: usage.ru_maxrss * 1024,
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime))
    }
}

extension ProcessMeasurement {
    /// Starts `arguments` with stdout sent to /dev/null and stderr to `stderr` (truncated), with this process's
    /// environment plus `environment`.
    static func spawn(_ arguments: [String], environment: [String: String], stderr: String = "/dev/null") throws
        -> pid_t
    {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        guard spawned == 0 else { throw BenchmarkError.spawnFailed(arguments[0], errno: spawned) }
        return pid
    }
}

enum BenchmarkError: Error, CustomStringConvertible {
    case spawnFailed(String, errno: Int32)
    case waitFailed(errno: Int32)
    case unexpectedStatus(Int32)
    case usage(String)

    var description: String {
        switch self {
        case .spawnFailed(let path, let errno): "could not start \(path): errno \(errno)"
        case .waitFailed(let errno): "wait4 failed: errno \(errno)"
        case .unexpectedStatus(let status): "grafana-jit exited with \(status), expected 0"
        case .usage(let message): message
        }
    }
}
