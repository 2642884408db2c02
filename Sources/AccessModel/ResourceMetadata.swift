/// `metadata` as Kubernetes writes it; only `name` matters to grafana-jit.
package struct ResourceMetadata: Sendable, Equatable {
    package var name: String
    package var namespace: String?
    package var labels: [String: String]
    package var annotations: [String: String]
    /// Where the resource starts, for messages about the resource as a whole.
    package var location: SourceLocation

    package init(
        name: String, namespace: String? = nil, labels: [String: String] = [:], annotations: [String: String] = [:],
        location: SourceLocation
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
        self.location = location
    }
}
