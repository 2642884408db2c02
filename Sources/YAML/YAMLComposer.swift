/// Builds node trees from parser events, enforcing the limits as it goes; knows nothing of libyaml.
struct YAMLComposer {
    private enum Frame {
        case sequence(items: [YAMLNode])
        case mapping(entries: [YAMLMappingEntry], pendingKey: (String, YAMLMark)?, keys: [String: YAMLMark])
    }

    /// An open collection; `size` is its expanded node count so far, so an alias to it costs a full copy.
    private struct OpenCollection {
        var frame: Frame
        var mark: YAMLMark
        var anchor: String?
        var size = 1
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
        try push(OpenCollection(frame: .sequence(items: []), mark: mark, anchor: anchor))
    }

    mutating func startMapping(anchor: String?, at mark: YAMLMark) throws(YAMLError) {
        try push(OpenCollection(frame: .mapping(entries: [], pendingKey: nil, keys: [:]), mark: mark, anchor: anchor))
    }

    /// Closes the innermost sequence or mapping.
    mutating func endCollection() throws(YAMLError) {
        guard let open = stack.popLast() else { return }
        let node: YAMLNode
        switch open.frame {
        case .sequence(let items): node = YAMLNode(.sequence(items), at: open.mark)
        case .mapping(let entries, _, _): node = YAMLNode(.mapping(entries), at: open.mark)
        }
        try attach(node, size: open.size, anchor: open.anchor)
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
        guard var parent = stack.popLast() else {
            root = node
            return
        }
        // Sizes stay bounded: `count` has already refused anything over maxNodes.
        parent.size += size
        switch parent.frame {
        case .sequence(var items):
            items.append(node)
            parent.frame = .sequence(items: items)
        case .mapping(var entries, let pendingKey, var keys):
            if let (key, keyMark) = pendingKey {
                entries.append(YAMLMappingEntry(key: key, keyMark: keyMark, value: node))
                parent.frame = .mapping(entries: entries, pendingKey: nil, keys: keys)
            } else {
                guard let key = node.scalar?.text else { throw .complexKey(at: node.mark) }
                if let first = keys[key] { throw .duplicateKey(key, at: node.mark, first: first) }
                keys[key] = node.mark
                parent.frame = .mapping(entries: entries, pendingKey: (key, node.mark), keys: keys)
            }
        }
        stack.append(parent)
    }
}
