import Foundation
import Synchronization

/// What the controller changed in Grafana and when each grant first became active: the memory that lets it
/// restore exactly what was there before, and never touch what it did not grant. A value; `LedgerStore` persists it.
package struct Ledger: Sendable, Equatable, Codable {
    /// Bumped when the file format changes; an older binary refuses a newer file rather than misread it.
    package static let currentVersion = 1

    package var version = Ledger.currentVersion
    /// One entry per binding the controller has written; stored on disk as a list sorted by binding.
    private var entries: [Binding: LedgerChange] = [:] {
        didSet { revisions.entries = Revisions.next() }
    }
    /// Each grant's fixed window, by grant name; kept after expiry so the name stays expired.
    package var grants: [String: GrantRecord] = [:] {
        didSet { revisions.grants = Revisions.next() }
    }
    /// Service-account tokens the controller created, by grant name; recorded before each creation.
    package var tokens: [String: TokenRecord] = [:] {
        didSet { revisions.tokens = Revisions.next() }
    }
    /// Which version of each part this is: every change of a part gives it a number never given before, so two
    /// ledgers whose part has the same (nonzero) number hold the same part, and the journal's diff skips it without
    /// comparing 10,000 records. 0 is unknown (a new or decoded ledger): always compared. Not part of equality.
    private(set) var revisions = Revisions()
    /// The bindings whose entries changed since the ledger was saved as entries revision `savedEntries`: the
    /// journal's diff against that save looks only at them (a pass writing one binding compared all 10,000).
    private(set) var touchedEntries: Set<Binding> = []
    private(set) var savedEntries: UInt64?
    /// The bindings whose entries are undone and watched: few, and looked at by every pass, so kept apart rather
    /// than found among 10,000 entries. Not part of equality.
    private(set) var watched: Set<Binding> = []

    struct Revisions: Sendable {
        var entries: UInt64 = 0
        var grants: UInt64 = 0
        var tokens: UInt64 = 0

        private static let last = Atomic<UInt64>(0)

        static func next() -> UInt64 {
            last.add(1, ordering: .relaxed).newValue
        }
    }

    package init() {}

    package static func == (lhs: Ledger, rhs: Ledger) -> Bool {
        lhs.version == rhs.version && lhs.entries == rhs.entries && lhs.grants == rhs.grants
            && lhs.tokens == rhs.tokens
    }

    package var changes: [LedgerChange] { entries.values.sorted { $0.binding < $1.binding } }

    package var count: Int { entries.count }

    /// Entries with a write whose outcome was not seen, in binding order; checked every pass, so only these few are
    /// sorted.
    package var pendingChanges: [LedgerChange] {
        entries.values.filter { $0.pending != nil }.sorted { $0.binding < $1.binding }
    }

    package var bindings: Dictionary<Binding, LedgerChange>.Keys { entries.keys }

    /// Every entry by its binding, unsorted: what the journal compares.
    var entriesByBinding: [Binding: LedgerChange] { entries }

    /// Entries, windows and tokens: what a compacted journal holds one record each for.
    var liveItems: Int { entries.count + grants.count + tokens.count }

    package func change(for binding: Binding) -> LedgerChange? {
        entries[binding]
    }

    /// The entry for `binding` while the controller's access is in force (not undone and watched).
    package func heldChange(for binding: Binding) -> LedgerChange? {
        entries[binding].flatMap { $0.undoneSince == nil ? $0 : nil }
    }

    /// Inserts or replaces the entry for its binding.
    package mutating func record(_ change: LedgerChange) {
        set(change, for: change.binding)
    }

    package mutating func forget(_ binding: Binding) {
        set(nil, for: binding)
    }

    /// Every change of an entry goes here: the touched and watched bindings follow it.
    private mutating func set(_ change: LedgerChange?, for binding: Binding) {
        entries[binding] = change
        touchedEntries.insert(binding)
        if change?.undoneSince != nil { watched.insert(binding) } else { watched.remove(binding) }
    }

    /// This ledger was just saved: changes are counted from here.
    package mutating func markSaved() {
        (touchedEntries, savedEntries) = ([], revisions.entries)
    }

    /// Marks an entry undone at `now`, keeping the first time (`restarting`: from now, as after a revocation). It is
    /// watched until `forgetWatches` forgets it.
    package mutating func markUndone(_ binding: Binding, at now: Date, restarting: Bool = false) {
        guard var entry = entries[binding] else { return }
        entry.undoneSince = restarting ? now : entry.undoneSince ?? now
        set(entry, for: binding)
    }

    /// Forgets the entries undone at `cutoff` or before on the objects in `read` (read by this pass, after the watch
    /// ended, and not failing): only such a read shows that no write on its way brought the access back. An entry
    /// with a write begun (a revocation of access that came back, not confirmed) is kept.
    package mutating func forgetWatches(undoneBy cutoff: Date, on read: Set<Binding.Resource>) {
        guard !read.isEmpty else { return }
        let ended = watched.filter { binding in
            guard read.contains(binding.resource), let entry = entries[binding] else { return false }
            return entry.pending == nil && entry.undoneSince.map { $0 <= cutoff } ?? false
        }
        for binding in ended { set(nil, for: binding) }
    }

    /// When each object's earliest watch ends, for the undone entries on the objects in `keys`.
    package func watchesEnding(on keys: Set<Binding.Resource>, grace: TimeInterval) -> [Binding.Resource: Date] {
        assert(watched == Set(entries.values.filter { $0.undoneSince != nil }.map(\.binding)), "watched is off")
        var ends: [Binding.Resource: Date] = [:]
        for binding in watched where keys.contains(binding.resource) {
            guard let since = entries[binding]?.undoneSince else { continue }
            let end = since.addingTimeInterval(grace)
            ends[binding.resource] = min(ends[binding.resource] ?? end, end)
        }
        return ends
    }

    private enum CodingKeys: String, CodingKey {
        case version, changes, grants, tokens
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        for change in try container.decode([LedgerChange].self, forKey: .changes) {
            entries[change.binding] = change
            if change.undoneSince != nil { watched.insert(change.binding) }
        }
        grants = try container.decode([String: GrantRecord].self, forKey: .grants)
        tokens = try container.decodeIfPresent([String: TokenRecord].self, forKey: .tokens) ?? [:]
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(changes, forKey: .changes)
        try container.encode(grants, forKey: .grants)
        try container.encode(tokens, forKey: .tokens)
    }
}

