import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// The reconciler keeps its memory only through `StateStorage`: with another backend (here, in memory) it grants,
/// remembers across a restart, revokes and audits, and writes no ledger, status or audit file.
struct StateStorageTests {
    actor MemoryStorage: StateStorage {
        var ledger = Ledger()
        var statuses: [String: GrantStatus] = [:]
        var audit: [AuditEvent] = []

        func loadLedger(maintaining: Bool) -> Ledger { ledger }
        func saveLedger(_ ledger: Ledger) { self.ledger = ledger }
        func loadStatuses() -> [String: GrantStatus] { statuses }
        func saveStatuses(_ statuses: [GrantStatus]) {
            for status in statuses { self.statuses[status.name] = status }
        }
        func appendAudit(_ events: [AuditEvent]) { audit += events }
    }

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let storage = MemoryStorage()

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.writeResources(ZeroStandingTests.resources, named: "access.yaml")
    }

    /// A controller for the org given, its state in `storage`.
    func reconciler(org: Int? = nil) -> Reconciler {
        let clock = SystemClock()
        var configuration = ReconcilerConfiguration(
            sources: ResourceSources(grants: [directory.path + "/repo"], policies: [directory.path + "/repo/policies"]),
            stateDirectory: directory.path + "/state")
        configuration.target = .single(org: org)
        return Reconciler(
            configuration: configuration, grafana: simulator.client(), fileSystem: LocalFileSystem(), clock: clock,
            logger: Logger(minimumLevel: .error, clock: clock) { _ in }, storage: storage)
    }

    /// Every file under the temporary folder, by path relative to it.
    var files: [String] {
        FileManager.default.enumerator(atPath: directory.path)?.allObjects.compactMap { $0 as? String } ?? []
    }

    @Test func anotherBackendCarriesTheLedgerAcrossARestart() async throws {
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

    @Test func theAuditTrailGoesToTheBackendStampedWithItsOrg() async throws {
        let reconciler = reconciler(org: 1)
        try await reconciler.start(exclusive: false)
        #expect(await reconciler.pass().applied == 1)

        let granted = try #require(await storage.audit.first { $0.event == "permission.granted" })
        #expect(granted.grant == "alice-logs" && granted.outcome == "success")
        #expect(granted.subject == "alice@example.com")
        #expect(granted.grafana == "default" && granted.org == 1)
        #expect(await storage.audit.contains { $0.event == "grant.activated" && $0.grant == "alice-logs" })
        #expect(!files.contains { $0.hasSuffix(AuditStore.fileName) }, "\(files)")
    }
}
