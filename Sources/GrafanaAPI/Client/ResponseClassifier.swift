import Foundation

/// Turns a status and body into success or a typed error, from what Grafana really answers (grafana-api.md).
package enum ResponseClassifier {
    /// Grafana's `message`, or the start of a non-JSON body (a proxy's error page).
    static func message(in body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
            let message = object["message"] as? String ?? object["detail"] as? String ?? object["error"] as? String
        {
            // Grafana says `message`; OnCall (Django REST framework) `detail`; Incident `error`.
            return message
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(no body)" : text
    }

    static func error(status: Int, body: Data, retryAfter: String?, request: GrafanaRequest) -> GrafanaAPIError? {
        guard !(200..<300).contains(status) else { return nil }
        let message = message(in: body)
        switch status {
        case 300..<400:
            return .invalidRequest(
                request, status: status,
                message:
                    "Grafana answered with a redirect, which is not followed: check the Grafana URL (scheme, host, sub-path)"
            )
        case 500 where ["Failed to add Member to Team", "Failed to remove Member from Team"].contains(message):
            // Grafana's answer for a user (or, in 10.x/11.x, a team) that does not exist: retrying cannot help.
            return .notFound(request, message: message)
        case 429:
            return .transient(
                request, reason: "429 Too Many Requests: \(message)", retryAfter: parseRetryAfter(retryAfter))
        case 500...599:
            return .transient(
                request, reason: "\(status): \(message)", retryAfter: status == 503 ? parseRetryAfter(retryAfter) : nil)
        case 401: return .unauthorized(request, message: message)
        case 403: return .forbidden(request, missingPermission: missingPermission(in: message), message: message)
        case 404: return .notFound(request, message: message)
        default: return .invalidRequest(request, status: status, message: message)
        }
    }

    /// "... Permissions needed: datasources.permissions:write" → the action.
    static func missingPermission(in message: String) -> String? {
        guard let range = message.range(of: "Permissions needed: ") else { return nil }
        let action = message[range.upperBound...].trimmingCharacters(in: .whitespaces)
        return action.isEmpty ? nil : action
    }

    /// Seconds, or an HTTP date.
    package static func parseRetryAfter(_ value: String?) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }
}
