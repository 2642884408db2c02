import HTTPServer

/// Grafana's three JSON error shapes (grafana-api.md §1.1) and its success bodies.
enum GrafanaResponses {
    /// `{"message": ...}`, from handlers calling `response.Error`; with `traceID` when Grafana passed an error.
    static func message(_ status: Int, _ text: String, traceID: Bool = false) -> HTTPResponse {
        var object: [String: Any] = ["message": text]
        if traceID { object["traceID"] = "" }
        return .json(status, object: object)
    }

    /// errutil's structured error; keys come out sorted, as Grafana re-serialises them from a map.
    static func structured(_ status: Int, id: String, _ text: String, extra: [String: String]? = nil) -> HTTPResponse {
        var object: [String: Any] = ["statusCode": status, "messageId": id, "message": text, "traceID": ""]
        if let extra { object["extra"] = extra }
        return .json(status, object: object)
    }

    /// The RBAC middleware's denial, naming the missing action (grafana-api.md §2.4).
    static func accessDenied(_ action: String) -> HTTPResponse {
        .json(
            403,
            object: [
                "accessErrorId": "ACE0000000001",
                "message": "You'll need additional permissions to perform this action. Permissions needed: \(action)",
                "title": "Access denied",
            ])
    }

    /// The router's answer for any `/api` path no handler registered (§1.2), also OSS's answer for the
    /// data-source permission routes.
    static let notFound = message(404, "Not found")

    static let badRequestData = message(400, "bad request data", traceID: true)

    static func success(_ text: String) -> HTTPResponse {
        message(200, text)
    }
}
