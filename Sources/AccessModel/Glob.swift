/// A shell-style pattern with `*` (any run of characters) and `?` (one character), matched against a whole name.
package struct Glob: Sendable, Hashable, CustomStringConvertible {
    package let pattern: String
    private let scalars: [Unicode.Scalar]
    private let ignoresCase: Bool

    /// `ignoresCase` is for logins and emails, which Grafana compares without case.
    package init(_ pattern: String, ignoresCase: Bool = false) {
        self.pattern = pattern
        self.ignoresCase = ignoresCase
        scalars = Array((ignoresCase ? pattern.lowercased() : pattern).unicodeScalars)
    }

    package var description: String { pattern }

    /// Iterative matching with one backtrack point: linear in practice, never exponential.
    package func matches(_ name: String) -> Bool {
        let text = Array((ignoresCase ? name.lowercased() : name).unicodeScalars)
        var p = 0
        var t = 0
        var star: Int?
        var resume = 0
        while t < text.count {
            if p < scalars.count, scalars[p] == "?" || scalars[p] == text[t] {
                p += 1
                t += 1
            } else if p < scalars.count, scalars[p] == "*" {
                star = p
                resume = t
                p += 1
            } else if let star {
                p = star + 1
                resume += 1
                t = resume
            } else {
                return false
            }
        }
        while p < scalars.count, scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }
}
