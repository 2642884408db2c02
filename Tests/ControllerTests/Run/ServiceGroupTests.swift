import Foundation
import TestSupport
import Testing

@testable import Controller

/// Stopping the daemon's services: in stages, each after the one before has ended, up to a deadline. Real time on a
/// shifted clock (a manual clock's sleeps would wait for a hand that never moves), so nothing here waits long.
struct ServiceGroupTests {
    let clock = ShiftedClock()
    let journal = Journal()

    private func started(_ count: Int) async throws -> Bool {
        try await eventually { await journal.entries.filter { $0.hasSuffix(" started") }.count == count }
    }

    private func noted(_ entry: String) async throws -> Bool {
        try await eventually { await journal.entries.contains(entry) }
    }

    @Test func stagesStopInOrderEachAfterTheOneBeforeEnded() async throws {
        let loop = await FakeService("loop", journal: journal, endsWhenAsked: false)
        let group = ServiceGroup(
            stages: [
                [loop, await FakeService("loop2", journal: journal)],
                [await FakeService("discovery", journal: journal)],
                [await FakeService("notifier", journal: journal)], [await FakeService("server", journal: journal)],
            ], clock: clock)
        let running = Watched { await group.run() }
        #expect(try await started(5))
        let stopping = Watched { await group.stop(until: clock.now() + 30) }
        #expect(try await noted("loop2 ended"))
        // The loop's pass is still in progress, so nothing after it has been asked.
        #expect(await !journal.entries.contains("discovery asked"))
        await loop.finishWork()
        #expect(try await stopping.value() == true)
        #expect(try await running.value() != nil)
        #expect(
            await journal.entries.filter { !$0.hasSuffix(" started") } == [
                "loop asked", "loop2 asked", "loop2 ended", "loop ended", "discovery asked", "discovery ended",
                "notifier asked", "notifier ended", "server asked", "server ended",
            ])
    }

    @Test func aServiceThatNeverStopsIsGivenUpAtTheDeadline() async throws {
        let stuck = await FakeService("loop", journal: journal, endsWhenAsked: false)
        let group = ServiceGroup(stages: [[stuck], [await FakeService("server", journal: journal)]], clock: clock)
        let running = Watched { await group.run() }
        #expect(try await started(2))
        let deadline = clock.now() + 30
        let stopping = Watched { await group.stop(until: deadline) }
        #expect(try await noted("loop asked"))
        #expect(!stopping.hasEnded)
        clock.jump(by: 31)
        #expect(try await stopping.value() == false)
        // `run` returns past the stuck service, and what comes after it is not asked: the process exits next.
        #expect(try await running.value() != nil)
        #expect(await !journal.entries.contains("server asked"))
        await stuck.finishWork()
    }

    @Test func abandoningEndsTheStopAtOnce() async throws {
        let stuck = await FakeService("loop", journal: journal, endsWhenAsked: false)
        let group = ServiceGroup(stages: [[stuck]], clock: clock)
        let running = Watched { await group.run() }
        #expect(try await started(1))
        let stopping = Watched { await group.stop(until: clock.now() + 30) }
        #expect(try await noted("loop asked"))
        await group.abandon()
        #expect(try await stopping.value() == false)
        #expect(try await running.value() != nil)
        await stuck.finishWork()
    }

    @Test func aStopBeforeRunMeansNothingStarts() async throws {
        let group = ServiceGroup(
            stages: [[await FakeService("loop", journal: journal)], [await FakeService("server", journal: journal)]],
            clock: clock)
        #expect(await group.stop(until: clock.now() + 30))
        #expect(try await Watched { await group.run() }.value() != nil)
        #expect(await journal.entries == ["loop asked", "server asked"])
    }

    @Test func runReturnsOnceEveryServiceHasEnded() async throws {
        let group = ServiceGroup(stages: [[DiscoveryService(interval: .zero, clock: clock, scans: [])]], clock: clock)
        #expect(try await Watched { await group.run() }.value() != nil)
        #expect(await group.stop(until: clock.now() + 30))
    }
}
