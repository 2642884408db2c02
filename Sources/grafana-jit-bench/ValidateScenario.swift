import Foundation

/// Writes a grants repository of `grants` files (100 per folder) with the policies and bundle they need.
struct ValidateScenario {
    var grants: Int

    func write(to root: String) throws {
        try write(Self.policies, to: root + "/policies/policies.yaml")
        try write(Self.bundle, to: root + "/bundles/incident-kit.yaml")
        for index in 0..<grants {
            try write(grant(index), to: root + "/grants/team-\(index / 100)/grant-\(index).yaml")
        }
    }

    private func write(_ text: String, to path: String) throws {
        let folder = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    /// Three shapes in turn: approved data-source Query, team membership, bundle.
    private func grant(_ index: Int) -> String {
        let access: String
        switch index % 3 {
        case 0: access = "access:\n    - dataSource: prod-logs-\(index % 500)\n      permission: Query"
        case 1: access = "access:\n    - team: incident-responders-\(index % 200)\n      role: Member"
        default: access = "bundle: incident-kit"
        }
        return """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata:
              name: grant-\(index)
              labels: {team: team-\(index / 100)}
            spec:
              subject:
                user: user-\(index % 5000)@example.com
              \(access)
              duration: 4h
              reason: "INC-\(index): benchmark grant"
              ticket: INC-\(index)
              approvedBy: [approver-\(index % 7)@example.com]

            """
    }

    private static let policies = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: prod-datasources}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          teams: ["incident-responders-*"]
          permissions: [Query]
          maxDuration: 8h
          approval: {required: true, approvers: {users: ["approver-*@example.com"]}}
        ---
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: staging}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "staging-*"}]
          permissions: [Edit]
          maxDuration: 12h

        """

    private static let bundle = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessBundle
        metadata: {name: incident-kit}
        spec:
          access:
            - dataSource: prod-logs-1
              permission: Query
            - team: incident-responders-1

        """
}
