import Foundation
import GrafanaAPI
import Synchronization
import TestSupport
import Testing

@testable import Controller

/// `requireOnCall` with a known shift end: the pass asks to wake at the end, and the on-call cache does not
/// outlive it.
struct OnCallShiftTests {
    /// OnCall answering from a list tests set, counting the questions.
    final class ScriptedOnCall: OnCallAPI {
        let state = Mutex<(roster: OnCallRoster, asked: Int)>((OnCallRoster(), 0))

        func roster(schedules: [String], at now: Date) async throws(GrafanaAPIError) -> OnCallRoster {
            state.withLock { state in
                state.asked += 1
                return state.roster
            }
        }
    }

    @Test func accessEndsAtTheShiftEndEvenInsideTheCache() async throws {
        let simulator = try SimulatorHarness()
        let directory = try TemporaryDirectory()
        try directory.writeResources(DesiredStateOnCallTests.text, named: "grant.yaml")
        let clock = ShiftedClock()
        let shiftEnd = clock.now().addingTimeInterval(60)
        let onCall = ScriptedOnCall()
        onCall.state.withLock {
            $0.roster = OnCallRoster(
                onCall: ["primary-sre": ["alice", "alice@example.com"]],
                shiftEnds: ["primary-sre": ["alice@example.com": shiftEnd]])
        }
        let reconciler = Reconciler.testing(
            in: directory, grafana: simulator.client(), clock: clock, onCall: onCall
        ) { $0.onCallCache = .seconds(300) }
        try await reconciler.start()
        let first = await reconciler.pass()
        #expect(first.phases["g"] == .active && first.nextDeadline == shiftEnd, "\(first)")
        let statuses = await reconciler.statuses
        #expect(statuses["g"]?.message.contains("on call until \(shiftEnd.rfc3339)") == true)
        // Within the cache, before the end: OnCall is not asked again.
        clock.jump(by: 2)
        _ = await reconciler.pass()
        #expect(onCall.state.withLock { $0.asked } == 1)
        // At the end, still within the cache's five minutes: OnCall is asked and the access goes.
        onCall.state.withLock { $0.roster = OnCallRoster(onCall: ["primary-sre": []]) }
        clock.jump(by: 60)
        let atEnd = await reconciler.pass()
        #expect(onCall.state.withLock { $0.asked } == 2)
        #expect(atEnd.phases["g"] == .denied)
        let left = try await simulator.client().permissions(on: .dataSource("loki-prod")).map(\.principal)
        #expect(!left.contains { "\($0)" == "user 2" })
    }
}
