/// Bounds that keep hostile input (YAML bombs, deep nesting, huge files) from exhausting memory or time.
package struct YAMLLimits: Sendable, Equatable {
    /// Largest accepted input, in bytes.
    package var maxBytes: Int
    /// Deepest accepted nesting of sequences and mappings.
    package var maxDepth: Int
    /// Most nodes one document may expand to, counting each alias as a copy of what it names (billion laughs).
    package var maxNodes: Int

    package init(maxBytes: Int = 1 << 20, maxDepth: Int = 64, maxNodes: Int = 100_000) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxNodes = maxNodes
    }
}
