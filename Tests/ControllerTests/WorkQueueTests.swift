import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

struct WorkQueueTests {
    let clock = ManualClock()

    private func queue() -> WorkQueue<String> {
        WorkQueue(clock: clock, policy: RetryPolicy(base: .seconds(1), cap: .seconds(60)), random: { 0.5 })
    }

    @Test func aKeyAddedTwiceIsHandedOutOnce() async {
        let queue = queue()
        await queue.add("a")
        await queue.add("a")
        await queue.add("b")
        #expect(await queue.next() == "a")
        #expect(await queue.next() == "b")
        await queue.done("a")
        await queue.done("b")
        #expect(await queue.next() == nil)
    }

    @Test func aKeyAddedWhileProcessingRunsAgainAfterAndNeverTwiceAtOnce() async {
        let queue = queue()
        await queue.add("a")
        #expect(await queue.next() == "a")
        await queue.add("a")
        #expect(await queue.isIdle == false)
        await queue.done("a")
        #expect(await queue.next() == "a")
        await queue.done("a")
        #expect(await queue.isIdle)
    }

    @Test func delayedKeysKeepTheEarliestTime() async {
        let queue = queue()
        await queue.add("a", after: .seconds(30))
        await queue.add("a", after: .seconds(10))
        await queue.add("a", after: .seconds(20))
        async let next = queue.next()
        for _ in 0..<50 where clock.requestedSleeps.isEmpty { await Task.yield() }
        clock.advanceToNextDeadline()
        #expect(await next == "a")
        #expect(clock.now() == Date(timeIntervalSince1970: 1_795_284_010))
    }

    @Test func failuresBackOffPerKeyAndForgetResets() async {
        let queue = queue()
        #expect(await queue.addRateLimited("a") == .milliseconds(500))
        #expect(await queue.addRateLimited("a") == .seconds(1))
        #expect(await queue.addRateLimited("a") == .seconds(2))
        #expect(await queue.addRateLimited("b") == .milliseconds(500))
        #expect(await queue.requeues(of: "a") == 3)
        await queue.forget("a")
        #expect(await queue.addRateLimited("a") == .milliseconds(500))
    }

    @Test func retryAfterIsTheFloor() async {
        #expect(await queue().addRateLimited("a", retryAfter: .seconds(9)) == .seconds(9))
    }

    @Test func shutDownReleasesWaitingWorkers() async {
        let queue = queue()
        await queue.add("a", after: .seconds(60))
        async let next = queue.next()
        for _ in 0..<50 where clock.requestedSleeps.isEmpty { await Task.yield() }
        await queue.shutDown()
        clock.advanceToNextDeadline()
        #expect(await next == nil)
    }
}
