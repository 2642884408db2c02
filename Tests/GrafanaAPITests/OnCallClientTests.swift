import Foundation
import TestSupport
import Testing

@testable import GrafanaAPI

struct OnCallClientTests {
    static let fixture =
        SimulatorHarness.fixture + """

            oncall:
              token: oncall_test
              schedules:
                - {name: primary, onCallNow: [alice, bob]}
                - {name: quiet, onCallNow: []}
            """

    @Test func whoIsOnCallComesBackAsEmailsAndUsernames() async throws {
        let simulator = try SimulatorHarness(fixture: Self.fixture)
        let client = HTTPOnCallClient(
            baseURL: simulator.url.appendingPathComponent("oncall"), token: "oncall_test", userAgent: "t")
        let answer = try await client.onCallNow(schedules: ["primary", "quiet"])
        #expect(answer["primary"] == ["alice", "alice@example.com", "bob", "bob@example.com"])
        #expect(answer["quiet"] == [])
    }

    @Test func anUnknownScheduleOrTokenIsAnError() async throws {
        let simulator = try SimulatorHarness(fixture: Self.fixture)
        let url = simulator.url.appendingPathComponent("oncall")
        let unknown = await #expect(throws: GrafanaAPIError.self) {
            try await HTTPOnCallClient(baseURL: url, token: "oncall_test", userAgent: "t").onCallNow(schedules: ["nope"]
            )
        }
        #expect(unknown?.description.contains("no OnCall schedule named nope") == true)
        let refused = await #expect(throws: GrafanaAPIError.self) {
            try await HTTPOnCallClient(baseURL: url, token: "wrong", userAgent: "t").onCallNow(schedules: ["primary"])
        }
        #expect(refused == .unauthorized(GrafanaRequest("GET", "/api/v1/schedules/"), message: "Invalid token."))
    }

    @Test func anAnswerThatIsNotJSONIsReportedNotReadAsEmpty() {
        // A proxy's login page with status 200 must not read as "nobody on call" or "incident resolved".
        let request = GrafanaRequest("GET", "/api/v1/schedules/")
        #expect(
            throws: GrafanaAPIError.invalidRequest(request, status: 200, message: "the answer is not a JSON object")
        ) {
            try ServiceSession.object(Data("<html>Sign in</html>".utf8), from: request)
        }
        #expect(throws: Never.self) { try ServiceSession.object(Data("{}".utf8), from: request) }
    }
}
