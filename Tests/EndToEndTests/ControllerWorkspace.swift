import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A grants folder, a state folder and a simulator, for driving the real binary end to end.
struct ControllerWorkspace {
    let directory: TemporaryDirectory
    let simulator: SimulatorProcess
    var grants: String { directory.path + "/repo" }
    var state: String { directory.path + "/state" }

    /// A permissive policy: anyone at example.com, any data source or folder up to Admin, any team, any org role, one
    /// day, no approval.
    static let openPolicy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: open}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "*"}]
          teams: ["*"]
          permissions: [Admin]
          teamRoles: [Member, Admin]
          orgRoles: [Admin]
          folders: [{title: "*"}]
          folderPermissions: [Admin]
          serviceAccounts: ["*"]
          serviceAccountRoles: [Admin]
          maxDuration: 1d
        """

    /// `extraFixture` adds entries (YAML flow mappings, one per line) to sections of the example fixture
    /// (`users`, `dataSources`, `permissions`, ...), for Grafanas with colliding names, aliased accounts or more
    /// standing access; `settings` adds top-level lines (`apiKeyMaxSecondsToLive: 3600`); `replacing` edits its
    /// text (`edition: enterprise` → `edition: oss`).
    static func start(
        policy: String = openPolicy, extraFixture: [String: [String]] = [:], settings: String = "",
        replacing: [(String, String)] = []
    ) async throws -> ControllerWorkspace {
        let directory = try TemporaryDirectory()
        try directory.write("repo/policies/policy.yaml", policy)
        var fixture = "examples/grafana-fixture.yaml"
        if !extraFixture.isEmpty || !settings.isEmpty || !replacing.isEmpty {
            var text = try String(contentsOfFile: BinaryRun.projectRoot + "/" + fixture, encoding: .utf8)
            for (section, entries) in extraFixture {
                text = text.replacingOccurrences(
                    of: "\n\(section):\n", with: "\n\(section):\n" + entries.map { "  - \($0)\n" }.joined())
            }
            for (old, new) in replacing { text = text.replacingOccurrences(of: old, with: new) }
            fixture = try directory.write("fixture.yaml", text + "\n" + settings + "\n")
        }
        return ControllerWorkspace(directory: directory, simulator: try await SimulatorProcess.start(fixture: fixture))
    }

    func grant(
        _ name: String, user: String = "alice@example.com", access: String, duration: String = "4h",
        expiresAt: Date? = nil, extra: String = ""
    ) throws {
        try directory.write(
            "repo/grants/\(name).yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec:
              subject: {user: \(user)}
              access: \(access)
              \(expiresAt.map { "expiresAt: \(Self.rfc3339($0))" } ?? "duration: \(duration)")
              reason: end-to-end test
              \(extra)
            """)
    }

    static func rfc3339(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    func remove(_ name: String) throws {
        try FileManager.default.removeItem(atPath: grants + "/grants/\(name).yaml")
    }

    var arguments: [String] { arguments() }

    /// Grants from the repository folder, policies and bundles from its `policies` subfolder (the more specific
    /// path decides), as `run` and `validate` take them.
    func sources(grants: String? = nil) -> [String] {
        let grants = grants ?? self.grants
        return ["--grants", grants, "--policies", grants + "/policies"]
    }

    func arguments(grants: String? = nil) -> [String] {
        sources(grants: grants) + ["--state", state, "--grafana-url", simulator.url]
    }

    func once(_ extra: [String] = []) async throws -> BinaryRun {
        try await BinaryRun.grafanaJIT(
            ["run", "--once"] + arguments + extra, environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
    }

    /// `user@dataSource=Level`, `user@folder:uid=Level` and `user@team=Member|Admin` for everything in the
    /// simulator, sorted.
    func access(in other: SimulatorProcess? = nil) async throws -> [String] {
        let state = try await control("GET", "/__sim/state", at: other)
        var lines: [String] = []
        for permission in state["permissions"] as? [[String: Any]] ?? [] {
            let who =
                permission["user"] as? String ?? permission["team"] as? String ?? permission["builtInRole"] as? String
                ?? "?"
            let resource =
                permission["dataSource"] as? String ?? (permission["folder"] as? String).map { "folder:" + $0 }
            lines.append("\(who)@\(resource ?? "?")=\(permission["permission"] as? String ?? "?")")
        }
        for team in state["teams"] as? [[String: Any]] ?? [] {
            for member in team["members"] as? [[String: Any]] ?? [] {
                lines.append(
                    "\(member["login"] as? String ?? "?")@\(team["name"] as? String ?? "?")=\(member["permission"] as? String ?? "?")"
                )
            }
        }
        return lines.sorted()
    }

    /// Each user's role in org 1, by login.
    func orgRoles() async throws -> [String: String] {
        let state = try await control("GET", "/__sim/state")
        var roles: [String: String] = [:]
        for user in state["users"] as? [[String: Any]] ?? [] {
            guard let login = user["login"] as? String, let role = (user["orgRoles"] as? [String: String])?["1"] else {
                continue
            }
            roles[login] = role
        }
        return roles
    }

    /// The expiry (seconds since 1970) of each token of a service account in the simulator.
    func tokens(of account: String) async throws -> [Double] {
        let state = try await control("GET", "/__sim/state")
        let entry = (state["serviceAccounts"] as? [[String: Any]] ?? []).first { $0["name"] as? String == account }
        return (entry?["tokens"] as? [[String: Any]] ?? []).compactMap { $0["expiresAt"] as? Double }
    }

    /// Every status file of the state folder, concatenated.
    func statusText() throws -> String {
        let folder = state + "/status"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
    }

    /// Grafana writes the simulator has seen since the last reset of its log.
    func writes() async throws -> Int {
        try await control("GET", "/__sim/stats")["writes"] as? Int ?? -1
    }

    @discardableResult
    func control(
        _ method: String, _ path: String, body: String? = nil, token: String? = nil, at other: SimulatorProcess? = nil
    ) async throws -> [String: Any] {
        var request = URLRequest(url: try #require(URL(string: (other ?? simulator).url + path)))
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let (data, _) = try await URLSession.shared.data(for: request)
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    /// Polls until `condition` holds, for at most `seconds`.
    func eventually(within seconds: TimeInterval = 10, _ condition: () async throws -> Bool) async throws -> Bool {
        try await TestSupport.eventually(within: seconds, every: .milliseconds(50), condition)
    }
}
