import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// The resync spread over its interval: each step reads only its slice of the keys (and what is stale), a key
/// changed by hand is put back by its slice's step, and a steady step writes nothing.
struct SpreadResyncTests {
    static let uids = (0..<12).map { "ds\($0)" }
    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ShiftedClock()

    init() throws {
        let sources = Self.uids.map { "  - {uid: \($0), name: data-\($0), type: loki}\n" }.joined()
        simulator = try SimulatorHarness(
            fixture: SimulatorHarness.fixture.replacingOccurrences(
                of: "dataSources:\n", with: "dataSources:\n" + sources))
        directory = try TemporaryDirectory()
        try directory.write(
            "repo/policies/policy.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessPolicy
            metadata: {name: data}
            spec: {subjects: {users: ["*@example.com"]}, dataSources: [{name: "data-*"}], permissions: [Query], maxDuration: 4h}
            """)
        let access = Self.uids.map { "{dataSource: data-\($0), permission: Query}" }.joined(separator: ", ")
        try directory.write(
            "repo/alice.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: alice-data}
            spec: {subject: {user: alice@example.com}, access: [\(access)], duration: 2h, reason: r}
            """)
    }

    /// The data sources whose permissions were read since the log was cleared.
    var readSources: Set<String> {
        let prefix = "/api/access-control/datasources/"
        return Set(
            simulator.grafana.requestLog.filter { $0.method == "GET" && $0.path.hasPrefix(prefix) }
                .map { String($0.path.dropFirst(prefix.count)) })
    }

    var writes: Int { simulator.grafana.requestLog.filter { $0.method != "GET" }.count }

    /// A reconciler that applied the grant and read its writes back.
    func converged(configure: (inout ReconcilerConfiguration) -> Void = { _ in }) async throws -> Reconciler {
        let reconciler = Reconciler.testing(
            in: directory, grafana: simulator.client(), clock: clock, configure: configure)
        try await reconciler.start()
        #expect(await reconciler.pass(trigger: .startup).applied == Self.uids.count)
        #expect(await reconciler.pass(trigger: .fileChange).applied == 0)
        return reconciler
    }

    func trigger(_ slice: ResyncSlice) -> PassTrigger {
        slice.index == 0 ? .resync(slices: slice.count) : .resyncSlice(slice)
    }

    @Test func eachStepReadsOnlyItsSliceAndASteadyOneWritesNothing() async throws {
        let reconciler = try await converged()
        var read: [String] = []
        for index in 0..<4 {
            let slice = ResyncSlice(index: index, count: 4)
            clock.jump(by: 15)
            simulator.grafana.clearLog()
            let result = await reconciler.pass(trigger: trigger(slice))
            #expect(result.error == nil && result.applied == 0 && writes == 0, "\(result.phases)")
            #expect(readSources == Set(Self.uids.filter { slice.contains(.dataSource($0)) }), "slice \(index)")
            read += readSources
        }
        #expect(read.sorted() == Self.uids.sorted(), "every key once over the interval")
    }

