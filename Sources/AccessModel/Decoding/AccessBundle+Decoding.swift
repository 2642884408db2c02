import YAML

extension DecodingContext {
    mutating func bundle(_ spec: ObjectNode, metadata: ResourceMetadata) -> AccessBundle? {
        rejectUnknownFields(of: spec, known: ["access", "description"])
        let access = field("access", of: spec, isRequired: true) { $0.list($1, at: $2) { $0.accessItem($1, at: $2) } }
        let description = field("description", of: spec) { $0.string($1, at: $2) }
        guard let access else { return nil }
        return AccessBundle(metadata: metadata, access: access, description: description)
    }
}
