import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// The executor and the token keeper hold the ledger while they work: it comes back when they fail, and a reader
/// outside the pass waits for it rather than see it empty.
struct ReconcilerStagesTests {
    /// Keeps the ledger in memory; refuses every audit event when `refusesAudit`.
    actor MemoryStorage: StateStorage {
        var ledger = Ledger()
        var refusesAudit = false

        func refuseAudit() { refusesAudit = true }
        func loadLedger(maintaining: Bool) -> Ledger { ledger }
        func saveLedger(_ ledger: Ledger) { self.ledger = ledger }
        func loadStatuses() -> [String: GrantStatus] { [:] }
        func saveStatuses(_ statuses: [GrantStatus]) {}
        func appendAudit(_ events: [AuditEvent]) throws(FileSystemError) {
            if refusesAudit { throw .system(call: "write", path: "audit", errno: ENOSPC) }
        }
    }

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let storage = MemoryStorage()
    let reconciler: Reconciler

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
        let clock = SystemClock()
        reconciler = Reconciler(
            configuration: ReconcilerConfiguration(
                sources: ResourceSources(
                    grants: [directory.path + "/repo"], policies: [directory.path + "/repo/policies"]),
                stateDirectory: directory.path + "/state"),
            grafana: simulator.client(), fileSystem: LocalFileSystem(), clock: clock,
            logger: Logger(minimumLevel: .error, clock: clock) { _ in }, storage: storage)
    }

    @Test func writeAheadEntriesStayInMemoryWhenTheExecutorFails() async throws {
        try await reconciler.start(exclusive: false)
        await storage.refuseAudit()
        let result = await reconciler.pass()
        #expect(result.error != nil, "the audit write fails the pass")
        let alice = try await simulator.client().user(loginOrEmail: "alice@example.com")
        let binding = Binding(.user(alice.id), on: .dataSource("loki-prod"))
        #expect(await storage.ledger.change(for: binding)?.pending == .grant, "written ahead")
        #expect(await reconciler.ledger.change(for: binding)?.grants == ["alice-logs"], "and still in memory")
    }

    @Test func aReaderWaitsForTheLedgerWhileAStageHoldsIt() async throws {
        try await reconciler.start(exclusive: false)
        #expect(await reconciler.pass().applied == 1)
        let executor = await reconciler.executor
        let (lent, lending) = AsyncStream.makeStream(of: Void.self)
        let reconciler = reconciler
        let seen = try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                try await reconciler.lendingLedger(to: executor) { _ in
                    lending.finish()
                    // Held until the reader waits for it.
                    let waited = try await eventually(within: 5) { await reconciler.ledgerWaiters?.isEmpty == false }
                    #expect(waited)
                    return nil
                }
            }
            group.addTask {
                for await _ in lent {}
                return await reconciler.settledLedger().count
            }
            return try await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
        }
        #expect(seen == [1])
    }
}
