import Foundation
import GrafanaAPI
import GrafanaSimulator
import TestSupport
import Testing

@testable import Controller

/// A grant's service-account token is a key of its own: a token that fails waits on its own backoff and fails only
/// its grant while the other grants are applied, and a pass started by an event touches only the tokens that need it.
struct TokenKeeperTests {
    static let policy = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: automation}
        spec:
          subjects: {users: ["*"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Query]
          teams: [sre]
          serviceAccounts: [reporting]
          maxDuration: 4h
        """

    static func grant(_ name: String, user: String, access: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: \(name)}
        spec: {subject: {user: \(user)}, access: \(access), duration: 1h, reason: r}
        """
    }

    let simulator: SimulatorHarness
    let directory: TemporaryDirectory
    let clock = ShiftedClock()
    let reconciler: Reconciler

    init() throws {
        simulator = try SimulatorHarness()
        directory = try TemporaryDirectory()
        try directory.write("repo/policies/policy.yaml", Self.policy)
        try directory.write(
            "repo/ci-report.yaml",
            Self.grant(
                "ci-report", user: "carol@example.com", access: "[{serviceAccountToken: {serviceAccount: reporting}}]"))
        try directory.write(
            "repo/bob-metrics.yaml",
            Self.grant(
                "bob-metrics", user: "bob", access: "[{dataSource: prod-metrics, permission: Query}, {team: sre}]"
            ))
        reconciler = Reconciler.testing(in: directory, grafana: simulator.client(), clock: clock) {
            $0.retry = RetryPolicy(base: .milliseconds(1), cap: .milliseconds(2))
            $0.writeDeadline = .milliseconds(10)
            // Far enough that a loaded machine cannot make a retry due before the next pass.
            $0.keyRetry = RetryPolicy(base: .seconds(60), cap: .seconds(120))
        }
    }

    /// The id of the `reporting` service account.
    func account() async throws -> Int {
        try #require(try await simulator.client().serviceAccounts().first { $0.name == "reporting" }).id
    }

    func tokensPath() async throws -> String {
        "/api/serviceaccounts/\(try await account())/tokens"
    }

    func tokenRequests() -> [SimulatedGrafana.LoggedRequest] {
        simulator.grafana.requestLog.filter {
            $0.path.hasPrefix("/api/serviceaccounts/") && $0.path.contains("/tokens")
        }
    }

    /// `event outcome` of each token event in the audit trail.
    func tokenEvents() throws -> [String] {
        try String(contentsOfFile: directory.path + "/audit.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { line in
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
                guard let event = object?["event"] as? String, event.hasPrefix("token.") else { return nil }
                return "\(event) \(object?["outcome"] ?? "")"
            }
    }

    func jumpPast(_ due: Date) {
        clock.jump(by: due.timeIntervalSince(clock.now()) + 0.01)
    }

    var secretFile: String { directory.path + "/state/secrets/ci-report.token" }

    @Test func aFailingTokenCreationFailsOnlyItsGrantAndWaitsOnItsOwnBackoff() async throws {
        var faults = FaultPlan()
        faults.failingPaths = [try await tokensPath(): 500]
        simulator.grafana.setFaults(faults)
        try await reconciler.start()
        let first = await reconciler.pass(trigger: .startup)
        #expect(first.error == nil && !first.needsPassRetry, "a token is retried on its own backoff, not by a pass")
        guard case .failed(let failure) = first.keys[.token(grant: "ci-report")] else {
            Issue.record("the token key failed: \(first.keys)")
            return
        }
        #expect(failure.message.contains("Internal Server Error"))
        #expect(first.keys[.object(.dataSource("prom-prod"))] == .done)
        #expect(first.keys.objects.count == 2 && first.keys.objects.values.allSatisfy { $0 == .done }, "\(first.keys)")
        #expect(first.phases["bob-metrics"] == .active && first.phases["ci-report"] == .failed)
        let retry = try #require(first.nextRetry)
        let status = try #require(await reconciler.statuses["ci-report"])
        #expect(status.conditions.first?.reason == .applyFailed)
        #expect(status.message.contains("Internal Server Error"), "\(status.message)")
        #expect(status.message.contains("retried at \(retry.rfc3339)"), "\(status.message)")
        #expect(try tokenEvents() == ["token.created failure"])

        // An event before the token's retry is due leaves it alone; its grant still says why and until when.
        simulator.grafana.clearLog()
        let event = await reconciler.pass(trigger: .fileChange)
        #expect(tokenRequests().isEmpty, "\(tokenRequests())")
        #expect(event.waiting == 1 && event.keys[.token(grant: "ci-report")] == nil && event.nextRetry == retry)
        let waiting = try #require(await reconciler.statuses["ci-report"])
        #expect(
            waiting.phase == .failed && waiting.message.contains("waiting for the service-account token of ci-report"))

        // Once due, with Grafana answering again, the token is made.
        simulator.grafana.setFaults(FaultPlan())
        jumpPast(retry)
        let due = await reconciler.pass(trigger: .backoff)
        #expect(due.keys[.token(grant: "ci-report")] == .done)
        #expect(due.phases["ci-report"] == .active && due.isConverged && due.nextRetry == nil)
        #expect(FileManager.default.fileExists(atPath: secretFile))
        #expect(try tokenEvents() == ["token.created failure", "token.created success"])
    }

    @Test func aFailingTokenDeletionWaitsOnItsOwnBackoff() async throws {
        try await reconciler.start()
        #expect(await reconciler.pass(trigger: .startup).isConverged)
        let path = try await tokensPath()
        var faults = FaultPlan()
        faults.failingPaths = [path + "/": 500]
        simulator.grafana.setFaults(faults)

        try FileManager.default.removeItem(atPath: directory.path + "/repo/ci-report.yaml")
        let ended = await reconciler.pass(trigger: .fileChange)
        #expect(ended.error == nil && !ended.needsPassRetry)
        guard case .failed = ended.keys[.token(grant: "ci-report")] else {
            Issue.record("the token key failed: \(ended.keys)")
            return
        }
        let retry = try #require(ended.nextRetry)
        #expect(!FileManager.default.fileExists(atPath: secretFile), "the file goes first")
        #expect(await reconciler.ledger.tokens["ci-report"] != nil, "kept until Grafana confirms")
        #expect(try tokenEvents() == ["token.created success", "token.deleted failure"])

        simulator.grafana.clearLog()
        try directory.write(
            "repo/carol-logs.yaml",
            Self.grant("carol-logs", user: "carol@example.com", access: "[{dataSource: prod-logs, permission: Query}]"))
        let event = await reconciler.pass(trigger: .fileChange)
        #expect(event.phases["carol-logs"] == .active && event.waiting == 1)
        #expect(tokenRequests().isEmpty, "\(tokenRequests())")

        simulator.grafana.setFaults(FaultPlan())
        jumpPast(retry)
        let due = await reconciler.pass(trigger: .backoff)
        #expect(due.keys[.token(grant: "ci-report")] == .done && due.isConverged)
        #expect(await reconciler.ledger.tokens["ci-report"] == nil)
        #expect(try await simulator.client().serviceAccountTokens(serviceAccount: account()).isEmpty)
        #expect(try tokenEvents() == ["token.created success", "token.deleted failure", "token.deleted success"])
    }

    @Test func anEventListsNoTokensWhileAResyncFindsOneDeletedByHand() async throws {
        try await reconciler.start()
        #expect(await reconciler.pass(trigger: .startup).isConverged)
        let (client, account) = (simulator.client(), try await account())
        let first = try #require(try await client.serviceAccountTokens(serviceAccount: account).first)
        _ = try await client.deleteServiceAccountToken(serviceAccount: account, token: first.id)

        simulator.grafana.clearLog()
        try directory.write(
            "repo/carol-logs.yaml",
            Self.grant("carol-logs", user: "carol@example.com", access: "[{dataSource: prod-logs, permission: Query}]"))
        let event = await reconciler.pass(trigger: .fileChange)
        #expect(event.applied == 1 && event.phases["carol-logs"] == .active)
        #expect(tokenRequests().isEmpty, "no token changed: \(tokenRequests())")

        let resync = await reconciler.pass(trigger: .resync(slices: 1))
        #expect(tokenRequests().contains { $0.method == "GET" }, "a resync lists the tokens")
        #expect(resync.isConverged && resync.keys[.token(grant: "ci-report")] == .done)
        let replaced = try await client.serviceAccountTokens(serviceAccount: account)
        #expect(replaced.count == 1 && replaced.first?.id != first.id)
    }

    @Test func aFailingListingFailsOnlyTheTokensOfThatAccount() async throws {
        try await reconciler.start()
        #expect(await reconciler.pass(trigger: .startup).isConverged)
        var faults = FaultPlan()
        faults.failingPaths = [try await tokensPath(): 500]
        simulator.grafana.setFaults(faults)
        let resync = await reconciler.pass(trigger: .resync(slices: 1))
        #expect(!resync.needsPassRetry && resync.nextRetry != nil)
        guard case .failed(let failure) = resync.keys[.token(grant: "ci-report")] else {
            Issue.record("the token key failed: \(resync.keys)")
            return
        }
        #expect(failure.message.contains("listing the tokens of reporting"))
        #expect(resync.phases["ci-report"] == .failed && resync.phases["bob-metrics"] == .active)
        #expect(FileManager.default.fileExists(atPath: secretFile), "a token not known to be gone is kept")
        #expect(await reconciler.ledger.tokens["ci-report"]?.tokenID != nil)
    }

    @Test func anEventChecksOnlyTokensThatChangedAreUnknownOrAreDue() {
        let end = Date(timeIntervalSince1970: 1_800_003_600)
        let want = DesiredToken(serviceAccountID: 4, serviceAccountName: "reporting", subjectName: "carol", end: end)
        func record(account: Int = 4, tokenID: Int? = 1, expiresAt: Date = end) -> TokenRecord {
            TokenRecord(
                serviceAccountID: account, serviceAccountName: "reporting", tokenName: "t", tokenID: tokenID,
                expiresAt: expiresAt, subjectName: "carol")
        }
        let desired = [
            "current": want, "new": want, "moved": want, "shorter": want, "unknown": want, "due": want, "waits": want,
        ]
        let records = [
            "current": record(), "moved": record(account: 5), "shorter": record(expiresAt: end.addingTimeInterval(60)),
            "unknown": record(tokenID: nil), "ended": record(), "due": record(), "waits": record(tokenID: nil),
        ]
        let event = TokenKeeper.tokensToCheck(
            desired: desired, records: records, checkingAll: false, retrying: ["due"], leaving: ["waits"])
        #expect(event == ["due", "ended", "moved", "new", "shorter", "unknown"])
        let resync = TokenKeeper.tokensToCheck(
            desired: desired, records: records, checkingAll: true, retrying: [], leaving: [])
        #expect(resync == ["current", "due", "ended", "moved", "new", "shorter", "unknown", "waits"])
    }
}
