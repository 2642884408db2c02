import Foundation

/// A response to write back, or an instruction to drop the connection without one (fault injection).
package struct HTTPResponse: Sendable, Equatable {
    package var status: Int
    package var headers: [(String, String)]
    package var body: [UInt8]
    /// Close the connection instead of answering, as a crashed server or a cut network would.
    package var dropsConnection = false

    package init(status: Int, headers: [(String, String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    package static func == (lhs: HTTPResponse, rhs: HTTPResponse) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.dropsConnection == rhs.dropsConnection
            && lhs.headers.map { "\($0.0):\($0.1)" } == rhs.headers.map { "\($0.0):\($0.1)" }
    }

    /// A JSON body from an already-serialised object.
    package static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }

    /// A JSON body from any `JSONSerialization`-compatible value, keys sorted like Grafana's errutil output unless
    /// `sortingKeys` is false (Foundation sorts them by locale, which made a page of a thousand users take 150 ms).
    package static func json(_ status: Int, object: Any, headers: [(String, String)] = [], sortingKeys: Bool = true)
        -> HTTPResponse
    {
        let options: JSONSerialization.WritingOptions =
            sortingKeys ? [.sortedKeys, .withoutEscapingSlashes] : [.withoutEscapingSlashes]
        // Callers pass JSON-compatible values; "{}" only guards against a programming error.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: options)) ?? Data("{}".utf8)
        return HTTPResponse(
            status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(data))
    }

    package static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }

    package static let dropConnection: HTTPResponse = {
        var response = HTTPResponse(status: 0)
        response.dropsConnection = true
        return response
    }()

    /// Status line, headers (with Content-Length) and body, ready for one `send`.
    func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Payload Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status \(status)"
        }
    }
}