    @Test func accessRemovedByHandIsPutBackByItsSlice() async throws {
        let reconciler = try await converged()
        let uid = try #require(Self.uids.first { ResyncSlice.index(of: .dataSource($0), among: 4) == 2 })
        let client = simulator.client()
        let alice = try #require(try await client.orgUsers().first { $0.login == "alice" })
        try await client.setPermission(on: .dataSource(uid), principal: .user(alice.id), level: nil)
        for index in [3, 0, 1] {
            clock.jump(by: 15)
            #expect(await reconciler.pass(trigger: trigger(ResyncSlice(index: index, count: 4))).applied == 0)
        }
        clock.jump(by: 15)
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .resyncSlice(ResyncSlice(index: 2, count: 4))).applied == 1)
        #expect(writes == 1)
        let rows = try await client.permissions(on: .dataSource(uid))
        #expect(rows.contains { $0.principal == .user(alice.id) && $0.level == "Query" }, "\(rows)")
    }

    /// What a step reads ahead (`ResyncPrefetch`) is not read again: the step plans on it and still puts drift back.
    @Test func aStepReadAheadPlansOnWhatWasReadAhead() async throws {
        let reconciler = try await converged()
        let slice = ResyncSlice(index: 2, count: 4)
        let uids = Self.uids.filter { slice.contains(.dataSource($0)) }
        let uid = try #require(uids.first)
        #expect(uids.count > 1)
        let client = simulator.client()
        let alice = try #require(try await client.orgUsers().first { $0.login == "alice" })
        try await client.setPermission(on: .dataSource(uid), principal: .user(alice.id), level: nil)
        let ahead = await reconciler.prefetch(for: .resyncSlice(slice))
        #expect(ahead?.objects.read.count == uids.count)
        clock.jump(by: 15)
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .resyncSlice(slice), prefetched: ahead).applied == 1)
        #expect(readSources == [uid], "only the write's read-back: \(readSources)")
        let rows = try await client.permissions(on: .dataSource(uid))
        #expect(rows.contains { $0.principal == .user(alice.id) && $0.level == "Query" }, "\(rows)")
    }

    /// An object a pass wrote after the read ahead began is read again by the step: the read ahead predates the
    /// write, and planning on it would write again what is already there.
    @Test func anObjectTouchedSinceTheReadAheadIsReadAgain() async throws {
        let reconciler = try await converged()
        let slice = ResyncSlice(index: 2, count: 4)
        let uid = try #require(Self.uids.first { slice.contains(.dataSource($0)) })
        let ahead = await reconciler.prefetch(for: .resyncSlice(slice))
        try directory.write(
            "repo/carol.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: carol-data}
            spec: {subject: {user: carol@example.com}, access: [{dataSource: data-\(uid), permission: Query}], duration: 1h, reason: r}
            """)
        #expect(await reconciler.pass(trigger: .fileChange).applied == 1)
        clock.jump(by: 15)
        simulator.grafana.clearLog()
        let step = await reconciler.pass(trigger: .resyncSlice(slice), prefetched: ahead)
        #expect(step.applied == 0 && writes == 0, "\(step.plan.changes)")
        #expect(readSources == [uid], "only the object written since: \(readSources)")
    }

    /// The full resync takes the facts read ahead while the grants need the same ones.
    @Test func theFullResyncUsesTheFactsReadAhead() async throws {
        let reconciler = try await converged()
        let ahead = await reconciler.prefetch(for: .resync(slices: 4))
        #expect(ahead?.facts != nil)
        clock.jump(by: 15)
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .resync(slices: 4), prefetched: ahead).error == nil)
        #expect(!simulator.grafana.requestLog.contains { $0.path.hasPrefix("/api/org/users") })
        #expect(readSources.isEmpty, "\(readSources)")
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .resync(slices: 4), prefetched: nil).error == nil)
        #expect(simulator.grafana.requestLog.contains { $0.path.hasPrefix("/api/org/users") })
    }

    /// Facts read ahead lack what a grant written since needs (here a folder): the full resync reads them again.
    @Test func factsReadAheadForOtherNeedsAreReadAgain() async throws {
        let reconciler = try await converged()
        let ahead = await reconciler.prefetch(for: .resync(slices: 4))
        try directory.write(
            "repo/folder.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: alice-folder}
            spec: {subject: {user: alice@example.com}, access: [{folder: Production, permission: View}], duration: 1h, reason: r}
            """)
        clock.jump(by: 15)
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .resync(slices: 4), prefetched: ahead).error == nil)
        let paths = simulator.grafana.requestLog.map(\.path)
        #expect(paths.contains { $0.hasPrefix("/api/org/users") } && paths.contains { $0.hasPrefix("/api/folders") })
    }

    /// Facts a pass read after the read ahead began are newer: the full resync reads them again rather than plan
    /// on the older ones.
    @Test func factsOlderThanAPassesAreNotUsed() async throws {
        let reconciler = try await converged()
        let ahead = await reconciler.prefetch(for: .resync(slices: 4))
        clock.jump(by: 1)
        _ = await reconciler.pass(trigger: .request)
        clock.jump(by: 14)
        simulator.grafana.clearLog()
        #expect(await reconciler.pass(trigger: .resync(slices: 4), prefetched: ahead).error == nil)
        #expect(simulator.grafana.requestLog.contains { $0.path.hasPrefix("/api/org/users") })
    }

    /// A key on its backoff is not read ahead either; and when Grafana fails the facts, nothing is read ahead.
    @Test func theReadAheadLeavesKeysOnTheirBackoff() async throws {
        let reconciler = try await converged {
            $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))
            $0.writeDeadline = .milliseconds(10)
            $0.keyRetry = RetryPolicy(base: .seconds(600), cap: .seconds(1200))
        }
        let slice = ResyncSlice(index: 2, count: 4)
        let uids = Self.uids.filter { slice.contains(.dataSource($0)) }
        // Failing paths are prefixes: one no other data source's path starts with.
        let failingUID = try #require(uids.first { uid in !Self.uids.contains { $0 != uid && $0.hasPrefix(uid) } })
        var faults = FaultPlan()
        faults.failingPaths = ["/api/access-control/datasources/\(failingUID)": 500]
        simulator.grafana.setFaults(faults)
        clock.jump(by: 15)
        let failing = await reconciler.pass(trigger: .resyncSlice(slice))
        #expect(failing.waiting == 0 && failing.nextRetry != nil, "\(failing.keys)")
        let ahead = await reconciler.prefetch(for: .resyncSlice(slice))
        #expect(ahead?.objects.read == Set(uids.filter { $0 != failingUID }.map { .dataSource($0) }))
        #expect(ahead?.objects.unreadable.isEmpty == true)
        faults.failingPaths["/api/org/users"] = 500
        simulator.grafana.setFaults(faults)
        #expect(await reconciler.prefetch(for: .resync(slices: 4)) == nil)
    }
}
