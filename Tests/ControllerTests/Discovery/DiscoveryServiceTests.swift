import Foundation
import TestSupport
import Testing

@testable import Controller

/// Discovery's rounds, and how it stops: between rounds at once, during a scan once that scan is done; never by
/// cancellation. Real time on a shifted clock, whose `jump(by:)` stands for the ten minutes between rounds.
struct DiscoveryServiceTests {
    let clock = ShiftedClock()
    let journal = Journal()

    private func scan(_ name: String) -> @Sendable () async -> Void {
        { [journal] in await journal.note(name) }
    }

    private func service(_ scans: [@Sendable () async -> Void], every interval: Duration = .seconds(600))
        -> DiscoveryService
    {
        DiscoveryService(interval: interval, clock: clock, scans: scans)
    }

    @Test func aStopEndsTheWaitBetweenRoundsWithoutCancelling() async throws {
        let service = service([scan("a"), scan("b")])
        let running = Watched {
            await service.run()
            return Task.isCancelled
        }
        #expect(try await eventually { await journal.entries == ["a", "b"] })
        await service.stop()
        #expect(try await running.value() == false)
        #expect(await journal.entries == ["a", "b"])
    }

    @Test func theNextRoundComesAfterTheInterval() async throws {
        let service = service([scan("a")])
        let running = Watched { await service.run() }
        #expect(try await eventually { await journal.entries == ["a"] })
        // Jumped again on every look: the wait's deadline is set only once the first round is done.
        #expect(
            try await eventually {
                clock.jump(by: 601)
                return await journal.entries.count >= 2
            })
        await service.stop()
        #expect(try await running.value() != nil)
    }

    @Test func aStopDuringAScanLetsItFinishAndSkipsTheRest() async throws {
        let journal = self.journal
        let scanMayEnd = StopRequest()
        let slow: @Sendable () async -> Void = {
            await journal.note("a started")
            await scanMayEnd.wait()
            await journal.note("a ended")
        }
        let service = service([slow, scan("b")])
        let running = Watched { await service.run() }
        #expect(try await eventually { await journal.entries == ["a started"] })
        await service.stop()
        await scanMayEnd.request()
        #expect(try await running.value() != nil)
        #expect(await journal.entries == ["a started", "a ended"])
    }

    @Test func aZeroIntervalTurnsDiscoveryOff() async throws {
        let service = service([scan("a")], every: .zero)
        #expect(try await Watched { await service.run() }.value() != nil)
        #expect(await journal.entries.isEmpty)
    }
}
