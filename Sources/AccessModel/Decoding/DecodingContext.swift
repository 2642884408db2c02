import Foundation
import YAML

/// Decodes YAML nodes into typed values for one document, collecting every problem instead of stopping at the first.
struct DecodingContext {
    let file: String
    private(set) var errors: [ResourceError] = []
    /// Where each decoded field was written, by path, for messages that come later (policy verdicts).
    private(set) var fieldLocations: [String: SourceLocation] = [:]
    /// Resources that had a name but errors elsewhere.
    var rejectedNames: [Rejected] = []
    /// The longest `maxDuration` a policy may set; nil: no ceiling.
    var maxGrantDuration: Duration?

    init(file: String, maxGrantDuration: Duration? = nil) {
        self.file = file
        self.maxGrantDuration = maxGrantDuration
    }

    func location(_ mark: YAMLMark) -> SourceLocation {
        SourceLocation(file: file, mark: mark)
    }

    mutating func report(_ error: ResourceError) {
        errors.append(error)
    }

    /// The field locations recorded since the last call, keyed relative to `resource` (`items[2]` in a list).
    mutating func takeFieldLocations(relativeTo resource: FieldPath) -> [String: SourceLocation] {
        defer { fieldLocations = [:] }
        let prefix = resource.description.isEmpty ? "" : resource.description + "."
        guard !prefix.isEmpty else { return fieldLocations }
        var relative: [String: SourceLocation] = [:]
        for (path, location) in fieldLocations where path.hasPrefix(prefix) {
            relative[String(path.dropFirst(prefix.count))] = location
        }
        return relative
    }

    /// A field of `object`: nil when absent (reported when `isRequired`) or when its value is invalid (reported).
    mutating func field<Value>(
        _ key: String, of object: ObjectNode, isRequired: Bool = false,
        _ decode: (inout DecodingContext, YAMLNode, FieldPath) -> Value?
    ) -> Value? {
        let path = object.path.child(key)
        guard let node = object.value(key) else {
            if isRequired { report(.missingField(path, at: location(object.mark))) }
            return nil
        }
        fieldLocations[path.description] = location(node.mark)
        return decode(&self, node, path)
    }

    mutating func object(_ node: YAMLNode, at path: FieldPath) -> ObjectNode? {
        guard case .mapping(let entries) = node.content else {
            let shown = path.description.isEmpty ? FieldPath("document") : path
            report(.wrongType(shown, expected: "a mapping", found: node.typeName, at: location(node.mark)))
            return nil
        }
        return ObjectNode(entries: entries, path: path, mark: node.mark)
    }

    /// Reports every key of `object` not in `known`: a typo must never silently widen or narrow access.
    mutating func rejectUnknownFields(of object: ObjectNode, known: Set<String>) {
        for entry in object.entries where !known.contains(entry.key) {
            report(.unknownField(object.path.child(entry.key), at: location(entry.keyMark)))
        }
    }

    mutating func string(_ node: YAMLNode, at path: FieldPath) -> String? {
        guard case .string(let text) = node.scalar?.value else {
            report(.wrongType(path, expected: "a string", found: node.typeName, at: location(node.mark)))
            return nil
        }
        return text
    }

    /// A string with at least one character other than ASCII blanks: the CRDs' `\S`, which Go reads as ASCII.
    mutating func nonEmptyString(_ node: YAMLNode, at path: FieldPath, maxLength: Int? = nil) -> String? {
        guard let text = string(node, at: path) else { return nil }
        if let maxLength, text.unicodeScalars.count > maxLength {
            report(
                .invalidValue(
                    path, problem: "is \(text.unicodeScalars.count) characters long, over the limit of \(maxLength)",
                    at: location(node.mark)))
            return nil
        }
        guard text.utf8.contains(where: { !Self.asciiBlanks.contains($0) }) else {
            report(.invalidValue(path, problem: "must not be empty", at: location(node.mark)))
            return nil
        }
        return text
    }

