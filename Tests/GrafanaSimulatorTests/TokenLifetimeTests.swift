import GrafanaAPI
import TestSupport
import Testing

/// `[auth] api_key_max_seconds_to_live` (pkg/services/serviceaccounts/api/token.go): with a limit, a token must have a
/// lifetime, no longer than the limit, and both are checked before the name.
struct TokenLifetimeTests {
    @Test(arguments: [
        (0, "Number of seconds before expiration should be set"),
        (3_601, "Number of seconds before expiration is greater than the global limit"),
    ])
    func aLifetimeOutsideTheLimitIsRefused(seconds: Int, message: String) async throws {
        let simulator = try SimulatorHarness(fixture: SimulatorHarness.fixture + "\napiKeyMaxSecondsToLive: 3600\n")
        let client = simulator.client()
        let account = try #require(try await client.serviceAccounts().first { $0.name == "old" })
        // "e" is taken: the lifetime is still what is refused.
        do {
            _ = try await client.createServiceAccountToken(
                serviceAccount: account.id, name: "e", secondsToLive: seconds)
            Issue.record("created")
        } catch {
            #expect(error.description.hasSuffix("400: \(message)"), "\(error)")
        }
        let created = try await client.createServiceAccountToken(
            serviceAccount: account.id, name: "fresh", secondsToLive: 3_600)
        #expect(created.id > 0)
    }
}
