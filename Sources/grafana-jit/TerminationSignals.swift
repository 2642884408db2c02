import Dispatch
@preconcurrency import Glibc

/// SIGINT and SIGTERM as an async value: the shutdown path of long-running commands (swift-linux-notes §6).
final class TerminationSignals: Sendable {
    // DispatchSource is not Sendable; these are only touched here and in deinit, never concurrently.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []
    private let stream: AsyncStream<String>

    init() {
        let (stream, continuation) = AsyncStream<String>.makeStream()
        self.stream = stream
        for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(name) }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// The name of the first signal received.
    func first() async -> String {
        for await name in stream { return name }
        return "none"
    }
}
