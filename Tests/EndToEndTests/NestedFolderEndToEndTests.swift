import Foundation
import Testing

/// A nested folder lists its parents' rows as `isInherited`. Only a principal's own row on the folder is the level
/// before a grant: revoking never turns an inherited level into an own row that would outlive the parent's.
struct NestedFolderEndToEndTests {
    /// Alice inherits View on the nested `payments` folder from `prod-dashboards`.
    static let inherited = ["permissions": ["{folder: prod-dashboards, user: alice, permission: View}"]]

    /// `payments` rows as `principal=level(inherited)`, sorted.
    func rows(_ work: ControllerWorkspace) async throws -> [String] {
        let state = try await work.control("GET", "/__sim/state")
        let permissions = state["permissions"] as? [[String: Any]] ?? []
        return permissions.filter { $0["folder"] as? String == "payments" }.map {
            "\($0["user"] as? String ?? $0["team"] as? String ?? $0["builtInRole"] as? String ?? "?")=\($0["permission"] as? String ?? "?")"
        }.sorted()
    }

    @Test func grantDriftAndRevokeTouchOnlyTheOwnRow() async throws {
        let work = try await ControllerWorkspace.start(extraFixture: Self.inherited)
        try work.grant("edit-payments", access: "[{folder: payments, permission: Edit}]")
        _ = try await work.once()
        #expect(try await rows(work) == ["alice=Edit"])
        // Drift: her own row removed by hand is put back; the inherited View does not count as her level.
        try await work.control(
            "POST", "/api/access-control/folders/payments/users/\(try await userID(work, "alice"))",
            body: #"{"permission":""}"#, token: "glsa_simulator_controller_token")
        #expect(try await rows(work) == [])
        _ = try await work.once()
        #expect(try await rows(work) == ["alice=Edit"])

        // Revoked: her own row goes; nothing is written in its place, the parent's View stays the parent's.
        try work.remove("edit-payments")
        let run = try await work.once()
        #expect(try await rows(work) == [], "\(run.stderr)")
        let parent = (try await work.access()).filter { $0.hasPrefix("alice@folder:") }
        #expect(parent == ["alice@folder:prod-dashboards=View"])
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(!audit.contains(#""permission":"View""#), "\(audit)")
        _ = await work.simulator.stop()
    }

    @Test func discoverCallsAnInheritedRowBuiltIn() async throws {
        let work = try await ControllerWorkspace.start(extraFixture: Self.inherited)
        let run = try await BinaryRun.grafanaJIT(
            ["discover", "--output", "json"] + work.arguments,
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let entries = report["entries"] as? [[String: Any]] ?? []
        let onPayments = entries.filter {
            $0["resource"] as? String == "payments" && $0["principal"] as? String == "alice"
        }
        #expect(onPayments.map { $0["source"] as? String } == ["built-in"], "\(onPayments)")
        let onParent = entries.filter {
            $0["resource"] as? String == "prod-dashboards" && $0["principal"] as? String == "alice"
        }
        #expect(onParent.map { $0["source"] as? String } == ["standing"], "\(onParent)")
        _ = await work.simulator.stop()
    }

    private func userID(_ work: ControllerWorkspace, _ login: String) async throws -> Int {
        let state = try await work.control("GET", "/__sim/state")
        let users = state["users"] as? [[String: Any]] ?? []
        return try #require(users.first { $0["login"] as? String == login }?["id"] as? Int)
    }
}
