import Foundation
import Synchronization
import TestSupport
import Testing

@testable import GrafanaAPI

struct RetrierTests {
    let clock = ManualClock()
    static let request = GrafanaRequest("GET", "/api/x")

    /// An operation that fails with the given errors in turn, then succeeds; counts its calls.
    final class Script: Sendable {
        let failures: Mutex<[GrafanaAPIError]>
        let calls = Mutex(0)
        init(_ failures: [GrafanaAPIError]) { self.failures = Mutex(failures) }

        func call() throws(GrafanaAPIError) -> String {
            calls.withLock { $0 += 1 }
            if let next = failures.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw next }
            return "ok"
        }
    }

    private func transient(retryAfter: Duration? = nil) -> GrafanaAPIError {
        .transient(Self.request, reason: "503", retryAfter: retryAfter)
    }

    /// Runs the retrier while advancing the manual clock whenever it sleeps, so nothing really waits.
    private func run(_ script: Script, deadline: TimeInterval, retrier: Retrier) async -> Result<
        String, GrafanaAPIError
    > {
        let start = clock.now()
        async let result = Self.attempt(script, retrier: retrier, until: start.addingTimeInterval(deadline))
        for _ in 0..<200 {
            await Task.yield()
            clock.advanceToNextDeadline()
        }
        return await result
    }

    private static func attempt(_ script: Script, retrier: Retrier, until deadline: Date) async
        -> Result<String, GrafanaAPIError>
    {
        do throws(GrafanaAPIError) {
            return .success(try await retrier.run(until: deadline) { () throws(GrafanaAPIError) in try script.call() })
        } catch {
            return .failure(error)
        }
    }

    @Test(arguments: [(0, 0.5, 0.1), (1, 0.5, 0.2), (3, 1.0, 1.6), (30, 0.999, 299.7), (10, 0.0, 0.0)])
    func backoffIsFullJitterBelowTheCap(attempt: Int, random: Double, seconds: Double) {
        let delay = RetryPolicy().delay(attempt: attempt, retryAfter: nil, random: random)
        #expect(abs(delay.timeInterval - seconds) < 0.001)
    }

    @Test func retryAfterIsAFloorForTheWait() {
        let policy = RetryPolicy()
        #expect(policy.delay(attempt: 0, retryAfter: .seconds(5), random: 0.9) == .seconds(5))
        #expect(policy.delay(attempt: 12, retryAfter: .seconds(5), random: 0.5) > .seconds(5))
    }

    @Test func transientErrorsAreRetriedUntilSuccess() async {
        let script = Script([transient(), transient(), transient(retryAfter: .seconds(30))])
        let retrier = Retrier(clock: clock, random: { 0.5 })
        #expect(await run(script, deadline: 3_600, retrier: retrier) == .success("ok"))
        #expect(script.calls.withLock { $0 } == 4)
        // Waits of 0.1 s and 0.2 s (half of 0.2 s and 0.4 s), then Retry-After's 30 s as a floor.
        let start = Date(timeIntervalSince1970: 1_795_284_000)
        #expect(clock.requestedSleeps.map { ($0.timeIntervalSince(start) * 1000).rounded() } == [100, 300, 30_300])
    }

    @Test func otherErrorsAreNotRetried() async {
        let forbidden = GrafanaAPIError.forbidden(Self.request, missingPermission: "teams:read", message: "no")
        let script = Script([forbidden])
        #expect(await run(script, deadline: 3_600, retrier: Retrier(clock: clock)) == .failure(forbidden))
        #expect(script.calls.withLock { $0 } == 1)
        #expect(clock.requestedSleeps.isEmpty)
    }

    @Test func theDeadlineBoundsTheRetries() async {
        let script = Script(Array(repeating: transient(retryAfter: .seconds(40)), count: 10))
        let result = await run(script, deadline: 100, retrier: Retrier(clock: clock, random: { 0 }))
        #expect(result == .failure(transient(retryAfter: .seconds(40))))
        #expect(script.calls.withLock { $0 } == 3)
        #expect(clock.now() == Date(timeIntervalSince1970: 1_795_284_000).addingTimeInterval(80))
    }
}
