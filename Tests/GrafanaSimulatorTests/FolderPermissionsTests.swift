import GrafanaAPI
import TestSupport
import Testing

/// Folder permission listings as Grafana answers them for nested folders (grafana-api.md §10).
struct FolderPermissionsTests {
    @Test func aNestedFolderListsItsParentsRowsAsInherited() async throws {
        let simulator = try SimulatorHarness()
        let client = simulator.client()
        let rows = try await client.permissions(on: .folder("payments"))
        #expect(
            rows.map { "\($0.principal)=\($0.level) inherited=\($0.isInherited)" } == [
                "role Viewer=View inherited=true"
            ])
        let alice = try await client.user(loginOrEmail: "alice")
        try await client.setPermission(on: .folder("payments"), principal: .user(alice.id), level: "Edit")
        let after = try await client.permissions(on: .folder("payments"))
        #expect(after.filter { !$0.isInherited }.map(\.level) == ["Edit"])
        // The parent itself lists only its own rows.
        #expect(try await client.permissions(on: .folder("prod")).allSatisfy { !$0.isInherited })
    }
}
