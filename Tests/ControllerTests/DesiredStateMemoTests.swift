import AccessModel
import Foundation
import GrafanaAPI
import GrafanaSimulator
import Testing

@testable import Controller

/// A decision reused from an earlier pass is the one deciding again would make: over random walks through time
/// (across starts, ends and active-hours edges), file edits, policy changes and new facts, the desired state built
/// with the memo equals the one built without it, step by step.
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
          permissions: [Query]
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
        let access = Bool.random(using: &random) ? "[{dataSource: prod-logs, permission: Query}]" : "[{team: sre}]"
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
        var grants = (0..<12).map { Self.grant($0, reason: "r", random: &random) }
        var maxDuration = "1d"
        var withBob = false
        var now = Self.start
        var memo = DesiredState.Memo()
        var (remembered, fresh) = ([String: GrantRecord](), [String: GrantRecord]())
        var (decisions, reuses) = (0, 0)
        for step in 0..<60 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5: now.addTimeInterval(Double(Int.random(in: 1...7200, using: &random)))
            case 5, 6:
                let index = Int.random(in: 0..<grants.count, using: &random)
                grants[index] = Self.grant(index, reason: "r\(step)", random: &random)
            case 7: grants.append(Self.grant(grants.count, reason: "new", random: &random))
            case 8: maxDuration = ["1d", "6h", "2h"].randomElement(using: &random)!
            default: withBob.toggle()
            }
            let text = ([Self.policies(maxDuration: maxDuration)] + grants).joined(separator: "\n---\n")
            let catalog = ResourceCatalog(files: [ResourceDecoder().decode(Array(text.utf8), path: "all.yaml")])
            let snapshot = Self.snapshot(withBob: withBob)
            let reused = DesiredState(
                catalog: catalog, snapshot: snapshot, records: remembered, now: now, memo: &memo)
            let decided = DesiredState(catalog: catalog, snapshot: snapshot, records: fresh, now: now)
            #expect(reused.outcomes == decided.outcomes, "seed \(seed) step \(step)")
            #expect(reused.bindings == decided.bindings, "seed \(seed) step \(step)")
            #expect(reused.records == decided.records, "seed \(seed) step \(step)")
            #expect(reused.tokens == decided.tokens)
            decisions += decided.decided
            reuses += decided.decided - reused.decided
            (remembered, fresh) = (reused.records, decided.records)
        }
        #expect(reuses > decisions / 3, "the memo is used: \(reuses) of \(decisions) decisions reused")
    }
}
