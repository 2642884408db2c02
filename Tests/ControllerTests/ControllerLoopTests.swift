import Foundation
import GrafanaAPI
import Synchronization
import TestSupport
import Testing

@testable import Controller

/// The daemon's timer, with a manual clock: it wakes for the next expiry and for file changes, never sleeping
/// in real time.
struct ControllerLoopTests {
    /// A detector tests flip by hand.
    final class ManualChanges: ChangeDetector {
        let checkInterval: Duration = .seconds(1)
        let namesPaths = false
        let pending = Mutex(false)
        func takeChanges() -> FileChanges? {
            pending.withLock { value in
                defer { value = false }
                return value ? .everything : nil
            }
        }
    }

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ManualClock()
    /// What the loop logged, shown when an expectation fails.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
    }

    let logged = Lines()

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.write(
            "repo/policies/policy.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: p}
            spec: {subjects: {users: ["*@example.com"]}, dataSources: [{name: "*"}], permissions: [Query], maxDuration: 1h}
            """)
        try grant("short", duration: "10s")
    }

    private func grant(_ name: String, duration: String) throws {
        try directory.write(
            "repo/\(name).yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec: {subject: {user: alice@example.com}, access: [{dataSource: prod-metrics, permission: Query}], duration: \(duration), reason: r}
            """)
    }

    private func permissions() async throws -> [String] {
        try await simulator.client().permissions(on: .dataSource("prom-prod")).map { "\($0.principal)=\($0.level)" }
    }

    private func loop(changes: ManualChanges, resync: Duration = .seconds(3_600)) -> ControllerLoop {
        let logged = self.logged
        let logger = Logger(clock: clock) { line in logged.lines.withLock { $0.append(line) } }
        let reconciler = Reconciler.testing(
            in: directory, grafana: simulator.client(), clock: clock, logger: logger
        ) { $0.writeDeadline = .seconds(1) }
        var timing = ControllerLoop.Timing()
        timing.resync = resync
        return ControllerLoop(reconciler: reconciler, changes: changes, clock: clock, logger: logger, timing: timing)
    }

    @Test func theLoopWakesAtTheNextExpiryAndRevokes() async throws {
        let loop = loop(changes: ManualChanges())
        try await loop.reconciler.start()
        let running = Task { await loop.run() }
        // The first pass may be slow on a loaded machine (the whole suite runs at once); it is polled for.
        #expect(
            try await eventually(within: 30) { try await permissions().contains("user 2=Query") },
            "\(logged.lines.withLock { $0 })")
        // Nine seconds in, nothing has happened; at ten the timer fires and the grant is revoked.
        for _ in 0..<9 {
            clock.advance(by: 1)
            await Task.yield()
        }
        #expect(try await permissions().contains("user 2=Query"))
        for _ in 0..<3 { clock.advance(by: 1) }
        #expect(try await eventually { !(try await permissions().contains("user 2=Query")) })
        await loop.requestStop()
        clock.advance(by: 3_600)
        await running.value
    }

    @Test func aFileChangeStartsAPassAfterTheDebounce() async throws {
        let changes = ManualChanges()
        let loop = loop(changes: changes)
        try await loop.reconciler.start()
        let running = Task { await loop.run() }
        // The first pass may be slow on a loaded machine (the whole suite runs at once); it is polled for.
        #expect(
            try await eventually(within: 30) { try await permissions().contains("user 2=Query") },
            "\(logged.lines.withLock { $0 })")
        try FileManager.default.removeItem(atPath: directory.path + "/repo/short.yaml")
        changes.pending.withLock { $0 = true }
        #expect(
            try await eventually {
                clock.advanceToNextDeadline()
                return !(try await permissions().contains("user 2=Query"))
            })
        await loop.requestStop()
        clock.advance(by: 3_600)
        await running.value
    }

    /// Four seconds spread over four one-second steps: three slices, then the full resync, then the slices again.
    @Test func theResyncIsSpreadOverItsIntervalInSlices() async throws {
        let loop = loop(changes: ManualChanges(), resync: .seconds(4))
        try await loop.reconciler.start()
        let running = Task { await loop.run() }
        func triggers() -> [String] {
            logged.lines.withLock { lines in
                lines.filter { $0.contains("event=pass.completed") }.map { line in
                    line.split(whereSeparator: \.isWhitespace).filter {
                        $0.hasPrefix("trigger=") || $0.hasPrefix("slice=")
                    }
                    .joined(separator: " ")
                }
            }
        }
        #expect(
            try await eventually(within: 30) {
                clock.advanceToNextDeadline()
                return triggers().count >= 6
            }, "\(logged.lines.withLock { $0 })")
        #expect(
            triggers().prefix(6) == [
                "trigger=startup", "slice=1 trigger=resyncSlice", "slice=2 trigger=resyncSlice",
                "slice=3 trigger=resyncSlice", "slice=0 trigger=resync", "slice=1 trigger=resyncSlice",
            ])
        await loop.requestStop()
        clock.advance(by: 3_600)
        await running.value
    }
}
