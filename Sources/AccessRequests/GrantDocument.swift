import AccessModel
import Foundation

/// The grant file a request becomes. Free text is double-quoted with YAML escapes, so a reason with a colon, a `#`
/// or a leading `*` stays a string; levels, durations and times are written plain, as the examples write them.
package enum GrantDocument {
    package static func text(of request: AccessRequest, name: String, policy: String?) -> String {
        var lines = [
            "# Written by `grafana-jit request`; validate and the controller check it against policy "
                + (policy ?? "(any)") + ".",
            "apiVersion: \(ResourceKind.apiVersion)", "kind: AccessGrant", "metadata:", "  name: \(quoted(name))",
            "spec:", "  subject:",
        ]
        switch request.subject {
        case .user(let user): lines.append("    user: \(quoted(user))")
        case .team(let team): lines.append("    team: \(quoted(team))")
        }
        if !request.access.isEmpty {
            lines.append("  access:")
            lines += request.access.flatMap(item)
        }
        if let bundle = request.bundle { lines.append("  bundle: \(quoted(bundle))") }
        if let start = request.startsAt { lines.append("  startsAt: \(start.rfc3339)") }
        switch request.end {
        case .after(let duration): lines.append("  duration: \(duration.text)")
        case .at(let date): lines.append("  expiresAt: \(date.rfc3339)")
        }
        lines.append("  reason: \(quoted(request.reason))")
        if let ticket = request.ticket { lines.append("  ticket: \(quoted(ticket))") }
        if !request.approvers.isEmpty {
            lines.append("  approvedBy: [\(request.approvers.map(quoted).joined(separator: ", "))]")
        }
        if let incident = request.incident { lines.append("  incident: \(quoted(incident))") }
        if let policy { lines.append("  policy: \(quoted(policy))") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func item(_ target: AccessItem.Target) -> [String] {
        switch target {
        case .dataSource(let reference, let permission):
            ["    - dataSource: \(quoted(reference))", "      permission: \(permission.rawValue)"]
        case .folder(let reference, let permission):
            ["    - folder: \(quoted(reference))", "      permission: \(permission.rawValue)"]
        case .team(let name, let role): ["    - team: \(quoted(name))", "      role: \(role.rawValue)"]
        case .orgRole(let role): ["    - orgRole: \(role.rawValue)"]
        case .serviceAccountToken(let account, let role):
            [
                "    - serviceAccountToken:", "        serviceAccount: \(quoted(account))",
                "        role: \(role.rawValue)",
            ]
        }
    }

    /// A YAML double-quoted scalar: backslash, quote, control characters and YAML's own line breaks escaped.
    package static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\"": result += "\\\""
            case "\n": result += "\\n"
            case "\t": result += "\\t"
            case "\r": result += "\\r"
            case "\u{85}", "\u{2028}", "\u{2029}", "\u{FEFF}", "\u{FFFE}", "\u{FFFF}":
                result += "\\u" + String(format: "%04X", scalar.value)
            default:
                // YAML allows no other C0 or C1 control character in a file, even inside quotes.
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    result += "\\x" + String(format: "%02X", scalar.value)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
