import Foundation
import HTTPServer
import Synchronization
import Testing

@testable import GrafanaAPI

struct RedirectTests {
    /// A proxy that redirects every write elsewhere; following it would send the token along and turn the POST
    /// into a GET that "succeeds".
    @Test func redirectsAreNeverFollowed() async throws {
        let hits = Mutex<[String]>([])
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0) { request in
            hits.withLock { $0.append("\(request.method) \(request.path) \(request.header("Authorization") ?? "-")") }
            if request.path == "/elsewhere" { return .json(200, #"{"message":"ok"}"#) }
            return HTTPResponse(status: 302, headers: [("Location", "/elsewhere")])
        }
        defer { server.shutdown() }
        var connection = GrafanaConnection(
            baseURL: try #require(URL(string: "http://127.0.0.1:\(server.port)")), credentials: .token("secret"),
            userAgent: "t")
        // A loaded machine stalls the test process for seconds early in a full run.
        connection.timeout = .seconds(60)
        let client = HTTPGrafanaClient(connection: connection)
        let error = await #expect(throws: GrafanaAPIError.self) { try await client.addTeamMember(team: 1, user: 2) }
        #expect(error?.description.contains("redirect") == true)
        #expect(hits.withLock { $0 } == ["POST /api/teams/1/members Bearer secret"])
    }
}