    /// A login or email: no whitespace, control or invisible formatting characters anywhere, so `" alice"` or
    /// `"alice\u{200B}"` cannot pass for a different person than `alice` (self-approval, distinct approvers).
    mutating func identity(_ node: YAMLNode, at path: FieldPath) -> String? {
        guard let text = nonEmptyString(node, at: path) else { return nil }
        let isClean = text.unicodeScalars.allSatisfy { scalar in
            !scalar.properties.isWhitespace && ![.control, .format].contains(scalar.properties.generalCategory)
        }
        guard isClean else {
            report(
                .invalidValue(
                    path, problem: "\"\(text)\" is not a login or email: it contains spaces or invisible characters",
                    at: location(node.mark)))
            return nil
        }
        return text
    }

    private static let asciiBlanks: Set<UInt8> = [0x09, 0x0A, 0x0C, 0x0D, 0x20]

    mutating func name(_ node: YAMLNode, at path: FieldPath) -> String? {
        guard let text = string(node, at: path) else { return nil }
        guard ResourceName.isValid(text) else {
            report(.invalidName(path, value: text, at: location(node.mark)))
            return nil
        }
        return text
    }

    mutating func oneOf<Value: RawRepresentable & CaseIterable>(_ node: YAMLNode, at path: FieldPath) -> Value?
    where Value.RawValue == String {
        guard let text = string(node, at: path) else { return nil }
        guard let value = Value(rawValue: text) else {
            let allowed = Value.allCases.map(\.rawValue)
            report(.notOneOf(path, value: text, allowed: allowed, at: location(node.mark)))
            return nil
        }
        return value
    }

    mutating func bool(_ node: YAMLNode, at path: FieldPath) -> Bool? {
        guard case .bool(let value) = node.scalar?.value else {
            report(.wrongType(path, expected: "true or false", found: node.typeName, at: location(node.mark)))
            return nil
        }
        return value
    }

    mutating func positiveInt(_ node: YAMLNode, at path: FieldPath) -> Int? {
        guard case .int(let value) = node.scalar?.value else {
            report(.wrongType(path, expected: "an integer", found: node.typeName, at: location(node.mark)))
            return nil
        }
        guard value >= 1 else {
            report(.invalidValue(path, problem: "must be at least 1, found \(value)", at: location(node.mark)))
            return nil
        }
        return value
    }

    mutating func duration(_ node: YAMLNode, at path: FieldPath) -> Duration? {
        guard let text = string(node, at: path) else { return nil }
        guard let duration = Duration(text: text) else {
            report(.invalidDuration(path, value: text, at: location(node.mark)))
            return nil
        }
        return duration
    }

    mutating func timestamp(_ node: YAMLNode, at path: FieldPath) -> Date? {
        guard let text = string(node, at: path) else { return nil }
        guard let date = Date(rfc3339: text) else {
            report(.invalidTimestamp(path, value: text, at: location(node.mark)))
            return nil
        }
        return date
    }

    /// A list whose elements all decode; nil if any does not (each failure is reported).
    mutating func list<Element>(
        _ node: YAMLNode, at path: FieldPath, _ decode: (inout DecodingContext, YAMLNode, FieldPath) -> Element?
    ) -> [Element]? {
        guard case .sequence(let items) = node.content else {
            report(.wrongType(path, expected: "a list", found: node.typeName, at: location(node.mark)))
            return nil
        }
        guard !items.isEmpty else {
            report(.invalidValue(path, problem: "must not be an empty list", at: location(node.mark)))
            return nil
        }
        var elements: [Element] = []
        elements.reserveCapacity(items.count)
        var isComplete = true
        for (index, item) in items.enumerated() {
            if let element = decode(&self, item, path.index(index)) {
                elements.append(element)
            } else {
                isComplete = false
            }
        }
        return isComplete ? elements : nil
    }

    mutating func stringMap(_ node: YAMLNode, at path: FieldPath) -> [String: String]? {
        guard let object = object(node, at: path) else { return nil }
        var map: [String: String] = [:]
        for entry in object.entries {
            if let value = string(entry.value, at: path.child(entry.key)) { map[entry.key] = value }
        }
        return map
    }
}

/// A mapping node being decoded, with its path for messages.
struct ObjectNode {
    let entries: [YAMLMappingEntry]
    let path: FieldPath
    let mark: YAMLMark

    func value(_ key: String) -> YAMLNode? {
        entries.first { $0.key == key }?.value
    }

    func has(_ key: String) -> Bool {
        entries.contains { $0.key == key }
    }

    func keyMark(_ key: String) -> YAMLMark? {
        entries.first { $0.key == key }?.keyMark
    }
}
