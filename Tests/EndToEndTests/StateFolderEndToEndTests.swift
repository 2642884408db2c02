import Foundation
import TestSupport
import Testing

/// `run` refuses a state or secrets folder that group or others may write, unless told to allow it.
struct StateFolderEndToEndTests {
    @Test func aWorldWritableStateFolderIsAStartUpErrorUnlessAllowed() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        try FileManager.default.createDirectory(atPath: work.state, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: work.state)
        let refused = try await work.once()
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(
            refused.stderr.contains(
                "grafana-jit: error: the state folder \(work.state) is mode 0777, writable by group or others: "
                    + "run chmod 700 \(work.state) (or chmod go-w)"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.state + "/ledger.journal"), "nothing written")
        let allowed = try await work.once(["--allow-shared-state"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(allowed.stderr.contains("event=stateFolder.shared folder=\(work.state) mode=0777"), "\(allowed.stderr)")
        #expect(try await work.access().contains("alice@loki-prod=Query"))
        _ = await work.simulator.stop()
    }

    @Test func aGroupWritableSecretsFolderIsRefusedToo() async throws {
        let work = try await ControllerWorkspace.start()
        let secrets = work.directory.path + "/secrets"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o770], ofItemAtPath: secrets)
        let refused = try await work.once(["--secrets-dir", secrets])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("the secrets folder \(secrets) is mode 0770"), "\(refused.stderr)")
        _ = await work.simulator.stop()
    }
}
