import Foundation
@preconcurrency import Glibc
import Synchronization

/// A small HTTP/1.1 server on POSIX sockets: keep-alive, `Content-Length` bodies, size limits, clean shutdown.
/// Blocking sockets get threads of their own, never the concurrency pool (swift-linux-notes §4): one thread
/// accepts, one thread serves each connection and hands each request to the async handler.
package final class HTTPServer: Sendable {
    package typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    package struct Limits: Sendable {
        package var maxHeaderBytes = 64 * 1024
        /// 0 refuses any request that announces a body (413) before reading a byte of it.
        package var maxBodyBytes = 4 * 1024 * 1024
        /// What each connection reserves and receives at once; with small limits, a connection costs a few KiB.
        package var readBufferBytes = 16 * 1024
        /// A connection idle this long is closed, so abandoned clients don't pin a thread.
        package var idleTimeoutSeconds = 60
        /// A request must arrive whole within this long of its first byte, so a client trickling bytes (slowloris)
        /// cannot hold a thread, and on `--listen` the probes' connection slots, for long.
        package var requestTimeout = Duration.seconds(30)
        /// Connections served at once (a thread each). At the cap, a new connection replaces the one waiting longest
        /// for a request; only when every connection is answering one is the new one closed on arrival.
        package var maxConnections = 512

        package init() {}
    }

    private struct State {
        var isRunning = true
        var connections: ConnectionTable
    }

    /// The port actually bound (useful after asking for port 0).
    package let port: Int
    private let listener: Int32
    private let handler: Handler
    private let limits: Limits
    private let state: Mutex<State>

    private init(listener: Int32, port: Int, limits: Limits, handler: @escaping Handler) {
        self.listener = listener
        self.port = port
        self.limits = limits
        self.handler = handler
        state = Mutex(State(connections: ConnectionTable(capacity: limits.maxConnections)))
    }

    /// Throws unless `host` is a numeric IPv4 or IPv6 address the server could bind.
    package static func checkAddress(_ host: String) throws(HTTPServerError) {
        _ = try Socket.address(host: host, port: 0)
    }

    /// Binds `host:port` (IPv4 or IPv6; port 0 picks a free one) and starts accepting.
    package static func start(
        host: String, port: Int, limits: Limits = Limits(), handler: @escaping Handler
    ) throws(HTTPServerError) -> HTTPServer {
        let listener = try Socket.listen(host: host, port: port)
        let bound: Int
        do {
            bound = try Socket.localPort(of: listener)
        } catch {
            close(listener)
            throw error
        }
        let server = HTTPServer(listener: listener, port: bound, limits: limits, handler: handler)
        let thread = Thread { server.acceptLoop() }
        thread.name = "http-accept-\(bound)"
        thread.start()
        return server
    }

    /// Stops accepting and closes every open connection; requests in progress lose their connection.
    package func shutdown() {
        // close() does not wake a thread blocked in accept() or recv(); shutdown() does (swift-linux-notes §4).
        state.withLock { state in
            guard state.isRunning else { return }
            state.isRunning = false
            Glibc.shutdown(listener, Int32(SHUT_RDWR))
            for fd in state.connections.descriptors { Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
        }
    }

    package var isRunning: Bool { state.withLock { $0.isRunning } }

    private func acceptLoop() {
        defer { close(listener) }
        while isRunning {
            let fd = accept(listener, nil, nil)
            guard fd >= 0 else {
                switch errno {
                case EINTR, ECONNABORTED: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors or memory for now: wait for connections to close instead of giving up.
                    Thread.sleep(forTimeInterval: 0.05)
                    continue
                default: return
                }
            }
            let admission = state.withLock { state -> ConnectionTable.Admission? in
                guard state.isRunning else { return nil }
                let admission = state.connections.admit(fd, at: .now)
                // The replaced connection's thread wakes from its receive, then removes and closes it.
                if case .admittedInPlace(let idle) = admission { Glibc.shutdown(idle, Int32(SHUT_RDWR)) }
                return admission
            }
            guard let admission, admission != .refused else {
                close(fd)
                if admission == nil { return }
                continue
            }
            // Close-on-exec (Glibc's module has no accept4), so a process spawned later never holds a connection
            // open after the server dropped it.
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            Socket.configure(connection: fd, idleTimeoutSeconds: limits.idleTimeoutSeconds)
            let connection = HTTPConnection(fd: fd, limits: limits, handler: handler) { [self] activity in
                state.withLock { state in
                    switch activity {
                    case .responding: state.connections.markResponding(fd)
                    case .waiting: state.connections.markWaiting(fd, since: .now)
                    }
                }
            }
            let thread = Thread { [self] in
                connection.serve()
                // Removed and closed under the lock, so shutdown() can never hit a reused descriptor number.
                state.withLock { state in
                    state.connections.remove(fd)
                    close(fd)
                }
            }
            thread.name = "http-connection-\(fd)"
            thread.start()
        }
    }
}

/// A failed socket call, with errno, as NIO's `IOError` reports it.
package enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidAddress(String)
    case system(call: String, errno: Int32)

    package var description: String {
        switch self {
        case .invalidAddress(let host): "'\(host)' is not a numeric IPv4 or IPv6 address"
        case .system(let call, let errno): "\(call) failed: \(String(cString: strerror(errno)))"
        }
    }
}
