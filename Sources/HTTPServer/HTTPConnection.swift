import Dispatch
import Synchronization

/// Serves one client connection on its own thread: parses requests one after another (keep-alive) and writes
/// each response with a single send.
struct HTTPConnection: Sendable {
    let fd: Int32
    let limits: HTTPServer.Limits
    let handler: HTTPServer.Handler
    /// Told when the connection starts answering a request and when it waits for the next, so that at the cap the
    /// server closes a waiting connection, never one in the middle of an answer.
    let report: @Sendable (Activity) -> Void

    enum Activity {
        case responding
        case waiting
    }

    func serve() {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(limits.readBufferBytes)
        while true {
            let parsed: HTTPRequestParser.Outcome
            do {
                parsed = try readRequest(&buffer)
            } catch {
                _ = Socket.sendAll(fd, error.response.serialized(keepAlive: false))
                Socket.drainBeforeClose(fd, chunk: limits.readBufferBytes)
                return
            }
            guard case .request(var request, let keepAlive) = parsed else { return }
            request.connection = fd
            report(.responding)
            let response = respond(to: request)
            if response.dropsConnection { return }
            guard Socket.sendAll(fd, response.serialized(keepAlive: keepAlive)), keepAlive else { return }
            report(.waiting)
        }
    }

    /// Reads until one whole request is buffered, then removes it from `buffer`. Between requests a receive waits
    /// up to the idle timeout; once a request has begun, only until its deadline.
    private func readRequest(_ buffer: inout [UInt8]) throws(HTTPRequestParser.Failure) -> HTTPRequestParser.Outcome {
        var parser = HTTPRequestParser(limits: limits)
        var sentContinue = false
        let clock = ContinuousClock()
        var deadline = buffer.isEmpty ? nil : clock.now + limits.requestTimeout
        var narrowed = false
        defer { if narrowed { Socket.setReceiveTimeout(fd, .seconds(limits.idleTimeoutSeconds)) } }
        while true {
            switch try parser.parse(buffer) {
            case .needMore(let wantsContinue):
                if wantsContinue && !sentContinue {
                    sentContinue = true
                    guard Socket.sendAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return .closed }
                }
                if let deadline {
                    let remaining = deadline - clock.now
                    guard remaining > .zero else { throw HTTPRequestParser.Failure.requestTimeout }
                    Socket.setReceiveTimeout(fd, remaining)
                    narrowed = true
                }
                guard Socket.receive(fd, into: &buffer, capacity: limits.readBufferBytes) else {
                    if let deadline, clock.now >= deadline { throw HTTPRequestParser.Failure.requestTimeout }
                    return .closed
                }
                if deadline == nil { deadline = clock.now + limits.requestTimeout }
            case .complete(let request, let keepAlive, let consumed):
                buffer.removeFirst(consumed)
                return .request(request, keepAlive: keepAlive)
            }
        }
    }

    /// Runs the async handler from this (non-pool) thread and waits for it. The task is awaited right here, so
    /// it is not fire-and-forget; blocking is safe because this thread is ours, not the concurrency pool's.
    private func respond(to request: HTTPRequest) -> HTTPResponse {
        let result = Mutex<HTTPResponse?>(nil)
        let done = DispatchSemaphore(value: 0)
        let handler = self.handler
        Task {
            let response = await handler(request)
            result.withLock { $0 = response }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 } ?? .text(500, "no response")
    }
}
