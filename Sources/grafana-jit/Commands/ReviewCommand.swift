import AccessModel
import AccessReview
import Controller
import Foundation

/// `grafana-jit review`: an access review for a period, from the audit trail and the ledger, with the standing
/// access Grafana shows when `--grafana-url` is given.
struct ReviewCommand: Command {
    static let name = "review"
    static let abstract = "Write an access review of a period (HTML, CSV or JSON) from the audit trail."
    static let usage =
        "--state DIR [--since 90d | --from DATE [--to DATE]] --format html|csv|json [--output FILE] "
        + "[--audit-log FILE ...] [--grafana-url URL ...]"
    static let summary = """
        Reads the audit trail (STATE/audit.jsonl and its rotated siblings, or each --audit-log with its siblings) \
        and the ledger, and reports per grant who held what, asked for how long and held how long, how it ended, \
        and what was revoked late, failed or is still outstanding; totals per user and resource; denied requests. \
        With --grafana-url (or --config) it also lists standing access, read-only, as discover does. Malformed \
        audit lines are reported with file and line and skipped (exit 1, the review is still written).
        """
    static let options: [OptionSpec] =
        ControllerOptions.readingSpecs.filter { $0.name != "brake-share" } + [
            .value("since", "DURATION", help: "The period ends now and starts this long ago (default 90d)."),
            .value("from", "DATE", help: "The period's start: 2026-09-01 (UTC midnight) or an RFC 3339 time."),
            .value("to", "DATE", help: "The period's end, excluded (default now)."),
            .value("format", "FORMAT", help: "html, csv or json (default: from --output's extension)."),
            .value("output", "FILE", help: "Write the review here (replaced atomically) instead of to stdout."),
            .repeatable(
                "audit-log", "FILE",
                help: "An audit trail to read instead of STATE/audit.jsonl (its rotated siblings too); repeatable."),
            .value(
                "late-after", "DURATION",
                help: "Flag revocations confirmed later than this after the access was due to go (default 30s)."),
        ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        guard let state = arguments.value("state") else {
            throw UsageError.missingArgument("--state DIR", command: Self.name)
        }
        let format = try Self.format(arguments)
        let now = Date()
        let period = try Self.period(arguments, now: now)
        let lateAfter = try Self.duration(arguments, "late-after", default: .seconds(30))
        var problems: [String] = []
        let trail = try Self.trail(arguments, state: state, problems: &problems)
        var ledgers: [ReviewInput.LedgerSnapshot] = []
        // A folder without a ledger reads as an empty one, which adds nothing.
        for folder in StatusCommand.stateFolders(state) {
            do {
                let ledger = try await LedgerStore(directory: folder, fileSystem: LocalFileSystem()).load()
                let place = Self.place(of: folder, in: state)
                ledgers.append(.init(grafana: place.grafana, org: place.org, ledger: ledger))
            } catch {
                problems.append("\(error); its windows and outstanding revocations are left out")
            }
        }
        var standing: [StandingEntry]?
        if arguments.value("grafana-url") != nil || arguments.value("config") != nil {
            if let reports = try await DiscoverCommand.reports(arguments, console: console, command: Self.name) {
                standing = reports.flatMap { target, report in
                    report.standing.map {
                        StandingEntry(
                            grafana: target.grafana, org: target.org, resourceKind: $0.resourceKind,
                            resource: $0.resource, principalKind: $0.principalKind, principal: $0.principal,
                            level: $0.level)
                    }
                }
            } else {
                problems.append("standing access could not be read from Grafana (see the error above)")
            }
        }
        let review = AccessReview(
            ReviewInput(
                trail: trail, ledgers: ledgers, standing: standing, period: period, generatedAt: now,
                lateAfter: lateAfter.timeInterval, problems: problems))
        for problem in review.problems { console.writeError("grafana-jit: warning: \(problem)\n") }
        let text: String
        switch format {
        case .html: text = ReviewHTML.render(review)
        case .csv: text = ReviewCSV.render(review)
        case .json: text = ReviewJSON.render(review)
        }
        if let output = arguments.value("output") {
            try Data(text.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            console.writeError(
                "grafana-jit: wrote the review of \(review.grants.count) grant(s) to \(output)\n")
        } else {
            console.write(text)
        }
        return review.problems.isEmpty ? .success : .findings
    }

    enum Format: String, CaseIterable {
        case html, csv, json
    }

    private static func format(_ arguments: ParsedArguments) throws(UsageError) -> Format {
        if let text = arguments.value("format") {
            guard let format = Format(rawValue: text.lowercased()) else {
                throw .invalidValue(option: "format", value: text, expected: "html, csv or json")
            }
            return format
        }
        let suffix = arguments.value("output").map { URL(fileURLWithPath: $0).pathExtension.lowercased() }
        guard let suffix, let format = Format(rawValue: suffix == "htm" ? "html" : suffix) else {
            throw .missingArgument("--format html, csv or json", command: name)
        }
        return format
    }

    /// `--since`, or `--from` and `--to`; by default the last 90 days.
    static func period(_ arguments: ParsedArguments, now: Date) throws(UsageError) -> ReviewPeriod {
        let to = try arguments.value("to").map { text throws(UsageError) in try date(text, option: "to") } ?? now
        if arguments.value("since") != nil {
            guard arguments.value("from") == nil else {
                throw .conflictingOptions("--since", with: "--from", why: "both set the period's start")
            }
            let length = try duration(arguments, "since", default: .seconds(0))
            return ReviewPeriod(from: to.addingTimeInterval(-length.timeInterval), to: to)
        }
        let from = try arguments.value("from").map { text throws(UsageError) in try date(text, option: "from") }
        let start = from ?? to.addingTimeInterval(-90 * 86_400)
        guard start < to else {
            throw .invalidValue(
                option: "to", value: arguments.value("to") ?? to.rfc3339, expected: "a time after --from")
        }
        return ReviewPeriod(from: start, to: to)
    }

    /// `2026-09-01` (midnight UTC) or an RFC 3339 time.
    private static func date(_ text: String, option: String) throws(UsageError) -> Date {
        if let date = Date(rfc3339: text) ?? Date(rfc3339: text + "T00:00:00Z") { return date }
        throw .invalidValue(option: option, value: text, expected: "a date like 2026-09-01 or 2026-09-01T00:00:00Z")
    }

    private static func duration(_ arguments: ParsedArguments, _ option: String, default value: Duration)
        throws(UsageError) -> Duration
    {
        guard let text = arguments.value(option) else { return value }
        guard let duration = Duration(text: text), duration > .zero else {
            throw .invalidValue(option: option, value: text, expected: "a duration like 90d or 1h30m")
        }
        return duration
    }

    /// `STATE/NAME/org-N` holds instance NAME's org N (with `--config`); the state folder itself, the one Grafana.
    private static func place(of folder: String, in state: String) -> (grafana: String?, org: Int?) {
        let parts = folder.dropFirst(state.count).split(separator: "/").map(String.init)
        let org = parts.count > 1 && parts[1].hasPrefix("org-") ? Int(parts[1].dropFirst(4)) : nil
        return (parts.first, org)
    }
}
