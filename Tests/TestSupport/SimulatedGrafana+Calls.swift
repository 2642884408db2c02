import Foundation
import GrafanaSimulator
import HTTPServer

extension SimulatedGrafana {
    /// One request straight into the simulator, no socket: its status and decoded JSON body (nil if not JSON).
    package func call(
        _ method: String, _ target: String, body: String? = nil, token: String? = SimulatorHarness.controllerToken,
        headers: [String: String] = [:]
    ) async -> (status: Int, json: Any?) {
        let (path, query) = HTTPRequest.split(target: target)
        var allHeaders = headers
        if let token { allHeaders["authorization"] = "Bearer \(token)" }
        let request = HTTPRequest(
            method: method, path: path, query: query, headers: allHeaders, body: Array((body ?? "").utf8))
        let response = await handle(request)
        return (response.status, try? JSONSerialization.jsonObject(with: Data(response.body)))
    }

    /// The same, as a user with a password (basic auth), for the routes a service account may not call.
    package func call(_ method: String, _ target: String, user: String, password: String) async -> (
        status: Int, json: Any?
    ) {
        let credentials = Data("\(user):\(password)".utf8).base64EncodedString()
        return await call(method, target, token: nil, headers: ["authorization": "Basic \(credentials)"])
    }
}
