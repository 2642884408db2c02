import Foundation
import Testing

@testable import Controller

/// The resync's steps: its slices in turn, evenly over the interval, so every key is read within one interval.
struct ResyncScheduleTests {
    let start = Date(timeIntervalSince1970: 1_795_284_000)

    /// The steps from `schedule` on, each run on time: (due, trigger).
    func steps(_ count: Int, from schedule: ResyncSchedule) -> [(due: Date, trigger: PassTrigger)] {
        var schedule = schedule
        return (0..<count).map { _ in
            defer { schedule.advance(now: schedule.due) }
            return (schedule.due, schedule.trigger)
        }
    }

    @Test func theSlicesComeInTurnAndTheFullResyncOnceAnInterval() {
        let schedule = ResyncSchedule(interval: .seconds(60), start: start)
        let run = steps(8, from: schedule)
        #expect(run.map(\.due) == (1...8).map { start.addingTimeInterval(Double($0) * 15) })
        #expect(
            run.map(\.trigger).map(\.fields)
                == [1, 2, 3, 0, 1, 2, 3, 0].map { index in
                    [
                        "trigger": index == 0 ? "resync" : "resyncSlice", "slice": String(index), "slices": "4",
                    ]
                })
    }

    /// A key that appears at any moment is read by its slice's step within one interval (and at once, as a key
    /// never read, by whatever pass comes first).
    @Test(arguments: [0, 7.5, 15, 29.9, 44, 59.99])
    func aNewKeyIsReadWithinOneInterval(appearingAfter seconds: Double) {
        let appears = start.addingTimeInterval(seconds)
        let run = steps(12, from: ResyncSchedule(interval: .seconds(60), start: start))
        for key in [Binding.Resource.dataSource("new"), .team(42), .folder("f"), .orgRole] {
            let read = run.first { $0.due >= appears && ($0.trigger.keySlice?.contains(key) ?? false) }
            #expect(read.map { $0.due.timeIntervalSince(appears) <= 60 } == true, "\(key)")
        }
    }

    /// A pass that runs past the next step's time: that step runs at once, and the interval stretches rather than
    /// steps piling up.
    @Test func aLatePassStretchesTheIntervalWithoutPilingUp() {
        var schedule = ResyncSchedule(interval: .seconds(4), start: start)
        let late = start.addingTimeInterval(3.5)
        schedule.advance(now: late)
        #expect(schedule.due == late)
        #expect(schedule.trigger == .resyncSlice(ResyncSlice(index: 2, count: 4)))
        schedule.advance(now: late)
        #expect(schedule.due == late.addingTimeInterval(1))
    }

    @Test func aShortIntervalIsOneFullResync() {
        let run = steps(3, from: ResyncSchedule(interval: .seconds(1), start: start))
        #expect(run.map(\.trigger) == Array(repeating: .resync(slices: 1), count: 3))
        #expect(run.map(\.due) == (1...3).map { start.addingTimeInterval(Double($0)) })
        #expect(run.allSatisfy { $0.trigger.keySlice == .all })
    }

    /// A grant's deadline due just after a step runs first (the step waits at most `deadlineFirst`), so an expiry
    /// does not wait behind a full resync; a later one waits for the step.
    @Test func aDeadlineJustAfterAStepRunsFirst() {
        let schedule = ResyncSchedule(interval: .seconds(60), start: start)
        #expect(schedule.yields(to: schedule.due.addingTimeInterval(-1)))
        #expect(schedule.yields(to: schedule.due.addingTimeInterval(1.5)))
        #expect(!schedule.yields(to: schedule.due.addingTimeInterval(ResyncSchedule.deadlineFirst)))
    }

    /// A step that took longer than `deadlineFirst` waits that long for deadlines due after it (plus half a second),
    /// never more than `deadlineFirstAtMost`.
    @Test func theWindowGrowsWithTheLongestStepOfItsKind() {
        var schedule = ResyncSchedule(interval: .seconds(4), start: start)
        #expect(schedule.trigger == .resyncSlice(ResyncSlice(index: 1, count: 4)))
        schedule.ran(.resyncSlice(ResyncSlice(index: 1, count: 4)), for: 5)
        #expect(schedule.yields(to: schedule.due.addingTimeInterval(5.4)))
        #expect(!schedule.yields(to: schedule.due.addingTimeInterval(5.6)))
        schedule.ran(.resync(slices: 4), for: 100)
        for _ in 0..<3 { schedule.advance(now: start) }
        #expect(schedule.trigger == .resync(slices: 4))
        #expect(schedule.yields(to: schedule.due.addingTimeInterval(29)))
        #expect(!schedule.yields(to: schedule.due.addingTimeInterval(ResyncSchedule.deadlineFirstAtMost)))
    }
}
