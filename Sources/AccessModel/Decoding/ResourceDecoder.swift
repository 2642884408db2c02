import YAML

/// A resource of any kind, decoded from one document (or one item of a `List`).
package enum Resource: Sendable, Equatable {
    case grant(AccessGrant)
    case policy(AccessPolicy)
    case bundle(AccessBundle)

    package var kind: ResourceKind {
        switch self {
        case .grant: .grant
        case .policy: .policy
        case .bundle: .bundle
        }
    }

    package var metadata: ResourceMetadata {
        switch self {
        case .grant(let grant): grant.metadata
        case .policy(let policy): policy.metadata
        case .bundle(let bundle): bundle.metadata
        }
    }
}

/// What one file holds: the resources that decoded cleanly, and every problem found in the rest.
package struct DecodedFile: Sendable, Equatable {
    package var path: String
    package var resources: [Resource]
    package var errors: [ResourceError]
    /// Resources whose names could be read but which have errors, so references to them get the right message.
    package var rejected: [Rejected]

    package init(path: String, resources: [Resource] = [], errors: [ResourceError] = [], rejected: [Rejected] = []) {
        self.path = path
        self.resources = resources
        self.errors = errors
        self.rejected = rejected
    }
}

/// A resource left out for its errors, by kind and name.
package struct Rejected: Sendable, Hashable {
    package var kind: ResourceKind
    package var name: String
}

/// Turns file contents into typed resources: pure, no file system access.
package struct ResourceDecoder: Sendable {
    package var parser: YAMLParser

    /// Enough to fix a file by; more only floods the terminal when a file is hostile or not ours at all.
    package static let maxErrorsPerFile = 100

    /// `--max-grant-duration`'s default: no policy may let a grant last longer than a month.
    package static let defaultMaxGrantDuration = Duration.seconds(30 * 86_400)

    /// A policy whose `maxDuration` is above this is an error in the policy.
    package var maxGrantDuration: Duration?

    package init(parser: YAMLParser = YAMLParser(), maxGrantDuration: Duration? = defaultMaxGrantDuration) {
        self.parser = parser
        self.maxGrantDuration = maxGrantDuration
    }

    package func decode(_ bytes: [UInt8], path: String) -> DecodedFile {
        let documents: [YAMLDocument]
        do {
            documents = try parser.documents(in: bytes)
        } catch {
            return DecodedFile(path: path, errors: [.yaml(error, at: SourceLocation(file: path, mark: error.mark))])
        }
        var file = DecodedFile(path: path)
        var context = DecodingContext(file: path, maxGrantDuration: maxGrantDuration)
        for document in documents where !document.root.isNull {
            file.resources += context.resources(in: document.root)
        }
        file.errors = Array(context.errors.prefix(Self.maxErrorsPerFile))
        if context.errors.count > Self.maxErrorsPerFile {
            let first = context.errors[Self.maxErrorsPerFile].location
            file.errors.append(.tooManyErrors(shown: Self.maxErrorsPerFile, total: context.errors.count, at: first))
        }
        file.rejected = context.rejectedNames
        return file
    }
}

extension DecodingContext {
    /// The resources of one document: a single resource, or each item of a `v1 List`.
    mutating func resources(in node: YAMLNode) -> [Resource] {
        guard let object = object(node, at: FieldPath()) else { return [] }
        let apiVersion = object.value("apiVersion")?.scalar?.text
        let kind = object.value("kind")?.scalar?.text
        guard apiVersion == "v1", kind == "List" else { return resource(object).map { [$0] } ?? [] }
        rejectUnknownFields(of: object, known: ["apiVersion", "kind", "items", "metadata"])
        let items = field("items", of: object, isRequired: true) { context, node, path -> [YAMLNode]? in
            guard case .sequence(let items) = node.content else {
                context.report(
                    .wrongType(path, expected: "a list", found: node.typeName, at: context.location(node.mark)))
                return nil
            }
            return items
        }
        var resources: [Resource] = []
        for (index, item) in (items ?? []).enumerated() {
            guard let itemObject = self.object(item, at: FieldPath("items").index(index)) else { continue }
            if let resource = resource(itemObject) { resources.append(resource) }
        }
        return resources
    }

    /// One resource, or nil when it has any error (all of them reported).
    private mutating func resource(_ object: ObjectNode) -> Resource? {
        let errorCount = errors.count
        _ = takeFieldLocations(relativeTo: object.path)
        let writtenVersion = object.value("apiVersion")?.scalar?.text
        let writtenKind = object.value("kind")?.scalar?.text
        let isOurs =
            writtenVersion == ResourceKind.apiVersion || writtenKind.flatMap(ResourceKind.init(rawValue:)) != nil
        // Another tool's file (a kustomization, a Helm values file): one line that says what to do, not a field list.
        if !isOurs && (writtenVersion != nil || writtenKind != nil || !object.has("spec")) {
            report(.foreignDocument(apiVersion: writtenVersion, kind: writtenKind, at: location(object.mark)))
            return nil
        }
        rejectUnknownFields(of: object, known: ["apiVersion", "kind", "metadata", "spec"])
        let apiVersion = field("apiVersion", of: object, isRequired: true) { $0.string($1, at: $2) }
        let kindText = field("kind", of: object, isRequired: true) { $0.string($1, at: $2) }
        guard let apiVersion, let kindText else { return nil }
        guard apiVersion == ResourceKind.apiVersion, let kind = ResourceKind(rawValue: kindText) else {
            report(.unknownKind(apiVersion: apiVersion, kind: kindText, at: location(object.mark)))
            return nil
        }
        let metadata = field("metadata", of: object, isRequired: true) { $0.metadata($1, at: $2) }
        let spec = field("spec", of: object, isRequired: true) { $0.object($1, at: $2) }
        guard let spec else { return nil }
        // The spec is checked even when metadata is not, so every problem of the resource is reported at once.
        let checkedMetadata = metadata ?? ResourceMetadata(name: "", location: location(object.mark))
        let resource: Resource? =
            switch kind {
            case .grant: grant(spec, metadata: checkedMetadata).map(Resource.grant)
            case .policy: policy(spec, metadata: checkedMetadata).map(Resource.policy)
            case .bundle: bundle(spec, metadata: checkedMetadata).map(Resource.bundle)
            }
        guard metadata != nil, errors.count == errorCount else {
            if let name = metadata?.name { rejectedNames.append(Rejected(kind: kind, name: name)) }
            return nil
        }
        return resource
    }

    private mutating func metadata(_ node: YAMLNode, at path: FieldPath) -> ResourceMetadata? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["name", "namespace", "labels", "annotations"])
        let name = field("name", of: object, isRequired: true) { $0.name($1, at: $2) }
        let namespace = field("namespace", of: object) { context, node, path -> String? in
            guard let text = context.string(node, at: path) else { return nil }
            guard ResourceName.isLabel(text) else {
                context.report(.invalidName(path, value: text, at: context.location(node.mark)))
                return nil
            }
            return text
        }
        let labels = field("labels", of: object) { $0.stringMap($1, at: $2) }
        let annotations = field("annotations", of: object) { $0.stringMap($1, at: $2) }
        guard let name else { return nil }
        return ResourceMetadata(
            name: name, namespace: namespace, labels: labels ?? [:], annotations: annotations ?? [:],
            location: fieldLocations[path.child("name").description] ?? location(object.mark))
    }
}
