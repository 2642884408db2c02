import Foundation

/// Every grant's next edges (start, end, active-hours or shift change, expiring-soon mark) in one min-heap, so the
/// next deadline costs a look at the top rather than a scan of every grant. An edge belongs to one decision: when
/// its grant is decided again, the old edges are left in place and skipped once they reach the top (stale), and the
/// heap is rebuilt when it has grown well past what the grants' decisions can hold.
struct Deadlines: Sendable {
    struct Edge: Sendable {
        var date: Date
        var grant: String
        /// `start`, `end`, `activeHoursOrShift` or `notice`.
        var edge: String
        /// The decision it belongs to (`DesiredState.decisionNumbers`).
        var decision: UInt64

        /// Of one grant's edges at one time, the first of start, end, hours and notice is told.
        func precedes(_ other: Edge) -> Bool {
            (date, grant, Self.order[edge] ?? 0) < (other.date, other.grant, Self.order[other.edge] ?? 0)
        }

        private static let order = ["start": 0, "end": 1, "activeHoursOrShift": 2, "notice": 3]
    }

    private var heap: [Edge] = []

    /// The edges of a grant's decision, as `nextDeadline` reports them: a pending grant's start, end and hours
    /// change; an active grant's end, hours or shift change, and its expiring-soon marks.
    static func edges(
        of grant: String, _ outcome: DesiredState.GrantOutcome, decision: UInt64, leads: [TimeInterval]
    ) -> [Edge] {
        guard let window = outcome.window else { return [] }
        var edges: [(Date, String)] = []
        switch outcome.phase {
        case .pending: edges = [(window.start, "start"), (window.end, "end")]
        case .active: edges = [(window.end, "end")] + leads.map { (window.end.addingTimeInterval(-$0), "notice") }
        default: return []
        }
        if let change = outcome.nextChange { edges.append((change, "activeHoursOrShift")) }
        return edges.map { Edge(date: $0.0, grant: grant, edge: $0.1, decision: decision) }
    }

    mutating func insert(_ edges: [Edge]) {
        for edge in edges {
            heap.append(edge)
            siftUp(heap.count - 1)
        }
    }

    /// The earliest edge after `now` of a decision still current (`current` says which decision is each grant's
    /// now). Edges at or before `now` have passed and are dropped, as are those of decisions since replaced. Past
    /// eight edges a grant on average, the stale ones are swept out first.
    mutating func next(after now: Date, grants: Int, current: (String) -> UInt64?) -> Edge? {
        if heap.count > 64 + 8 * grants {
            let kept = heap.filter { current($0.grant) == $0.decision }
            heap = []
            insert(kept)
        }
        while let top = heap.first {
            if top.date > now && current(top.grant) == top.decision { return top }
            removeTop()
        }
        return nil
    }

    /// Takes out every edge at or before `now` and returns the grants of those still current.
    mutating func takeDue(atOrBefore now: Date, current: (String) -> UInt64?) -> [String] {
        var due: [String] = []
        while let top = heap.first, top.date <= now {
            if current(top.grant) == top.decision { due.append(top.grant) }
            removeTop()
        }
        return due
    }

    /// How many edges it holds, stale ones included.
    var count: Int { heap.count }

    private mutating func removeTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        var parent = 0
        while true {
            let (left, right) = (2 * parent + 1, 2 * parent + 2)
            var first = parent
            if left < heap.count && heap[left].precedes(heap[first]) { first = left }
            if right < heap.count && heap[right].precedes(heap[first]) { first = right }
            guard first != parent else { return }
            heap.swapAt(parent, first)
            parent = first
        }
    }

    private mutating func siftUp(_ index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }
}
