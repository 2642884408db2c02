/// A position in a YAML text, 1-based, as editors show it.
package struct YAMLMark: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    package var description: String { "\(line):\(column)" }

    package static func < (lhs: YAMLMark, rhs: YAMLMark) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

/// One node of a parsed document; every node keeps where it started so errors can point at it.
package struct YAMLNode: Sendable, Equatable {
    package indirect enum Content: Sendable, Equatable {
        case scalar(YAMLScalar)
        case sequence([YAMLNode])
        case mapping([YAMLMappingEntry])
    }

    package var content: Content
    package var mark: YAMLMark

    package init(_ content: Content, at mark: YAMLMark) {
        self.content = content
        self.mark = mark
    }

    /// The scalar's text, or nil for collections.
    package var scalar: YAMLScalar? {
        if case .scalar(let scalar) = content { scalar } else { nil }
    }

    /// True for an explicit or empty `null`, which is what an empty document parses to.
    package var isNull: Bool { scalar?.value == .null }

    /// A word for the node's type, used in "expected a string, found a mapping" messages.
    package var typeName: String {
        switch content {
        case .scalar(let scalar): scalar.value.typeName
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

/// A mapping entry. Keys are always scalars (the parser rejects complex keys), kept with their own mark.
package struct YAMLMappingEntry: Sendable, Equatable {
    package var key: String
    package var keyMark: YAMLMark
    package var value: YAMLNode

    package init(key: String, keyMark: YAMLMark, value: YAMLNode) {
        self.key = key
        self.keyMark = keyMark
        self.value = value
    }
}

/// One document of a stream; `root` is a null scalar for an empty document.
package struct YAMLDocument: Sendable, Equatable {
    package var root: YAMLNode
    /// Zero-based position of the document in its stream.
    package var index: Int
}
