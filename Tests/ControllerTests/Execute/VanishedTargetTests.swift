import Foundation
import GrafanaAPI
import TestSupport
import Testing

@testable import Controller

/// Writes whose target is gone answer as real Grafana does (500 or 404); one read tells the controller so, instead
/// of retrying a transient-looking error until its deadline on every pass.
struct VanishedTargetTests {
    private func change(_ kind: Change.Kind, _ binding: Binding, to level: Level?, resource: String) -> Change {
        Change(
            kind: kind, binding: binding, from: .edit, to: level, grants: ["g"], subjectName: "olga",
            resourceName: resource)
    }

    @Test func restoringTheRoleOfSomeoneWhoLeftTheOrgIsDone() async throws {
        let simulator = try SimulatorHarness()
        let client = simulator.client()
        // olga (user 5) belongs to org 2 only: to org 1 she has left.
        #expect(try await !client.orgUsers().contains { $0.id == 5 })
        let restore = change(.revoke, Binding(.user(5), on: .orgRole), to: .viewer, resource: "organization")
        guard case .vanished(let reason) = await Executor.attempt(restore, on: client) else {
            Issue.record("not seen as gone")
            return
        }
        #expect(reason.hasPrefix("olga is no longer in the organization (the write answered: "))
        #expect(reason.contains("Failed update org user"))
        let alice = try await client.user(loginOrEmail: "alice")
        let present = change(.revoke, Binding(.user(alice.id), on: .orgRole), to: .viewer, resource: "organization")
        guard case .written = await Executor.attempt(present, on: client) else {
            Issue.record("a member's role was not written")
            return
        }
    }

    /// Up to 12.1 a permission on a deleted folder answers 500; from 12.2, 404 `folder.notFound`.
    @Test(arguments: ["11.4.0", "12.1.0", "12.2.0"])
    func aPermissionOnADeletedFolderIsDone(version: String) async throws {
        let simulator = try SimulatorHarness(fixture: SimulatorHarness.fixture(version: version))
        let client = simulator.client()
        let alice = try await client.user(loginOrEmail: "alice")
        let revoke = change(.revoke, Binding(.user(alice.id), on: .folder("deleted")), to: nil, resource: "Deleted")
        guard case .vanished(let reason) = await Executor.attempt(revoke, on: client) else {
            Issue.record("not seen as gone")
            return
        }
        #expect(reason.hasPrefix("folder Deleted no longer exists (the write answered: "))
        #expect(reason.contains(version.hasPrefix("12.2") ? "not found: NotFound" : "500"), "\(reason)")
    }

    @Test func aFolderThatExistsIsNotGone() async throws {
        let simulator = try SimulatorHarness()
        let change = change(.revoke, Binding(.user(1), on: .folder("prod")), to: nil, resource: "Production")
        #expect(await Executor.vanishedTarget(of: change, in: simulator.client()) == nil)
    }
}
