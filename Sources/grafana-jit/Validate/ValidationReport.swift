import AccessModel
import Foundation

/// Everything `validate` found, in file order, with a verdict per grant.
struct ValidationReport: Sendable, Encodable {
    /// One grant's outcome, as `--format json` lists it.
    struct GrantResult: Sendable, Encodable {
        var name: String
        var file: String
        var verdict: String
        var phase: String
        var startsAt: String
        var expiresAt: String
        var policies: [String]
    }

    struct Summary: Sendable, Encodable {
        /// False for a lint (`validate PATH...`): grants were then checked for format and references only.
        var policiesChecked = false
        var files = 0
        var grants = 0
        var policies = 0
        var bundles = 0
        var allowed = 0
        var denied = 0
        var undecided = 0
        var errors = 0
        var warnings = 0
        var notes = 0
    }

    var findings: [Finding] = []
    var grants: [GrantResult] = []
    var summary = Summary()

    /// Checks the files and, with `givesVerdicts` (`--grants`/`--policies`), each grant's verdict as the controller
    /// would give it with nothing known of Grafana.
    init(files: [DecodedFile], now: Date, givesVerdicts: Bool) {
        let catalog = ResourceCatalog(files: files)
        findings = catalog.errors.map { Finding(severity: .error, location: $0.location, message: $0.message) }
        summary.files = files.filter { !$0.path.isEmpty }.count
        summary.grants = catalog.grants.count
        summary.policies = catalog.policies.count
        summary.bundles = catalog.bundles.count
        summary.policiesChecked = givesVerdicts
        if givesVerdicts {
            let evaluator = PolicyEvaluator(catalog: catalog, facts: .offline)
            for grant in catalog.grants {
                record(evaluator.evaluate(grant, now: now), of: grant, now: now)
            }
        }
        findings.sort { ($0.location, $0.severity.order) < ($1.location, $1.severity.order) }
        summary.errors = findings.count { $0.severity == .error }
        summary.warnings = findings.count { $0.severity == .warning }
        summary.notes = findings.count { $0.severity == .note }
    }

    var isValid: Bool { summary.errors == 0 }

    /// `12 files, 9 grants (7 allowed, 1 denied, 1 decided at run time), 3 policies, 1 bundle: 1 error`.
    var summaryLine: String {
        func count(_ number: Int, _ noun: String, _ plural: String? = nil) -> String {
            "\(number) \(number == 1 ? noun : plural ?? noun + "s")"
        }
        let verdicts =
            !summary.policiesChecked
            ? "" : " (\(summary.allowed) allowed, \(summary.denied) denied, \(summary.undecided) decided at run time)"
        let lint = summary.policiesChecked ? "" : " (lint only, no verdicts: give --grants and --policies for them)"
        return "\(count(summary.files, "file")), \(count(summary.grants, "grant"))\(verdicts), "
            + "\(count(summary.policies, "policy", "policies")), "
            + "\(count(summary.bundles, "bundle")): \(count(summary.errors, "error")), "
            + "\(count(summary.warnings, "warning")), \(count(summary.notes, "note"))\(lint)"
    }

    private mutating func record(_ evaluation: GrantEvaluation, of grant: AccessGrant, now: Date) {
        let phase = evaluation.window.phase(at: now)
        var result = GrantResult(
            name: grant.name, file: grant.metadata.location.file, verdict: "", phase: phase.rawValue,
            startsAt: evaluation.window.start.rfc3339, expiresAt: evaluation.window.end.rfc3339, policies: [])
        switch evaluation.verdict {
        case .allowed(let allowances):
            summary.allowed += 1
            result.verdict = "Allowed"
            result.policies = Array(Set(allowances.map(\.policy))).sorted()
            if phase == .expired {
                findings.append(
                    Finding(
                        severity: .warning, location: grant.metadata.location,
                        message: "grant \(grant.name) expired at \(evaluation.window.end.rfc3339); it grants nothing"))
            }
        case .denied(let denials):
            summary.denied += 1
            result.verdict = "Denied"
            for denial in denials {
                findings.append(
                    Finding(
                        severity: .error, location: denial.location,
                        message: "grant \(grant.name) denied: \(denial.message)"))
            }
        case .undecided(let notes):
            summary.undecided += 1
            result.verdict = "DecidedAtRunTime"
            for note in notes {
                findings.append(
                    Finding(
                        severity: .note, location: note.location,
                        message: "grant \(grant.name): decided at run time: \(note.message)"))
            }
        }
        grants.append(result)
    }
}

extension Finding.Severity {
    fileprivate var order: Int {
        switch self {
        case .error: 0
        case .warning: 1
        case .note: 2
        }
    }
}
