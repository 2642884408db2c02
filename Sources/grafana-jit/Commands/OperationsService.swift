import Controller
import HTTPServer

/// The operations server (`/metrics`, `/healthz`, `/readyz`) as a service: it serves from the moment it is started
/// until stopped, and is stopped last, so probes answer while the rest drains.
struct OperationsService: Service {
    let server: HTTPServer
    private let stopRequest = StopRequest()

    init(server: HTTPServer) {
        self.server = server
    }

    /// The server serves on threads of its own; this only waits for the stop.
    func run() async {
        await stopRequest.wait()
    }

    /// Stops accepting and closes every connection, then lets `run` return.
    func stop() async {
        server.shutdown()
        await stopRequest.request()
    }
}
