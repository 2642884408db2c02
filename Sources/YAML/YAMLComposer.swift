/// Builds node trees from parser events, enforcing the limits as it goes; knows nothing of libyaml.
struct YAMLComposer {
    /// An open collection; `size` is its expanded node count so far, so an alias to it costs a full copy.
    /// Children are appended in place on the stack: moving the arrays out per child would make long lists quadratic.
    private struct OpenCollection {
        var isMapping: Bool
        var mark: YAMLMark
        var anchor: String?
        var size = 1
        var items: [YAMLNode] = []
        var entries: [YAMLMappingEntry] = []
        var pendingKey: (key: String, mark: YAMLMark)?
        var keys: [String: YAMLMark] = [:]
    }

    private let limits: YAMLLimits
    private var stack: [OpenCollection] = []
    private var anchors: [String: (node: YAMLNode, size: Int)] = [:]
    private var nodeCount = 0
    private var root: YAMLNode?
    private(set) var documents: [YAMLDocument] = []

    init(limits: YAMLLimits) {
        self.limits = limits
    }

    mutating func startDocument() {
        anchors = [:]
        nodeCount = 0
        root = nil
    }

    mutating func endDocument(at mark: YAMLMark) {
        let node = root ?? YAMLNode(.scalar(YAMLScalar(text: "", value: .null)), at: mark)
        documents.append(YAMLDocument(root: node, index: documents.count))
    }

    mutating func scalar(_ scalar: YAMLScalar, anchor: String?, at mark: YAMLMark) throws(YAMLError) {
        try add(YAMLNode(.scalar(scalar), at: mark), size: 1, anchor: anchor)
    }

    mutating func alias(_ name: String, at mark: YAMLMark) throws(YAMLError) {
        guard let target = anchors[name] else { throw .undefinedAlias(name, at: mark) }
        var node = target.node
        node.mark = mark
        try add(node, size: target.size, anchor: nil)
    }

    mutating func startSequence(anchor: String?, at mark: YAMLMark) throws(YAMLError) {
        try push(OpenCollection(isMapping: false, mark: mark, anchor: anchor))
    }

    mutating func startMapping(anchor: String?, at mark: YAMLMark) throws(YAMLError) {
        try push(OpenCollection(isMapping: true, mark: mark, anchor: anchor))
    }

    /// Closes the innermost sequence or mapping.
    mutating func endCollection() throws(YAMLError) {
        guard let open = stack.popLast() else { return }
        let content: YAMLNode.Content = open.isMapping ? .mapping(open.entries) : .sequence(open.items)
        try attach(YAMLNode(content, at: open.mark), size: open.size, anchor: open.anchor)
    }

    private mutating func push(_ open: OpenCollection) throws(YAMLError) {
        guard stack.count < limits.maxDepth else { throw .tooDeep(limit: limits.maxDepth, at: open.mark) }
        try count(1, at: open.mark)
        stack.append(open)
    }

    private mutating func count(_ size: Int, at mark: YAMLMark) throws(YAMLError) {
        let (sum, overflow) = nodeCount.addingReportingOverflow(size)
        guard !overflow, sum <= limits.maxNodes else { throw .tooManyNodes(limit: limits.maxNodes, at: mark) }
        nodeCount = sum
    }

    private mutating func add(_ node: YAMLNode, size: Int, anchor: String?) throws(YAMLError) {
        try count(size, at: node.mark)
        try attach(node, size: size, anchor: anchor)
    }

    /// Hands a finished node to its parent; a mapping takes it as a key or as the value of the pending key.
    private mutating func attach(_ node: YAMLNode, size: Int, anchor: String?) throws(YAMLError) {
        if let anchor { anchors[anchor] = (node, size) }
        guard !stack.isEmpty else {
            root = node
            return
        }
        let top = stack.count - 1
        // Sizes stay bounded: `count` has already refused anything over maxNodes.
        stack[top].size += size
        guard stack[top].isMapping else {
            stack[top].items.append(node)
            return
        }
        if let pending = stack[top].pendingKey {
            stack[top].entries.append(YAMLMappingEntry(key: pending.key, keyMark: pending.mark, value: node))
            stack[top].pendingKey = nil
            return
        }
        guard let key = node.scalar?.text else { throw .complexKey(at: node.mark) }
        if let first = stack[top].keys.updateValue(node.mark, forKey: key) {
            throw .duplicateKey(key, at: node.mark, first: first)
        }
        stack[top].pendingKey = (key, node.mark)
    }
}
