/// A parsed HTTP/1.1 request: method, path and query apart, header names lowercased.
package struct HTTPRequest: Sendable, Equatable {
    package var method: String
    /// The path without its query, percent-decoded.
    package var path: String
    package var query: [String: String]
    package var headers: [String: String]
    package var body: [UInt8]
    /// The connection it came on (its socket), so tests can tell a kept-alive connection from a new one.
    package var connection: Int32 = -1

    package init(
        method: String, path: String, query: [String: String] = [:], headers: [String: String] = [:], body: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Header lookup by any capitalisation.
    package func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Splits `/a/b?x=1&y=%20` into a decoded path and query.
    package static func split(target: String) -> (path: String, query: [String: String]) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [String: String] = [:]
        if parts.count > 1 {
            for pair in parts[1].split(separator: "&") {
                let keyValue = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = decode(keyValue[0])
                query[key] = keyValue.count > 1 ? decode(keyValue[1]) : ""
            }
        }
        return (decode(parts[0], plusIsSpace: false), query)
    }

    /// Percent-decoding; in query strings `+` is a space, as forms and Python's `requests` encode it.
    private static func decode(_ text: Substring, plusIsSpace: Bool = true) -> String {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+") where plusIsSpace:
                bytes.append(UInt8(ascii: " "))
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                    let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else {
                    bytes.append(byte)
                    continue
                }
                bytes.append(value)
            default:
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
