/// One step of the resync spread over its interval: the keys whose stable hash falls in it are read again then, so
/// every key is read once per `--resync` without one burst of reads. A key's slice depends on the key alone: keys
/// that appear or disappear move no other key.
package struct ResyncSlice: Sendable, Hashable {
    package var index: Int
    package var count: Int

    /// Every key in one: a start, a retry and a request read all of Grafana.
    package static let all = ResyncSlice(index: 0, count: 1)
    /// At most this many steps an interval: each is a pass, whose cost (an event's) does not shrink with its slice.
    static let maximumCount = 4
    /// No step shorter than this, so a short `--resync` (tests use 1-3 s) is not a stream of passes.
    static let minimumStep: Duration = .seconds(1)

    package init(index: Int, count: Int) {
        precondition(count > 0 && (0..<count).contains(index), "slice \(index) of \(count)")
        self.index = index
        self.count = count
    }

    /// How many slices `interval` is spread over.
    package static func count(over interval: Duration) -> Int {
        max(1, min(maximumCount, Int(interval / minimumStep)))
    }

    /// The slice `key` falls in among `count`.
    static func index(of key: Binding.Resource, among count: Int) -> Int {
        let name =
            switch key {
            case .dataSource(let uid): "dataSource/" + uid
            case .folder(let uid): "folder/" + uid
            case .team(let id): "team/\(id)"
            case .orgRole: "orgRole"
            }
        return Int(StableHash.of(name.utf8) % UInt64(count))
    }

    package func contains(_ key: Binding.Resource) -> Bool {
        count == 1 || Self.index(of: key, among: count) == index
    }
}