/// One binding the controller set: the level it set, the level that was there before (nil: nothing), and the
/// grants that hold it. Written before the Grafana write (write-ahead), so a crash cannot lose it.
package struct LedgerChange: Sendable, Equatable, Codable {
    package var binding: Binding
    package var levelSet: Level
    package var levelBefore: Level?
    package var grants: [String]
    package var since: Date
    /// When the access was first seen undone (revoked by the controller, or gone). The entry is kept a while longer
    /// so a write still on its way (a retry, or a request of a process that died) cannot bring access back unseen.
    package var undoneSince: Date?
    /// For people reading the file: `alice@example.com`, `prod-logs`.
    package var subjectName: String
    package var resourceName: String
    /// A write begun for this binding whose outcome the controller has not seen: its answer was lost, or the
    /// process stopped. When a later pass finds Grafana already as that write would leave it, the change is audited
    /// then. Absent in ledgers written before it existed: those entries count as confirmed.
    package var pending: Change.Kind?

    package init(
        binding: Binding, levelSet: Level, levelBefore: Level?, grants: [String], since: Date, subjectName: String,
        resourceName: String
    ) {
        self.binding = binding
        self.levelSet = levelSet
        self.levelBefore = levelBefore
        self.grants = grants
        self.since = since
        self.subjectName = subjectName
        self.resourceName = resourceName
    }
}

/// A grant's window as first fixed, and whether it has ended for good.
/// A service-account token created for a grant. Recorded (without an id) before Grafana is asked, so a crash or a
/// lost answer leaves a name to find and delete; never holds the key.
package struct TokenRecord: Sendable, Equatable, Codable {
    package var serviceAccountID: Int
    package var serviceAccountName: String
    package var tokenName: String
    /// nil until Grafana confirmed the creation.
    package var tokenID: Int?
    package var expiresAt: Date
    package var subjectName: String
}

package struct GrantRecord: Sendable, Equatable, Codable {
    /// When the controller first saw the grant; a grant without `startsAt` starts then.
    package var firstSeen: Date
    /// When it first became active; from then its window cannot be extended.
    package var activatedAt: Date?
    package var start: Date?
    package var end: Date?
    /// Once expired, the name stays expired, whatever the file says later.
    package var isExpired = false
    /// Who gets what (subject and access items): a grant renamed in its file is recognised by it and keeps its
    /// window, so renaming cannot restart the clock.
    package var contentKey: String?

    package init(firstSeen: Date) {
        self.firstSeen = firstSeen
    }
}
