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
    /// Each object's levels as last read; none for an object never read, or written or unreadable since.
    private var levels: [Binding.Resource: [Binding: Level]] = [:]
    /// Counts every read, write and failure remembered: a read made ahead (`ResyncPrefetch`) is used only for the
    /// objects nothing touched since it began.
    private(set) var touches: UInt64 = 0
    /// The count at each object's last touch.
    private var lastTouch: [Binding.Resource: UInt64] = [:]

    /// Whether a pass may plan on the facts already held rather than read them: never after `refreshFacts` said a
    /// grant names something unknown, unless they were read less than `factsRefreshInterval` ago.
    func mayReuseFacts(now: Date, namesUnknown: Bool) -> Bool {
        guard facts != nil, let factsReadAt else { return false }
        return !namesUnknown || now.timeIntervalSince(factsReadAt) < Self.factsRefreshInterval
    }

    /// The objects to read now: those whose desired bindings changed (`changed`), that hold a write whose outcome
    /// is unknown, or that something wants or the ledger holds but whose levels are not known.
    func stale(changed: Set<Binding>, desired: [Binding: DesiredBinding], ledger: Ledger) -> Set<Binding.Resource> {
        var result = Set(changed.map(\.resource))
        for entry in ledger.pendingChanges { result.insert(entry.binding.resource) }
        for binding in desired.keys where levels[binding.resource] == nil { result.insert(binding.resource) }
        for binding in ledger.bindings where levels[binding.resource] == nil { result.insert(binding.resource) }
        return result
    }

    /// What was seen of these objects.
    func levels(of objects: Set<Binding.Resource>) -> [Binding: Level] {
        var result: [Binding: Level] = [:]
        for object in objects { result.merge(levels[object] ?? [:]) { $1 } }
        return result
    }

    /// What was seen of every object but these.
    func levels(except read: Set<Binding.Resource>) -> [Binding: Level] {
        var result: [Binding: Level] = [:]
        for (object, bindings) in levels where !read.contains(object) { result.merge(bindings) { $1 } }
        return result
    }

    /// Remembers what a pass read. With `touching`, objects not among them (neither desired nor in the ledger any
    /// more) are forgotten.
    mutating func remember(_ actual: ActualState, touching objects: Set<Binding.Resource>? = nil) {
        if let objects { levels = levels.filter { objects.contains($0.key) } }
        let seen = Self.byObject(actual.levels)
        for object in actual.read {
            levels[object] = seen[object] ?? [:]
            touch(object)
        }
        for object in actual.unreadable.keys {
            levels[object] = nil
            touch(object)
        }
    }

    /// Objects just written (or whose write failed) are read again by the next pass.
    mutating func forget(_ objects: some Sequence<Binding.Resource>) {
        for object in objects {
            levels[object] = nil
            touch(object)
        }
    }

    /// Whether anything was remembered or forgotten of `object` after `touches` was `mark`.
    func touched(_ object: Binding.Resource, since mark: UInt64) -> Bool {
        lastTouch[object].map { $0 > mark } ?? false
    }

    private mutating func touch(_ object: Binding.Resource) {
        touches += 1
        lastTouch[object] = touches
    }

    static func byObject(_ levels: [Binding: Level]) -> [Binding.Resource: [Binding: Level]] {
        var result: [Binding.Resource: [Binding: Level]] = [:]
        for (binding, level) in levels { result[binding.resource, default: [:]][binding] = level }
        return result
    }
}
