/// Why a YAML text was rejected; every case but `tooLarge` points at a place in the text.
package enum YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    case tooLarge(bytes: Int, limit: Int)
    case syntax(problem: String, context: String?, at: YAMLMark)
    case invalidUTF8(problem: String, at: YAMLMark)
    case tooDeep(limit: Int, at: YAMLMark)
    case tooManyNodes(limit: Int, at: YAMLMark)
    case duplicateKey(String, at: YAMLMark, first: YAMLMark)
    case undefinedAlias(String, at: YAMLMark)
    case unsupportedTag(String, at: YAMLMark)
    case invalidTaggedScalar(String, tag: String, at: YAMLMark)
    case complexKey(at: YAMLMark)

    /// Where the problem is; the start of the text for whole-input problems.
    package var mark: YAMLMark {
        switch self {
        case .tooLarge: YAMLMark(line: 1, column: 1)
        case .syntax(_, _, let at), .invalidUTF8(_, let at), .tooDeep(_, let at), .tooManyNodes(_, let at),
            .duplicateKey(_, let at, _), .undefinedAlias(_, let at), .unsupportedTag(_, let at),
            .invalidTaggedScalar(_, _, let at), .complexKey(let at):
            at
        }
    }

    /// The message without its location, which the caller prefixes with the file.
    package var description: String {
        switch self {
        case .tooLarge(let bytes, let limit):
            "file is \(bytes) bytes, over the limit of \(limit) bytes"
        case .syntax(let problem, let context, _):
            if let context { "YAML syntax error: \(problem) \(context)" } else { "YAML syntax error: \(problem)" }
        case .invalidUTF8(let problem, _):
            "invalid UTF-8: \(problem)"
        case .tooDeep(let limit, _):
            "nesting deeper than \(limit) levels"
        case .tooManyNodes(let limit, _):
            "document expands to more than \(limit) nodes (aliases count as copies); refusing a possible YAML bomb"
        case .duplicateKey(let key, _, let first):
            "duplicate key \"\(key)\" (first defined at \(first))"
        case .undefinedAlias(let name, _):
            "alias *\(name) names no anchor defined before it"
        case .unsupportedTag(let tag, _):
            "unsupported tag \(tag); only the core tags !!str, !!int, !!bool, !!float, !!null, !!map, !!seq are allowed"
        case .invalidTaggedScalar(let text, let tag, _):
            "\"\(text)\" is not a valid \(tag)"
        case .complexKey:
            "mapping keys must be scalars"
        }
    }
}
