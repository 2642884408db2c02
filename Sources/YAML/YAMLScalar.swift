/// A scalar with its source text and the value the YAML 1.2 core schema resolves it to.
package struct YAMLScalar: Sendable, Equatable {
    package var text: String
    package var value: YAMLScalarValue

    package init(text: String, value: YAMLScalarValue) {
        self.text = text
        self.value = value
    }
}

/// Core-schema types: timestamps stay strings, as they do in Kubernetes' YAML-to-JSON step.
package enum YAMLScalarValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case float(Double)
    case string(String)

    package var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int: "an integer"
        case .float: "a number"
        case .string: "a string"
        }
    }

    /// Resolves an untagged plain scalar by the YAML 1.2 core schema.
    package static func resolvingPlain(_ text: String) -> YAMLScalarValue {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "n"), UInt8(ascii: "N"), UInt8(ascii: "~"):
            if ["null", "Null", "NULL", "~"].contains(text) { return .null }
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            if ["true", "True", "TRUE"].contains(text) { return .bool(true) }
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            if ["false", "False", "FALSE"].contains(text) { return .bool(false) }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            if let number = number(text) { return number }
        default:
            break
        }
        return .string(text)
    }

    /// Resolves a scalar carrying an explicit `!!type` tag; nil when the text is not of that type.
    package static func resolving(_ text: String, tag: YAMLCoreTag) -> YAMLScalarValue? {
        switch tag {
        case .string: return .string(text)
        case .null: return resolvingPlain(text) == .null ? .null : nil
        case .bool:
            if case .bool(let value) = resolvingPlain(text) { return .bool(value) }
            return nil
        case .int:
            if case .int(let value) = resolvingPlain(text) { return .int(value) }
            return nil
        case .float:
            switch resolvingPlain(text) {
            case .int(let value): return .float(Double(value))
            case .float(let value): return .float(value)
            default: return nil
            }
        }
    }

    private static func number(_ text: String) -> YAMLScalarValue? {
        if text.hasPrefix("0x"), let value = Int(text.dropFirst(2), radix: 16) { return .int(value) }
        if text.hasPrefix("0o"), let value = Int(text.dropFirst(2), radix: 8) { return .int(value) }
        let body = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        if !body.isEmpty, body.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Out-of-range integers stay numbers rather than turning into strings.
            if let value = Int(text) { return .int(value) }
            return Double(text).map { .float($0) }
        }
        switch body {
        case ".inf", ".Inf", ".INF": return .float(text.first == "-" ? -.infinity : .infinity)
        case ".nan", ".NaN", ".NAN": return text == body ? .float(.nan) : nil
        default: break
        }
        guard isCoreFloat(body) else { return nil }
        return Double(text).map { .float($0) }
    }

    /// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, checked by hand to avoid regex cost per scalar.
    private static func isCoreFloat(_ body: Substring) -> Bool {
        var bytes = body.utf8[...]
        func digits() -> Int {
            let count = bytes.prefix { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }.count
            bytes = bytes.dropFirst(count)
            return count
        }
        let integerDigits = digits()
        var fractionDigits = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes = bytes.dropFirst()
            fractionDigits = digits()
        }
        guard integerDigits > 0 || fractionDigits > 0 else { return false }
        if bytes.first == UInt8(ascii: "e") || bytes.first == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            if bytes.first == UInt8(ascii: "-") || bytes.first == UInt8(ascii: "+") { bytes = bytes.dropFirst() }
            guard digits() > 0 else { return false }
        }
        return bytes.isEmpty
    }
}

/// The explicit tags the resources may use (`!!str "4711"`); any other tag is rejected.
package enum YAMLCoreTag: String, Sendable {
    case string = "tag:yaml.org,2002:str"
    case null = "tag:yaml.org,2002:null"
    case bool = "tag:yaml.org,2002:bool"
    case int = "tag:yaml.org,2002:int"
    case float = "tag:yaml.org,2002:float"
}
