import Foundation
import TestSupport
import Testing

@testable import GrafanaAPI

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct OnCallClientTests {
    static let fixture =
        SimulatorHarness.fixture + """

            oncall:
              token: oncall_test
              schedules:
                - {name: primary, onCallNow: [alice, bob]}
                - {name: quiet, onCallNow: []}
            """

    /// Longer than a loaded machine stalls the test process early in a full run.
    static let patience: Duration = .seconds(60)

    @Test func whoIsOnCallComesBackAsEmailsAndUsernames() async throws {
        let simulator = try SimulatorHarness(fixture: Self.fixture)
        let client = HTTPOnCallClient(
            baseURL: simulator.url.appendingPathComponent("oncall"), token: "oncall_test", userAgent: "t",
            timeout: Self.patience)
        let roster = try await client.roster(schedules: ["primary", "quiet"], at: Date())
        #expect(roster.onCall["primary"] == ["alice", "alice@example.com", "bob", "bob@example.com"])
        #expect(roster.onCall["quiet"] == [])
    }

    @Test func theCurrentShiftEndComesFromTheFinalShifts() async throws {
        let simulator = try SimulatorHarness(fixture: Self.fixture)
        var request = URLRequest(url: simulator.url.appendingPathComponent("__sim/oncall"))
        request.httpMethod = "PUT"
        request.httpBody = Data(#"{"schedule":"primary","onCallNow":["bob"],"shiftEndsIn":600}"#.utf8)
        let before = Date()
        _ = try await URLSession.shared.data(for: request)
        let after = Date()
        let client = HTTPOnCallClient(
            baseURL: simulator.url.appendingPathComponent("oncall"), token: "oncall_test", userAgent: "t",
            timeout: Self.patience)
        let roster = try await client.roster(schedules: ["primary", "quiet"], at: Date())
        #expect(roster.onCall["primary"] == ["bob", "bob@example.com"])
        let end = try #require(roster.shiftEnds["primary"]?["bob@example.com"])
        // Ten minutes from when the simulator took the request (whole seconds), however slow it was to answer.
        #expect(
            end >= before.addingTimeInterval(599) && end <= after.addingTimeInterval(601), "\(before) \(end) \(after)")
        #expect(roster.shiftEnds["primary"]?["bob"] == end && roster.shiftEnds["quiet"] == nil)
        #expect(roster.earliestShiftEnd == end)
        // Past the end nobody is on call, and no shift covers the moment.
        let later = try await client.roster(schedules: ["primary"], at: end.addingTimeInterval(1))
        #expect(later.shiftEnds["primary"]?.isEmpty ?? true)
    }

    @Test func anUnknownScheduleOrTokenIsAnError() async throws {
        let simulator = try SimulatorHarness(fixture: Self.fixture)
        let url = simulator.url.appendingPathComponent("oncall")
        let unknown = await #expect(throws: GrafanaAPIError.self) {
            try await HTTPOnCallClient(baseURL: url, token: "oncall_test", userAgent: "t", timeout: Self.patience)
                .roster(
                    schedules: ["nope"], at: Date())
        }
        #expect(unknown?.description.contains("no OnCall schedule named nope") == true)
        let refused = await #expect(throws: GrafanaAPIError.self) {
            try await HTTPOnCallClient(baseURL: url, token: "wrong", userAgent: "t").roster(
                schedules: ["primary"], at: Date())
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
