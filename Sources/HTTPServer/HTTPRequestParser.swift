/// Parses one HTTP/1.1 request from the front of a buffer, within the server's limits.
struct HTTPRequestParser {
    enum Outcome {
        case request(HTTPRequest, keepAlive: Bool)
        case closed
    }

    enum Step {
        /// Not all there yet; `wantsContinue` when the client waits for `100 Continue` before its body.
        case needMore(wantsContinue: Bool)
        case complete(HTTPRequest, keepAlive: Bool, consumed: Int)
    }

    /// A request the server refuses, with the answer to send before closing.
    struct Failure: Error {
        var response: HTTPResponse

        /// The request did not arrive whole within `Limits.requestTimeout`.
        static let requestTimeout = Failure(response: .text(408, "request not received in time"))
        /// A body announced where `Limits.maxBodyBytes` is 0, refused before any of it is read.
        static let bodyRefused = Failure(response: .text(413, "this server takes no request bodies"))
    }

    let limits: HTTPServer.Limits
    private var scanned = 0

    init(limits: HTTPServer.Limits) {
        self.limits = limits
    }

    mutating func parse(_ buffer: [UInt8]) throws(Failure) -> Step {
        let headerEnd = findHeaderEnd(buffer)
        if (headerEnd ?? buffer.count) > limits.maxHeaderBytes {
            throw Failure(response: .text(431, "request headers too large"))
        }
        guard let headerEnd else { return .needMore(wantsContinue: false) }
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)[...]
        let requestLine = lines.popFirst()?.split(separator: " ") ?? []
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            throw Failure(response: .text(400, "malformed request line"))
        }
        var headers: [String: String] = [:]
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(response: .text(400, "malformed header")) }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingSpaces
            headers[name] = headers[name].map { $0 + ", " + value } ?? value
        }
        if headers["transfer-encoding"] != nil {
            if limits.maxBodyBytes == 0 { throw Failure.bodyRefused }
            throw Failure(response: .text(501, "chunked request bodies are not supported; send Content-Length"))
        }
        let length = Int(headers["content-length"] ?? "0") ?? -1
        guard length >= 0 else { throw Failure(response: .text(400, "invalid Content-Length")) }
        if length > 0, limits.maxBodyBytes == 0 { throw Failure.bodyRefused }
        guard length <= limits.maxBodyBytes else { throw Failure(response: .text(413, "request body too large")) }
        let bodyStart = headerEnd + 4
        guard buffer.count >= bodyStart + length else {
            return .needMore(wantsContinue: headers["expect"]?.lowercased() == "100-continue")
        }
        let (path, query) = HTTPRequest.split(target: String(requestLine[1]))
        let request = HTTPRequest(
            method: String(requestLine[0]), path: path, query: query, headers: headers,
            body: Array(buffer[bodyStart..<bodyStart + length]))
        let connection = headers["connection"]?.lowercased()
        let keepAlive = requestLine[2] == "HTTP/1.1" ? connection != "close" : connection == "keep-alive"
        return .complete(request, keepAlive: keepAlive, consumed: bodyStart + length)
    }

    /// Index of the blank line ending the headers; resumes where the last scan stopped.
    private mutating func findHeaderEnd(_ buffer: [UInt8]) -> Int? {
        var index = max(0, scanned - 3)
        while index + 3 < buffer.count {
            if buffer[index] == 13, buffer[index + 1] == 10, buffer[index + 2] == 13, buffer[index + 3] == 10 {
                return index
            }
            index += 1
        }
        scanned = buffer.count
        return nil
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
