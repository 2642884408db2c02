import Foundation

/// When each step of the resync is due: the full resync (slice 0) once an interval, its other slices evenly between.
/// Steps keep their own times whatever other passes run, so file events never postpone drift correction.
struct ResyncSchedule {
    let interval: Duration
    let slices: Int
    /// The step to run next, and when.
    private(set) var next: ResyncSlice
    private(set) var due: Date

    /// Counting from a pass that read every key at `start`: the next step is slice 1, one step later.
    init(interval: Duration, start: Date) {
        self.interval = interval
        slices = ResyncSlice.count(over: interval)
        next = ResyncSlice(index: 1 % slices, count: slices)
        due = start.addingTimeInterval(interval.timeInterval / Double(slices))
    }

    /// How long a step waits at least for a grant's deadline due just after it: a full resync holds the loop for
    /// about a second at 10,000 grants, and an expiry must not wait behind it.
    static let deadlineFirst: TimeInterval = 2
    /// ...and at most, whatever a step took: deadlines cannot starve the resync.
    static let deadlineFirstAtMost: TimeInterval = 30
    /// The longest each kind of step (the full resync, a slice) has taken: a deadline due within it after the step
    /// would wait behind it.
    private var longest: (full: TimeInterval, slice: TimeInterval) = (0, 0)

    /// Whether a deadline at `date` runs before the next step: it is due before the step, or within as long as
    /// that kind of step has taken (at least `deadlineFirst`, at most `deadlineFirstAtMost`) after it.
    func yields(to deadline: Date) -> Bool {
        let took = next.index == 0 ? longest.full : longest.slice
        let window = min(max(Self.deadlineFirst, took + 0.5), Self.deadlineFirstAtMost)
        return deadline < due.addingTimeInterval(window)
    }

    /// A pass that `trigger` started took `seconds`: remembered when it was a step of the resync.
    mutating func ran(_ trigger: PassTrigger, for seconds: TimeInterval) {
        switch trigger {
        case .resync: longest.full = max(longest.full, seconds)
        case .resyncSlice: longest.slice = max(longest.slice, seconds)
        default: return
        }
    }

    /// The pass that runs the next step.
    var trigger: PassTrigger {
        next.index == 0 ? .resync(slices: slices) : .resyncSlice(next)
    }

    /// The next step ran (a pass ending at `now`): the one after is due a step later, or at once when the pass ran
    /// past it (then the interval stretches rather than steps piling up).
    mutating func advance(now: Date) {
        next = ResyncSlice(index: (next.index + 1) % slices, count: slices)
        due = max(due.addingTimeInterval(interval.timeInterval / Double(slices)), now)
    }
}
