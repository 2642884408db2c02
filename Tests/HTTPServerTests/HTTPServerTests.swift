import Foundation
import Synchronization
import TestSupport
import Testing

@testable import HTTPServer

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

struct HTTPServerTests {
    /// Echoes method, path, query and body, so tests can see what the server parsed.
    static let echo: HTTPServer.Handler = { request in
        if request.path == "/drop" { return .dropConnection }
        let object: [String: Any] = [
            "method": request.method, "path": request.path, "query": request.query,
            "body": String(decoding: request.body, as: UTF8.self), "agent": request.header("User-Agent") ?? "",
        ]
        return .json(200, object: object)
    }

    private func get(_ url: String, method: String = "GET", body: String? = nil) async throws -> (Int, [String: Any]) {
        var request = URLRequest(url: try #require(URL(string: url)))
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, object)
    }

    @Test func parsesMethodPathQueryAndBody() async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        defer { server.shutdown() }
        let (status, object) = try await get(
            "http://127.0.0.1:\(server.port)/api/teams/search?query=sre%20team&perpage=1", method: "POST",
            body: "{\"a\":1}")
        #expect(status == 200)
        #expect(object["method"] as? String == "POST")
        #expect(object["path"] as? String == "/api/teams/search")
        #expect(object["query"] as? [String: String] == ["query": "sre team", "perpage": "1"])
        #expect(object["body"] as? String == "{\"a\":1}")
    }

    @Test func servesManyConcurrentClients() async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        defer { server.shutdown() }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<64 {
                group.addTask { try await get("http://127.0.0.1:\(server.port)/n/\(index)").0 }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.count == 64 && statuses.allSatisfy { $0 == 200 })
    }

    @Test func keepsConnectionsAliveAcrossRequests() async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        defer { server.shutdown() }
        let request = "GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        let reply = try await RawClient.exchange(port: server.port, request)
        #expect(reply.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(reply.contains("\"path\":\"/a\"") && reply.contains("\"path\":\"/b\""))
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + String(repeating: "a", count: 70_000) + "\r\n\r\n", "431"),
        ("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n", "413"),
        ("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", "501"),
        ("NONSENSE\r\n\r\n", "400"),
    ])
    func refusesRequestsOutsideItsLimits(request: String, status: String) async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        defer { server.shutdown() }
        let reply = try await RawClient.exchange(port: server.port, request)
        #expect(reply.hasPrefix("HTTP/1.1 \(status) "), "\(reply.prefix(80))")
    }

    @Test(arguments: [
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nExpect: 100-continue\r\n\r\n",
        "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
    ])
    func withNoBodyAllowedAnAnnouncedBodyIsRefusedBeforeItIsSent(request: String) async throws {
        var limits = HTTPServer.Limits()
        limits.maxBodyBytes = 0
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, limits: limits, handler: Self.echo)
        defer { server.shutdown() }
        // Only the headers go out: the answer must come without the server waiting for the body.
        let reply = try await RawClient.exchange(port: server.port, request)
        #expect(reply.hasPrefix("HTTP/1.1 413 Payload Too Large"), "\(reply.prefix(80))")
        #expect(reply.contains("Connection: close"))
        let get = try await RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(get.hasPrefix("HTTP/1.1 200 OK"), "\(get.prefix(80))")
    }

    @Test func aFullServerClosesItsIdlestConnectionToAnswerANewOne() async throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 4
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, limits: limits, handler: Self.echo)
        defer { server.shutdown() }
        let idle = try await RawClient.openIdle(port: server.port, count: 12)
        defer { RawClient.close(idle) }
        // The idle timeout is 60 s: an answer well before it (even on a machine that stalls the test process for
        // seconds early in a full run) means a waiting connection made room.
        let started = ContinuousClock.now
        let reply = try await RawClient.exchange(port: server.port, "GET /probe HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(reply.hasPrefix("HTTP/1.1 200 OK"), "\(reply.prefix(80))")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aRequestTrickledInIsCutOffAtItsDeadline() async throws {
        var limits = HTTPServer.Limits()
        limits.requestTimeout = .seconds(1)
        limits.idleTimeoutSeconds = 30
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, limits: limits, handler: Self.echo)
        defer { server.shutdown() }
        // A header line every 100 ms for 8 s, never the blank line that ends the request (slowloris).
        let pieces = ["GET / HTTP/1.1\r\n"] + (0..<80).map { "X-Slow-\($0): y\r\n" }
        let (reply, after) = try await RawClient.trickle(port: server.port, pieces, every: 0.1)
        #expect(reply.hasPrefix("HTTP/1.1 408 Request Timeout"), "\(reply.prefix(80))")
        let seconds = try #require(after)
        #expect(seconds >= 0.9 && seconds < 5, "answered after \(seconds) s")
    }

    @Test func aPauseBetweenRequestsIsIdleTimeNotARequestTimeout() async throws {
        var limits = HTTPServer.Limits()
        limits.requestTimeout = .milliseconds(300)
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, limits: limits, handler: Self.echo)
        defer { server.shutdown() }
        let pieces =
            ["GET /a HTTP/1.1\r\nHost: x\r\n\r\n"] + Array(repeating: "", count: 8)
            + ["GET /b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"]
        let (reply, _) = try await RawClient.trickle(port: server.port, pieces, every: 0.1)
        #expect(reply.components(separatedBy: "HTTP/1.1 200 OK").count == 3, "\(reply)")
    }

    @Test func answersExpectContinueBeforeTheBody() async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        defer { server.shutdown() }
        let reply = try await RawClient.exchange(
            port: server.port,
            "POST /x HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            thenAfterFirstReply: "hi")
        #expect(reply.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK"))
        #expect(reply.contains("\"body\":\"hi\""))
    }

    @Test func aDroppedConnectionGetsNoResponse() async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        defer { server.shutdown() }
        #expect(try await RawClient.exchange(port: server.port, "GET /drop HTTP/1.1\r\n\r\n") == "")
    }

    @Test func shutdownClosesTheListenerAndOpenConnections() async throws {
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0, handler: Self.echo)
        _ = try await get("http://127.0.0.1:\(server.port)/")
        server.shutdown()
        #expect(!server.isRunning)
        await #expect(throws: (any Error).self) {
            _ = try await RawClient.exchange(port: server.port, "GET / HTTP/1.1\r\n\r\n")
        }
    }

    @Test func invalidAddressesAreRefused() {
        #expect(throws: HTTPServerError.invalidAddress("localhost")) {
            try HTTPServer.start(host: "localhost", port: 0, handler: Self.echo)
        }
    }
}
