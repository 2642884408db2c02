import AccessModel
import Foundation
import GrafanaAPI
import GrafanaSimulator
import Testing

@testable import Controller

/// A decision reused from an earlier pass is the one deciding again would make: over random walks through time
/// (across starts, ends and active-hours edges), file edits, policy changes and new facts, the desired state built
/// with the memo equals the one built without it, step by step. Unchanged grant files decode to the very same
/// values and the ledger's records keep their revision, as in the daemon, so most steps look only at the grants
/// that changed or fell due.
struct DesiredStateMemoTests {
    static let start = Date(rfc3339: "2027-03-26T05:00:00Z")!

    private static func policies(maxDuration: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: office}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Query, Edit]
          maxDuration: \(maxDuration)
          activeHours: {days: [Mon-Fri], from: "08:00", to: "20:00", timeZone: Europe/Berlin}
        ---
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: teams}
        spec:
          subjects: {users: ["*@example.com"]}
          teams: [sre]
          maxDuration: \(maxDuration)
        """
    }

    private static func grant(_ index: Int, reason: String, random: inout some RandomNumberGenerator) -> String {
        let permission = Bool.random(using: &random) ? "Query" : "Edit"
        let access =
            Bool.random(using: &random) ? "[{dataSource: prod-logs, permission: \(permission)}]" : "[{team: sre}]"
        let startsAt = Self.start.addingTimeInterval(Double(Int.random(in: 0..<48, using: &random)) * 1800)
        let user = ["alice", "bob", "nobody"].randomElement(using: &random)!
        return """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: g\(index)}
            spec:
              subject: {user: \(user)@example.com}
              access: \(access)
              startsAt: \(startsAt.rfc3339)
              duration: \(Int.random(in: 1...12, using: &random))h
              reason: \(reason)
            """
    }

    private static func snapshot(withBob: Bool) -> GrafanaSnapshot {
        var snapshot = DesiredStateTests.snapshot
        if withBob { snapshot.users.add(GrafanaUser(id: 3, login: "bob", email: "bob@example.com")) }
        snapshot.generation = withBob ? 2 : 1
        return snapshot
    }

    @Test(arguments: 0..<20)
    func reusedDecisionsEqualFreshOnes(seed: UInt64) throws {
        var random = FaultDice(state: seed)
        var grants: [String?] = (0..<12).map { Self.grant($0, reason: "r", random: &random) }
        var maxDuration = "1d"
        var withBob = false
        var now = Self.start
        var memo = DesiredState.Memo()
        var (remembered, fresh) = ([String: GrantRecord](), [String: GrantRecord]())
        var before: [Binding: DesiredBinding] = [:]
        var (decisions, reuses, looked) = (0, 0, 0)
        let leads: [Duration] = [.seconds(900)]
        var decodedFiles: [String: DecodedFile] = [:]
        var revision: UInt64 = 1
        for step in 0..<60 {
            switch Int.random(in: 0..<11, using: &random) {
            case 0..<5: now.addTimeInterval(Double(Int.random(in: 1...7200, using: &random)))
            case 5, 6:
                let index = Int.random(in: 0..<grants.count, using: &random)
                grants[index] = Self.grant(index, reason: "r\(step)", random: &random)
            case 7: grants.append(Self.grant(grants.count, reason: "new", random: &random))
            case 8: maxDuration = ["1d", "6h", "2h"].randomElement(using: &random)!
            case 9: grants[Int.random(in: 0..<grants.count, using: &random)] = nil
            default: withBob.toggle()
            }
            // One file per grant, each decoded once per content: an unchanged file gives the very same grant.
            let texts = [Self.policies(maxDuration: maxDuration)] + grants.compactMap { $0 }
            let files = texts.enumerated().map { index, text in
                let path = String(format: "%03d.yaml", index)
                let file = decodedFiles[path + text] ?? ResourceDecoder().decode(Array(text.utf8), path: path)
                decodedFiles[path + text] = file
                return file
            }
            let catalog = ResourceCatalog(files: files)
            let snapshot = Self.snapshot(withBob: withBob)
            let reused = DesiredState(
                catalog: catalog, snapshot: snapshot, records: remembered, now: now, memo: &memo, noticeLeads: leads,
                recordsRevision: revision)
            if reused.changesRecords {
                revision += 1
                memo.recordsSaved(revision: revision)
            }
            let decided = DesiredState(
                catalog: catalog, snapshot: snapshot, records: fresh, now: now, noticeLeads: leads)
            #expect(reused.outcomes == decided.outcomes, "seed \(seed) step \(step)")
            #expect(reused.bindings == decided.bindings, "seed \(seed) step \(step)")
            #expect(reused.records == decided.records, "seed \(seed) step \(step)")
            #expect(reused.tokens == decided.tokens)
            let changed = Set(before.keys).union(decided.bindings.keys).filter { before[$0] != decided.bindings[$0] }
            #expect(reused.changedBindings == changed, "seed \(seed) step \(step)")
            let next = Self.nextDeadline(decided.outcomes, after: now, leads: leads)
            #expect(reused.nextDeadline?.date == next?.date && reused.nextDeadline?.grant == next?.grant)
            #expect(reused.nextDeadline?.edge == next?.edge, "seed \(seed) step \(step)")
            decisions += decided.decided
            reuses += decided.decided - reused.decided
            looked += reused.looked
            (remembered, fresh) = (reused.records, decided.records)
            before = decided.bindings
        }
        #expect(reuses > decisions / 3, "the memo is used: \(reuses) of \(decisions) decisions reused")
        #expect(looked < decisions / 2, "only changed or due grants looked at: \(looked) of \(decisions)")
    }

    /// A grant that asks twice for one binding (here Query and Edit on prod-logs) holds the higher level, also when
    /// another grant leaves that binding and it is summed again from the grants left.
    @Test func aBindingSummedAgainKeepsEachGrantsHighestLevel() {
        func grant(_ name: String, _ access: String) -> String {
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: \(name)}
            spec: {subject: {user: alice@example.com}, access: \(access), duration: 1h, reason: r}
            ---

            """
        }
        let twice = grant(
            "twice", "[{dataSource: prod-logs, permission: Query}, {dataSource: prod-logs, permission: Edit}]")
        let once = grant("a-once", "[{dataSource: prod-logs, permission: Query}]")
        func catalog(_ grants: String) -> ResourceCatalog {
            let text = DesiredStateTests.policy + grants
            return ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "all.yaml")])
        }
        var memo = DesiredState.Memo()
        let now = DesiredStateTests.now
        let both = DesiredState(
            catalog: catalog(once + twice), snapshot: DesiredStateTests.snapshot, records: [:], now: now, memo: &memo)
        #expect(both.bindings.values.map(\.level) == [.edit])
        let left = DesiredState(
            catalog: catalog(twice), snapshot: DesiredStateTests.snapshot, records: both.records, now: now + 1,
            memo: &memo)
        let fresh = DesiredState(
            catalog: catalog(twice), snapshot: DesiredStateTests.snapshot, records: both.records, now: now + 1)
        #expect(left.bindings == fresh.bindings && left.bindings.values.map(\.level) == [.edit])
    }

    /// The next deadline by a scan of every outcome, as it was found before the deadline heap.
    private static func nextDeadline(
        _ outcomes: [String: DesiredState.GrantOutcome], after now: Date, leads: [Duration]
    ) -> (date: Date, grant: String, edge: String)? {
        outcomes.flatMap { grant, outcome -> [(date: Date, grant: String, edge: String)] in
            guard let window = outcome.window else { return [] }
            let hours = outcome.nextChange.map { [($0, grant, "activeHoursOrShift")] } ?? []
            switch outcome.phase {
            case .pending: return [(window.start, grant, "start"), (window.end, grant, "end")] + hours
            case .active:
                let marks = leads.map { (window.end.addingTimeInterval(-$0.timeInterval), grant, "notice") }
                return [(window.end, grant, "end")] + hours + marks
            default: return []
            }
        }.filter { $0.date > now }.min { ($0.date, $0.grant) < ($1.date, $1.grant) }
    }

    /// `forget` (a resync's decision afresh, at least every 10 minutes) looks at every grant again, even when nothing
    /// it was decided on changed.
    @Test func forgettingLooksAtEveryGrantAgain() throws {
        var random = FaultDice(state: 7)
        let text = ([Self.policies(maxDuration: "1d")] + (0..<6).map { Self.grant($0, reason: "r", random: &random) })
            .joined(separator: "\n---\n")
        let catalog = ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "all.yaml")])
        var memo = DesiredState.Memo()
        let snapshot = Self.snapshot(withBob: false)
        let first = DesiredState(
            catalog: catalog, snapshot: snapshot, records: [:], now: Self.start, memo: &memo, recordsRevision: 1)
        memo.recordsSaved(revision: 2)
        let settle = DesiredState(
            catalog: catalog, snapshot: snapshot, records: first.records, now: Self.start, memo: &memo,
            recordsRevision: 2)
        #expect(!settle.changesRecords)
        let quiet = DesiredState(
            catalog: catalog, snapshot: snapshot, records: settle.records, now: Self.start, memo: &memo,
            recordsRevision: 2)
        #expect(quiet.looked == 0 && quiet.decided == 0)
        memo.forget()
        let afresh = DesiredState(
            catalog: catalog, snapshot: snapshot, records: settle.records, now: Self.start, memo: &memo,
            recordsRevision: 2)
        #expect(afresh.looked == catalog.grants.count && afresh.decided == catalog.grants.count)
    }
}
