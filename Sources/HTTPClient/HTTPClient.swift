import CCurl
import Foundation
import Synchronization

/// A small async HTTP client over libcurl's multi interface, driven from one thread of its own (never the
/// concurrency pool): connections are kept alive and reused per host, at most `maxConnections` at once; deadlines
/// have millisecond resolution; a cancelled request ends promptly with `.cancelled`; redirects are never followed;
/// answers are capped at `maxResponseBytes`. libcurl replaces URLSession (issue 16): same library underneath,
/// without URLSession's whole-second timeouts, cancellation deadlock and per-request leak.
package final class HTTPClient: Sendable {
    package struct Settings: Sendable {
        package var tls = TLSSettings()
        /// Connections open at once, to all hosts together and to any one host.
        package var maxConnections = 8
        package var maxResponseBytes = 64 << 20

        package init() {}
    }

    private struct State {
        var nextID: UInt64 = 0
        var pending: [Transfer] = []
        /// Transfers handed to the thread and not yet finished.
        var registered: Set<UInt64> = []
        /// Registered transfers to drop.
        var cancelled: Set<UInt64> = []
        /// Requests cancelled before their transfer was registered (a task cancelled as it starts).
        var cancelledEarly: Set<UInt64> = []
        var isStopping = false
    }

    private typealias Answer = CheckedContinuation<Result<HTTPClientResponse, HTTPClientError>, Never>

    private let settings: Settings
    private let state = Mutex(State())
    /// The multi handle: used by the client's thread alone, but for `curl_multi_wakeup`, which libcurl documents as
    /// safe from any thread.
    private let multi: MultiHandle

    package init(settings: Settings = Settings()) {
        _ = HTTPClient.globalInit
        self.settings = settings
        multi = MultiHandle(maxConnections: settings.maxConnections)
        let thread = Thread { [self] in self.loop() }
        thread.name = "http-client"
        thread.start()
    }

    /// Stops the thread once the requests in flight have ended (the client cannot be used afterwards).
    package func shutdown() {
        state.withLock { $0.isStopping = true }
        multi.wake()
    }

    /// libcurl's process-wide setup, once, before any handle exists.
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    /// Sends a request and waits for the answer (any status is an answer) or why there is none.
    package func send(_ request: HTTPClientRequest) async throws(HTTPClientError) -> HTTPClientResponse {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        let result: Result<HTTPClientResponse, HTTPClientError> = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: Answer) in
                guard let transfer = Transfer(id: id, request: request, tls: settings.tls, limit: settings.maxResponseBytes)
                else {
                    let failure = HTTPClientError.other(host: request.host, code: -1, detail: "no handle")
                    continuation.resume(returning: .failure(failure))
                    return
                }
                transfer.continuation = continuation
                let accepted = state.withLock { state -> Bool in
                    guard !state.isStopping, state.cancelledEarly.remove(id) == nil else { return false }
                    state.registered.insert(id)
                    state.pending.append(transfer)
                    return true
                }
                guard accepted else {
                    transfer.continuation = nil
                    continuation.resume(returning: .failure(.cancelled))
                    return
                }
                multi.wake()
            }
        } onCancel: {
            state.withLock { state in
                if state.registered.contains(id) {
                    _ = state.cancelled.insert(id)
                } else {
                    _ = state.cancelledEarly.insert(id)
                }
            }
            multi.wake()
        }
        // A cancellation that came after the answer leaves nothing behind.
        state.withLock { _ = $0.cancelledEarly.remove(id) }
        return try result.get()
    }

    /// The client's thread: adds new transfers, drops cancelled ones, lets libcurl work, hands out what finished,
    /// and sleeps in `curl_multi_poll` until there is more to do.
    private func loop() {
        var active: [UInt64: Transfer] = [:]
        while true {
            let (incoming, cancelled, stopping) = state.withLock { state in
                defer {
                    state.pending = []
                    state.cancelled = []
                }
                return (state.pending, state.cancelled, state.isStopping)
            }
            for transfer in incoming {
                if cancelled.contains(transfer.id) {
                    finish(transfer, .failure(.cancelled))
                } else {
                    active[transfer.id] = transfer
                    multi.add(transfer)
                }
            }
            for id in cancelled {
                guard let transfer = active.removeValue(forKey: id) else { continue }
                multi.remove(transfer)
                finish(transfer, .failure(.cancelled))
            }
            if stopping && active.isEmpty { break }
            multi.perform()
            for (handle, code) in multi.finished() {
                guard let transfer = active.values.first(where: { $0.handle == handle }) else { continue }
                active[transfer.id] = nil
                multi.remove(transfer)
                finish(transfer, transfer.outcome(code))
            }
            multi.poll(milliseconds: 1000)
        }
        multi.close()
    }

    private func finish(_ transfer: Transfer, _ result: Result<HTTPClientResponse, HTTPClientError>) {
        state.withLock { _ = $0.registered.remove(transfer.id) }
        transfer.continuation?.resume(returning: result)
        transfer.continuation = nil
    }
}

/// libcurl's multi handle. Only the client's thread calls into it, except `wake`, which libcurl allows from any.
private final class MultiHandle: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer

    init(maxConnections: Int) {
        // curl_multi_init fails only when out of memory.
        guard let handle = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.handle = handle
        jit_multi_setopt_long(handle, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(1, maxConnections))
        jit_multi_setopt_long(handle, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, maxConnections))
        jit_multi_setopt_long(handle, CURLMOPT_MAXCONNECTS, max(1, maxConnections))
    }

    func wake() { curl_multi_wakeup(handle) }

    func add(_ transfer: Transfer) { curl_multi_add_handle(handle, transfer.handle) }

    func remove(_ transfer: Transfer) { curl_multi_remove_handle(handle, transfer.handle) }

    func perform() {
        var running: Int32 = 0
        curl_multi_perform(handle, &running)
    }

    /// Each transfer that ended since the last call, with libcurl's result.
    func finished() -> [(UnsafeMutableRawPointer, CURLcode)] {
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        var queued: Int32 = 0
        while let message = curl_multi_info_read(handle, &queued) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            done.append((easy, message.pointee.data.result))
        }
        return done
    }

    func poll(milliseconds: Int32) {
        var ready: Int32 = 0
        curl_multi_poll(handle, nil, 0, milliseconds, &ready)
    }

    func close() { curl_multi_cleanup(handle) }
}
