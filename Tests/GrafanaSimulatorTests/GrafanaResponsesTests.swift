import Foundation
import TestSupport
import Testing

@testable import GrafanaSimulator

/// Error bodies by version: 12.x answers without `traceID`, and errutil errors without a public message carry
/// the status's Kubernetes reason (`"NotFound"`, `"InternalError"`) as their message.
struct GrafanaResponsesTests {
    private func simulator(version: String, faults: FaultPlan = FaultPlan()) throws -> SimulatedGrafana {
        try SimulatedGrafana(
            fixture: Array(SimulatorHarness.fixture(version: version).utf8), path: "f.yaml", faults: faults)
    }

    @Test func aMissingFolderIsErrutilsNotFoundIn12() async throws {
        let twelve = try await simulator(version: "12.1.0").call("GET", "/api/folders/nope")
        #expect(twelve.status == 404)
        #expect(
            twelve.json as? NSDictionary == ["messageId": "folder.notFound", "message": "NotFound", "statusCode": 404])
        let eleven = try await simulator(version: "11.4.0").call("GET", "/api/folders/nope")
        #expect(eleven.json as? NSDictionary == ["status": "not-found", "message": "folder not found"])
    }

    @Test(arguments: [
        ("POST", "/api/teams/2/members", "{}", 400, #"{"message":"bad request data"}"#),
        ("DELETE", "/api/teams/99/members/2", "", 404, #"{"message":"Team not found"}"#),
        (
            "GET", "/api/datasources", "", 401,
            #"{"message":"Invalid API key","messageId":"api-key.invalid","statusCode":401}"#
        ),
    ])
    func errorsCarryNoTraceIDIn12(method: String, path: String, body: String, status: Int, expected: String)
        async throws
    {
        let token = status == 401 ? "nope" : SimulatorHarness.controllerToken
        let answer = try await simulator(version: "12.0.2").call(method, path, body: body, token: token)
        #expect(answer.status == status)
        #expect(
            answer.json as? NSDictionary
                == (try JSONSerialization.jsonObject(with: Data(expected.utf8)) as? NSDictionary))
    }

    @Test func injectedServerErrorsFollowTheVersion() async throws {
        var plan = FaultPlan()
        (plan.errorRate, plan.errorStatuses) = (1, [500])
        let twelve = try await simulator(version: "12.1.0", faults: plan).call("GET", "/api/teams/search")
        #expect(
            twelve.json as? NSDictionary == [
                "messageId": "simulator.injectedFault", "message": "InternalError", "statusCode": 500,
            ])
        let eleven = try await simulator(version: "11.4.0", faults: plan).call("GET", "/api/teams/search")
        #expect(eleven.json as? NSDictionary == ["message": "Internal Server Error", "traceID": ""])
    }
}
