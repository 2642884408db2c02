import AccessModel
import Foundation

/// Patterns from a root's `.grafana-jit-ignore`: one glob per line, `#` comments; a pattern ending in `/`
/// matches directories only; a pattern with a `/` is matched against the path from the root, else the name.
package struct IgnoreRules: Sendable, Equatable {
    package static let fileName = ".grafana-jit-ignore"

    private struct Rule: Equatable {
        var glob: Glob
        var matchesPath: Bool
        var directoriesOnly: Bool
    }

    private var rules: [Rule] = []

    package init(text: String = "") {
        for line in text.split(whereSeparator: \.isNewline) {
            var pattern = line.trimmingCharacters(in: .whitespaces)
            guard !pattern.isEmpty, !pattern.hasPrefix("#") else { continue }
            let directoriesOnly = pattern.hasSuffix("/")
            if directoriesOnly { pattern.removeLast() }
            if pattern.hasPrefix("/") { pattern.removeFirst() }
            guard !pattern.isEmpty else { continue }
            rules.append(
                Rule(glob: Glob(pattern), matchesPath: pattern.contains("/"), directoriesOnly: directoriesOnly))
        }
    }

    /// `relativePath` is from the root, without a leading `/`.
    package func ignores(_ relativePath: String, isDirectory: Bool) -> Bool {
        let name = relativePath.split(separator: "/").last.map(String.init) ?? relativePath
        return rules.contains { rule in
            (isDirectory || !rule.directoriesOnly) && rule.glob.matches(rule.matchesPath ? relativePath : name)
        }
    }
}
