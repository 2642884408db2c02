/// The kinds grafana-jit reads; raw values are the `kind` field.
package enum ResourceKind: String, Sendable, CaseIterable {
    case grant = "AccessGrant"
    case policy = "AccessPolicy"
    case bundle = "AccessBundle"

    package static let apiVersion = "grafana-jit.io/v1alpha1"
}
