import Controller
import Foundation

/// How `validate` prints its findings.
enum ReportFormat: String, CaseIterable, Sendable {
    /// `file:line:column: error: message`, then a summary line.
    case text
    /// GitHub Actions workflow commands, which annotate the pull request's files.
    case github
    /// One JSON document: findings, per-grant verdicts, summary.
    case json
    /// A GitLab Code Quality report (a JSON array), which annotates the merge request's diff.
    case gitlab

    func render(_ report: ValidationReport) throws -> String {
        switch self {
        case .text:
            return (report.findings.map(\.line) + [report.summaryLine]).joined(separator: "\n") + "\n"
        case .github:
            let lines = report.findings.map { finding in
                let command = finding.severity == .note ? "notice" : finding.severity.rawValue
                let location = finding.location
                return "::\(command) file=\(Self.escapeProperty(location.file)),line=\(location.line),"
                    + "col=\(location.column)::\(Self.escapeData(finding.message))"
            }
            return (lines + [report.summaryLine]).joined(separator: "\n") + "\n"
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
        case .gitlab:
            let issues = report.findings.map { finding -> [String: Any] in
                let location = finding.location
                let severity =
                    switch finding.severity {
                    case .error: "major"
                    case .warning: "minor"
                    case .note: "info"
                    }
                return [
                    "description": finding.message, "check_name": "grafana-jit-validate", "severity": severity,
                    "fingerprint": Self.fingerprint(
                        "\(location.file):\(location.line):\(location.column):\(finding.message)"),
                    "location": ["path": location.file, "lines": ["begin": location.line]],
                ]
            }
            let data = try JSONSerialization.data(
                withJSONObject: issues, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// A stable 64-bit FNV-1a hash in hex: GitLab matches findings across pipelines by it.
    private static func fingerprint(_ text: String) -> String {
        String(StableHash.of(text.utf8), radix: 16)
    }

    /// GitHub's escaping for a command's message.
    private static func escapeData(_ text: String) -> String {
        text.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    /// GitHub's escaping for a command's properties, which also reserve `:` and `,`.
    private static func escapeProperty(_ text: String) -> String {
        escapeData(text).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
