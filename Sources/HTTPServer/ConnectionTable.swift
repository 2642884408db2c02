/// The connections a server is serving, and which one to give up when it is full: the one waiting longest for a
/// request, so a flood of idle connections can never make the server refuse a probe.
struct ConnectionTable {
    enum Admission: Equatable {
        case admitted
        /// Admitted in place of this connection, which the caller shuts down.
        case admittedInPlace(of: Int32)
        /// Full, and every connection is answering a request.
        case refused
    }

    private struct Entry {
        /// When the connection began waiting for its next request (idle, or still receiving it); nil while it
        /// answers one.
        var waitingSince: ContinuousClock.Instant?
    }

    private var entries: [Int32: Entry] = [:]
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var descriptors: [Int32] { Array(entries.keys) }

    mutating func admit(_ fd: Int32, at now: ContinuousClock.Instant) -> Admission {
        guard entries.count >= capacity else {
            entries[fd] = Entry(waitingSince: now)
            return .admitted
        }
        let waiting = entries.compactMap { fd, entry in entry.waitingSince.map { (fd: fd, since: $0) } }
        guard let oldest = waiting.min(by: { $0.since < $1.since })?.fd else { return .refused }
        entries[oldest] = nil
        entries[fd] = Entry(waitingSince: now)
        return .admittedInPlace(of: oldest)
    }

    /// The connection is answering a request, so it is not closed to make room.
    mutating func markResponding(_ fd: Int32) {
        entries[fd]?.waitingSince = nil
    }

    /// The connection answered and waits for the next request.
    mutating func markWaiting(_ fd: Int32, since now: ContinuousClock.Instant) {
        entries[fd]?.waitingSince = now
    }

    mutating func remove(_ fd: Int32) {
        entries[fd] = nil
    }
}
