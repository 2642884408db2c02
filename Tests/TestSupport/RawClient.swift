import Foundation
@preconcurrency import Glibc

/// A raw TCP client for what URLSession will not send (malformed requests, pipelining), run on its own thread
/// because its socket calls block.
package enum RawClient {
    package struct ConnectionFailed: Error {}

    package static func exchange(port: Int, _ request: String, thenAfterFirstReply second: String? = nil) async throws
        -> String
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try blockingExchange(port: port, request, second) })
            }.start()
        }
    }

    /// Sends `pieces` one after another with `pause` between them (an empty piece only waits), collecting what
    /// the server answers meanwhile; stops sending once the server closes. `firstReplyAfter`: seconds from the
    /// first piece to the first byte of the answer.
    package static func trickle(port: Int, _ pieces: [String], every pause: TimeInterval) async throws -> (
        reply: String, firstReplyAfter: TimeInterval?
    ) {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try blockingTrickle(port: port, pieces, pause) })
            }.start()
        }
    }

    private static func blockingTrickle(port: Int, _ pieces: [String], _ pause: TimeInterval) throws -> (
        reply: String, firstReplyAfter: TimeInterval?
    ) {
        let fd = try connected(port: port)
        defer { Glibc.close(fd) }
        let start = Date()
        var reply: [UInt8] = []
        var firstReplyAfter: TimeInterval?
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var closed = false
        func collect(flags: Int32) {
            while true {
                let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, flags) }
                if count == 0 { closed = true }
                guard count > 0 else { return }
                if reply.isEmpty { firstReplyAfter = Date().timeIntervalSince(start) }
                reply += buffer[0..<count]
            }
        }
        for piece in pieces {
            collect(flags: Int32(MSG_DONTWAIT))
            if closed { break }
            if !piece.isEmpty {
                _ = Array(piece.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            Thread.sleep(forTimeInterval: pause)
        }
        if !closed { collect(flags: 0) }
        return (String(decoding: reply, as: UTF8.self), firstReplyAfter)
    }

    /// Opens `count` connections that send nothing, as an idle flood does; `close(_:)` ends them.
    package static func openIdle(port: Int, count: Int) async throws -> [Int32] {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try (0..<count).map { _ in try connected(port: port) } })
            }.start()
        }
    }

    package static func close(_ connections: [Int32]) {
        for fd in connections { Glibc.close(fd) }
    }

    /// A loopback TCP connection whose receives give up after 5 s.
    private static func connected(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw ConnectionFailed()
        }
        // Generous: early in a full run, dozens of child processes share two cores with the server under test.
        var timeout = timeval(tv_sec: 20, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private static func blockingExchange(port: Int, _ request: String, _ second: String?) throws -> String {
        let fd = try connected(port: port)
        defer { Glibc.close(fd) }
        _ = Array(request.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var reply: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var sentSecond = second == nil
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            reply += buffer[0..<count]
            if !sentSecond, let second {
                sentSecond = true
                _ = Array(second.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
        return String(decoding: reply, as: UTF8.self)
    }
}
