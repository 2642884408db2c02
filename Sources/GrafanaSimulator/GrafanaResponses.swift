import Foundation
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

    /// errutil's error without a public message: 11.x+ put the status's Kubernetes reason in `message`
    /// (`errutil.Error.Public`; `CoreStatus` is `metav1.StatusReason`), e.g. 404 `"NotFound"`.
    static func reason(_ status: Int, id: String) -> HTTPResponse {
        let reasons = [
            400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 409: "Conflict",
            429: "TooManyRequests", 503: "ServiceUnavailable",
        ]
        return structured(status, id: id, reasons[status] ?? "InternalError")
    }

    /// An injected server error: `response.Error`'s shape up to 11.x, errutil's in 12.x (whose handlers mostly
    /// pass errutil errors through); the message id says the failure is the simulator's.
    static func injectedServerError(majorVersion: Int) -> HTTPResponse {
        majorVersion >= 12
            ? reason(500, id: "simulator.injectedFault") : message(500, "Internal Server Error", traceID: true)
    }

    /// Grafana adds `traceID` while writing an error (`NormalResponse.WriteTo` → `writeLogLine`); 12.x skips that
    /// step under unified logging, so its 12.x answers here carry none.
    static func withoutTraceID(_ response: HTTPResponse) -> HTTPResponse {
        guard response.status >= 400,
            // A body that is no JSON object (a proxy's HTML) has no traceID to drop: it goes out as it is.
            var object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any],
            object.removeValue(forKey: "traceID") != nil
        else { return response }
        var copy = response
        copy.body = HTTPResponse.json(response.status, object: object).body
        return copy
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
