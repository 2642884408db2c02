import Foundation
import TestSupport
import Testing

@testable import Controller

/// Upgrading from 0.2: its `ledger.json` is read once into `ledger.journal`, what it remembers is still revoked on
/// time, and the file left behind is one that 0.2 refuses rather than starts from.
struct LedgerMigrationEndToEndTests {
    @Test func aLedgerWrittenByTheLastReleaseIsMigratedAndItsAccessStillRevoked() async throws {
        let work = try await ControllerWorkspace.start()
        let fixture = try await work.access()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        #expect(try await work.once().status == 0)
        #expect(try await work.access().contains("alice@loki-prod=Query"))
        // The state as 0.2 left it: the same ledger as one pretty-printed ledger.json, version 1, and no journal.
        let ledger = try await LedgerStore(directory: work.state, fileSystem: LocalFileSystem()).load()
        #expect(ledger.count == 1)
        try StateJSON.encoder.encode(ledger).write(to: URL(fileURLWithPath: work.state + "/ledger.json"))
        try FileManager.default.removeItem(atPath: work.state + "/ledger.journal")

        try work.remove("alice-logs")
        let upgraded = try await work.once()
        #expect(upgraded.status == 0, "\(upgraded.stderr)")
        #expect(try await work.access() == fixture, "the migrated ledger still knew what to revoke")
        let journal = try String(contentsOfFile: work.state + "/ledger.journal", encoding: .utf8)
        #expect(journal.hasPrefix(#"{"journal":"grafana-jit-ledger","version":2}"#))
        let stub = try String(contentsOfFile: work.state + "/ledger.json", encoding: .utf8)
        #expect(stub.contains(#""version":2"#), "0.2 refuses version 2 as newer than it understands")
        #expect(try await work.once().status == 0, "a second start reads the journal and ignores the stub")
        _ = await work.simulator.stop()
    }
}
