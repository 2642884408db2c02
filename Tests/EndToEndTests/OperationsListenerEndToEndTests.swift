import Foundation
import TestSupport
import Testing

/// `run --listen` under the abuse the issue found: bodies that would fill memory and idle connections that would
/// fill the connection slots. The simulator, on the same server module, keeps its own larger limits.
struct OperationsListenerEndToEndTests {
    @Test func anAnnouncedBodyIsRefusedBeforeItIsSent() async throws {
        let work = try await ControllerWorkspace.start()
        let daemon = try await ControllerProcess.start(work, extra: ["--listen", "127.0.0.1:0"])
        let port = try await Self.port(of: daemon)
        // Headers only: a 413 that arrives means the server answered without waiting for the 4 MiB.
        let reply = try await RawClient.exchange(
            port: port, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4194304\r\n\r\n")
        #expect(reply.hasPrefix("HTTP/1.1 413 Payload Too Large"), "\(reply.prefix(80))")
        #expect(reply.contains("Connection: close"))
        let chunked = try await RawClient.exchange(
            port: port, "POST /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        #expect(chunked.hasPrefix("HTTP/1.1 413 Payload Too Large"), "\(chunked.prefix(80))")
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func healthzAnswersWhileMoreIdleConnectionsThanTheCapAreOpen() async throws {
        let work = try await ControllerWorkspace.start()
        let daemon = try await ControllerProcess.start(work, extra: ["--listen", "127.0.0.1:0"])
        let port = try await Self.port(of: daemon)
        // The listener's cap is 64; its idle timeout (5 s) is not what frees a slot here.
        let idle = try await RawClient.openIdle(port: port, count: 100)
        defer { RawClient.close(idle) }
        let started = ContinuousClock.now
        let reply = try await RawClient.exchange(port: port, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n")
        #expect(reply.hasPrefix("HTTP/1.1 200 OK"), "\(reply.prefix(80))")
        #expect(ContinuousClock.now - started < .seconds(3))
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func theSimulatorStillReadsBodiesUpTo4MiB() async throws {
        let simulator = try await SimulatorProcess.start()
        let port = try #require(URL(string: simulator.url)?.port)
        let body = String(repeating: " ", count: 4 * 1024 * 1024)
        let accepted = try await RawClient.exchange(
            port: port,
            "POST /api/teams HTTP/1.1\r\nHost: x\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                + body)
        #expect(accepted.hasPrefix("HTTP/1.1 "), "no answer")
        #expect(!accepted.hasPrefix("HTTP/1.1 413"), "\(accepted.prefix(80))")
        let refused = try await RawClient.exchange(
            port: port, "POST /api/teams HTTP/1.1\r\nHost: x\r\nContent-Length: 4194305\r\n\r\n")
        #expect(refused.hasPrefix("HTTP/1.1 413"), "\(refused.prefix(80))")
        _ = await simulator.stop()
    }

    static func port(of daemon: ControllerProcess) async throws -> Int {
        let address = try await OperationsEndToEndTests.address(of: daemon)
        return try #require(URL(string: address)?.port)
    }
}
