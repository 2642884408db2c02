import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// The reconciler keeps its memory only through `StateStorage`: with another backend (here, in memory) it grants,
/// remembers across a restart and revokes, and writes no ledger or status file.
struct StateStorageTests {
    actor MemoryStorage: StateStorage {
        var ledger = Ledger()
        var statuses: [String: GrantStatus] = [:]

        func loadLedger(maintaining: Bool) -> Ledger { ledger }
        func saveLedger(_ ledger: Ledger) { self.ledger = ledger }
        func loadStatuses() -> [String: GrantStatus] { statuses }
        func saveStatuses(_ statuses: [GrantStatus]) {
            for status in statuses { self.statuses[status.name] = status }
        }
    }

    @Test func anotherBackendCarriesTheLedgerAcrossARestart() async throws {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
        let storage = MemoryStorage()
        func reconciler() -> Reconciler {
            let fileSystem = LocalFileSystem()
            let clock = SystemClock()
            return Reconciler(
                configuration: ReconcilerConfiguration(
                    sources: ResourceSources(
                        grants: [directory.path + "/repo"], policies: [directory.path + "/repo/policies"]),
                    stateDirectory: directory.path + "/state"),
                grafana: simulator.client(), fileSystem: fileSystem, clock: clock,
                logger: Logger(minimumLevel: .error, clock: clock) { _ in },
                audit: AuditLog(destination: .file(directory.path + "/audit.jsonl"), fileSystem: fileSystem),
                storage: storage)
        }
        let before = try await simulator.client().permissions(on: .dataSource("loki-prod")).count
        let first = reconciler()
        try await first.start(exclusive: false)
        #expect(await first.pass().applied == 1)
        #expect(await storage.ledger.count == 1)
        #expect(await storage.statuses["alice-logs"]?.phase == .active)

        try directory.write("repo/access.yaml", "")
        let second = reconciler()
        try await second.start(exclusive: false)
        #expect(await second.pass().applied == 1, "the second process revokes what the first granted")
        #expect(try await simulator.client().permissions(on: .dataSource("loki-prod")).count == before)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path + "/state")) ?? []
        #expect(!files.contains("ledger.journal") && !files.contains("status"), "\(files)")
    }
}
