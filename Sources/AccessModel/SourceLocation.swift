import YAML

/// A place in an input file, printed the way compilers and editors expect: `file:line:column`.
package struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var file: String
    package var line: Int
    package var column: Int

    package init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    package init(file: String, mark: YAMLMark) {
        self.init(file: file, line: mark.line, column: mark.column)
    }

    /// The start of a file, for problems that belong to the file as a whole.
    package static func start(of file: String) -> SourceLocation {
        SourceLocation(file: file, line: 1, column: 1)
    }

    package var description: String { "\(file):\(line):\(column)" }

    package static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.file, lhs.line, lhs.column) < (rhs.file, rhs.line, rhs.column)
    }
}

/// A field's path inside a resource, as users write it: `spec.access[1].permission`.
package struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    package private(set) var description: String

    package init(_ text: String = "") {
        description = text
    }

    package func child(_ key: String) -> FieldPath {
        FieldPath(description.isEmpty ? key : description + "." + key)
    }

    package func index(_ position: Int) -> FieldPath {
        FieldPath(description + "[\(position)]")
    }
}
