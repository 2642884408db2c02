@testable import AccessModel

/// YAML builders for the resource tests, so each case states only what it changes.
enum Fixtures {
    static func grant(
        _ name: String = "g", subject: String = "{user: alice@example.com}",
        access: String = "[{dataSource: prod-logs, permission: Query}]", extra: String = "duration: 4h"
    ) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: \(name)}
        spec:
          subject: \(subject)
          access: \(access)
          reason: test
          \(extra.replacingOccurrences(of: "\n", with: "\n  "))
        ---

        """
    }

    static func policy(_ name: String = "p", _ spec: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: \(name)}
        spec:
          \(spec.replacingOccurrences(of: "\n", with: "\n  "))
        ---

        """
    }

    static func bundle(_ name: String, access: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessBundle
        metadata: {name: \(name)}
        spec:
          access: \(access)
        ---

        """
    }

    /// A catalog from files given as (path, contents).
    static func catalog(_ files: [(String, String)]) -> ResourceCatalog {
        let decoder = ResourceDecoder()
        return ResourceCatalog(files: files.map { decoder.decode(Array($0.1.utf8), path: $0.0) })
    }
}
