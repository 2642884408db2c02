import Foundation
import TestSupport
import Testing

@testable import Controller

/// The stop request services wait on instead of a sleep they would have to cancel.
struct StopRequestTests {
    let clock = ShiftedClock()
    let request = StopRequest()

    @Test func waitsEndWhenTheStopIsRequestedAndAfter() async throws {
        let request = self.request
        let waiting = Watched { await request.wait() }
        await request.request()
        #expect(try await waiting.value() != nil)
        #expect(try await Watched { await request.wait() }.value() != nil)
    }

    @Test func aSleepReachesItsDeadline() async throws {
        let (request, clock) = (self.request, self.clock)
        let deadline = clock.now() + 600
        let sleeping = Watched { await request.sleep(until: deadline, on: clock) }
        clock.jump(by: 601)
        #expect(try await sleeping.value() == true)
    }

    @Test func aStopEndsASleepEarlyWithoutCancelling() async throws {
        let (request, clock) = (self.request, self.clock)
        let sleeping = Watched {
            let reached = await request.sleep(until: clock.now() + 600, on: clock)
            return [reached, Task.isCancelled]
        }
        await request.request()
        #expect(try await sleeping.value() == [false, false])
    }

    @Test func aCancelledSleepSaysItDidNotGetThere() async throws {
        let sleeping = Task { await request.sleep(until: clock.now() + 600, on: clock) }
        sleeping.cancel()
        #expect(await sleeping.value == false)
    }
}
