import Foundation
import Glibc
import GrafanaSimulator
import TestSupport
import Testing

@testable import HTTPClient

/// Servers that break the exchange: the client fails at once with a transient error, never waiting out its deadline.
struct BrokenServerTests {
    /// A one-connection server that answers with a Content-Length of 100 and closes after 10 bytes of body.
    private static func truncatingServer() throws -> Int {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        _ = listen(listener, 1)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        // Its own thread: a blocking accept must never run on the concurrency pool.
        Thread {
            let connection = accept(listener, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 4096)
            _ = recv(connection, &buffer, buffer.count, 0)
            let answer = Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789".utf8)
            _ = send(connection, answer, answer.count, Int32(MSG_NOSIGNAL))
            close(connection)
            close(listener)
        }.start()
        return Int(UInt16(bigEndian: address.sin_port))
    }

    @Test func aBodyCutShortIsALostConnection() async throws {
        let port = try Self.truncatingServer()
        let client = HTTPClient()
        defer { client.shutdown() }
        let started = ContinuousClock.now
        do {
            _ = try await client.send(
                HTTPClientRequest(method: "GET", url: "http://127.0.0.1:\(port)/", timeout: .seconds(30)))
            Issue.record("answered")
        } catch {
            guard case .connectionLost(let host, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(host == "127.0.0.1" && error.isTransient)
        }
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    /// The simulator carries the write out, then closes without answering (a proxy timing out on a slow Grafana).
    @Test func aLostAnswerFailsAtOnceNotAtTheDeadline() async throws {
        var faults = FaultPlan()
        faults.lostAnswerRate = 1
        let simulator = try SimulatorHarness(faults: faults)
        let client = simulator.client { $0.timeout = .seconds(30) }
        let started = ContinuousClock.now
        do {
            try await client.setPermission(on: .dataSource("loki-prod"), principal: .user(2), level: "Query")
            Issue.record("answered")
        } catch {
            #expect(error.isRetryable, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
