import AccessModel
import Foundation
import GrafanaAPI
import Testing

@testable import Controller

/// The one set of rules every reference resolves by, for the verdict and for the write alike.
struct GrafanaSnapshotTests {
    static let production = GrafanaDataSource(id: 1, uid: "staging-mirror", name: "prod-mirror", type: "loki")
    static let staging = GrafanaDataSource(id: 2, uid: "b1", name: "staging-mirror", type: "loki")
    static let victim = GrafanaUser(id: 10, login: "victim", email: "victim@example.com")
    static let mallory = GrafanaUser(id: 11, login: "victim@example.com", email: "mallory@example.com")

    var snapshot: GrafanaSnapshot {
        var snapshot = GrafanaSnapshot()
        snapshot.dataSources.add(Self.production, uid: Self.production.uid, name: Self.production.name)
        snapshot.dataSources.add(Self.staging, uid: Self.staging.uid, name: Self.staging.name)
        snapshot.users.add(Self.victim)
        snapshot.users.add(Self.mallory)
        return snapshot
    }

    @Test func oneObjectsUidThatIsAnothersNameIsAmbiguousAndNamesBoth() {
        let problem = snapshot.dataSource("staging-mirror")
        #expect(
            problem
                == .failure(
                    .ambiguous(
                        "data source staging-mirror is ambiguous: it is the uid of prod-mirror and the name of the "
                            + "data source with uid b1; write uid:staging-mirror or name:staging-mirror")))
    }

    @Test(arguments: [("uid:staging-mirror", 1), ("name:staging-mirror", 2), ("prod-mirror", 1), ("b1", 2)])
    func aQualifiedOrUniqueReferenceNamesOneObject(reference: String, id: Int) throws {
        #expect(try snapshot.dataSource(reference).get().id == id)
    }

    @Test func theEvaluatorSeesOnlyWhatResolvesToOneObject() {
        let facts = snapshot.facts
        #expect(facts.dataSources["staging-mirror"] == nil)
        #expect(facts.dataSources["name:staging-mirror"]?.uid == "b1")
        #expect(facts.dataSources["uid:staging-mirror"]?.name == "prod-mirror")
    }

    @Test func aLoginThatIsAnotherAccountsEmailNamesNoOne() throws {
        guard case .failure(.ambiguous(let message)) = snapshot.user("victim@example.com") else {
            Issue.record("not ambiguous")
            return
        }
        #expect(message.contains("victim <victim@example.com> (id 10)"))
        #expect(message.contains("victim@example.com <mallory@example.com> (id 11)"))
        #expect(try snapshot.user("victim").get().id == 10)
        #expect(try snapshot.user("MALLORY@example.com").get().id == 11)
        // Neither account approves or is matched under the aliased spelling.
        #expect(snapshot.facts.user("victim@example.com") == nil)
    }

    /// Mallory's login is the victim's email, which the on-call roster lists: compared as accounts, she is not on
    /// call; the victim, written unambiguously, is not borrowed either (the roster's spelling names two accounts).
    @Test func onCallComparesAccountsNotSpellings() {
        var snapshot = self.snapshot
        snapshot.onCall = ["primary": ["victim@example.com"]]
        let facts = snapshot.facts
        #expect(facts.identities(of: "mallory@example.com") == ["#11"])
        #expect(facts.onCall["primary"] == [])
        snapshot.onCall = ["primary": ["victim"]]
        #expect(snapshot.facts.onCall["primary"] == ["#10"])
        #expect(snapshot.facts.identities(of: "victim") == ["#10"])
    }
}
