import Foundation
import GrafanaAPI

/// What the controller last saw in Grafana: the facts (users, teams, data sources, folders, service accounts) and
/// each object's levels. A pass reads again the objects whose desired bindings changed, that hold a write whose
/// outcome is unknown, or that were written or unreadable since, and those of its resync slice (`PassTrigger.keySlice`:
/// all of them at a start, a retry or a request); every other object is planned on what was seen.
struct ObservedGrafana {
    /// Facts are read again on demand (a grant names something they lack) at most this often between resyncs, so
    /// unknown references cannot turn every event into a full read.
    static let factsRefreshInterval: TimeInterval = 10

    var facts: GrafanaSnapshot?
    var factsReadAt: Date?
    /// Each object's levels as last read, and the desired levels on it as last planned.
    private var levels: [Binding.Resource: [Binding: Level]] = [:]
    private var desired: [Binding.Resource: [Binding: Level]] = [:]

    /// Whether a pass may plan on the facts already held rather than read them: never after `refreshFacts` said a
    /// grant names something unknown, unless they were read less than `factsRefreshInterval` ago.
    func mayReuseFacts(now: Date, namesUnknown: Bool) -> Bool {
        guard facts != nil, let factsReadAt else { return false }
        return !namesUnknown || now.timeIntervalSince(factsReadAt) < Self.factsRefreshInterval
    }

    /// The objects among `touched` to read now; `now` is the desired levels by object (`byObject`).
    func stale(_ touched: Set<Binding>, desired now: [Binding.Resource: [Binding: Level]], ledger: Ledger) -> Set<
        Binding.Resource
    > {
        var result = Set<Binding.Resource>()
        for binding in touched where levels[binding.resource] == nil { result.insert(binding.resource) }
        for object in Set(now.keys).union(desired.keys) where now[object] != desired[object] { result.insert(object) }
        for entry in ledger.pendingChanges { result.insert(entry.binding.resource) }
        return result
    }

    /// What was seen of the objects not read this pass.
    func levels(except read: Set<Binding.Resource>) -> [Binding: Level] {
        var result: [Binding: Level] = [:]
        for (object, bindings) in levels where !read.contains(object) { result.merge(bindings) { $1 } }
        return result
    }

    /// Remembers what a pass read and planned; objects it no longer touches (neither desired nor in the ledger) are
    /// forgotten.
    mutating func remember(
        _ actual: ActualState, desired: [Binding.Resource: [Binding: Level]], touching objects: Set<Binding.Resource>
    ) {
        levels = levels.filter { objects.contains($0.key) }
        let seen = Self.byObject(actual.levels)
        for object in actual.read { levels[object] = seen[object] ?? [:] }
        for object in actual.unreadable.keys { levels[object] = nil }
        self.desired = desired
    }

    /// Objects just written (or whose write failed) are read again by the next pass.
    mutating func forget(_ objects: some Sequence<Binding.Resource>) {
        for object in objects { levels[object] = nil }
    }

    static func byObject(_ levels: [Binding: Level]) -> [Binding.Resource: [Binding: Level]] {
        var result: [Binding.Resource: [Binding: Level]] = [:]
        for (binding, level) in levels { result[binding.resource, default: [:]][binding] = level }
        return result
    }
}
