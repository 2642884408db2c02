/// A named, reusable set of access items that grants pull in with `spec.bundle`.
package struct AccessBundle: Sendable, Equatable {
    package var metadata: ResourceMetadata
    package var access: [AccessItem]
    package var description: String?

    package var name: String { metadata.name }
}
