import Controller
import Foundation

/// `grafana-jit status --state DIR`: who has what, until when, why.
struct StatusCommand: Command {
    static let name = "status"
    static let abstract = "Show each grant's phase, access and expiry from the state folder."
    static let usage = "--state DIR [--output table|json|yaml]"
    static let summary = "Reads the status the controller keeps in STATE/status/ and prints a table or JSON."
    static let options: [OptionSpec] = [
        .value("state", "DIR", environment: "GRAFANA_JIT_STATE", help: "The controller's state folder."),
        .value("output", "FORMAT", environment: "GRAFANA_JIT_OUTPUT", help: "table (default), json or yaml."),
    ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        guard let state = arguments.value("state") else {
            throw UsageError.missingArgument("--state DIR", command: Self.name)
        }
        let output = arguments.value("output") ?? "table"
        guard ["table", "json", "yaml"].contains(output) else {
            throw UsageError.invalidValue(option: "output", value: output, expected: "table, json or yaml")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: state, isDirectory: &isFolder), isFolder.boolValue else {
            throw UsageError.invalidValue(
                option: "state", value: state, expected: "the controller's state folder (it does not exist)")
        }
        var statuses: [GrantStatus] = []
        for folder in Self.stateFolders(state) {
            statuses += await StatusStore(stateDirectory: folder, fileSystem: LocalFileSystem()).load().values
        }
        statuses.sort { ($0.grafana ?? "", $0.org ?? 0, $0.name) < ($1.grafana ?? "", $1.org ?? 0, $1.name) }
        if output != "table" {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            let json = try encoder.encode(statuses)
            console.write(
                output == "json"
                    ? String(decoding: json, as: UTF8.self) + "\n"
                    : YAMLText.render(try JSONSerialization.jsonObject(with: json)))
            return .success
        }
        console.write(Self.table(statuses, now: Date()))
        return .success
    }

    /// The state folder, and with `--config` one folder per Grafana instance (`STATE/NAME`) and org
    /// (`STATE/NAME/org-N`).
    static func stateFolders(_ state: String) -> [String] {
        let manager = FileManager.default
        func children(_ folder: String) -> [String] {
            // A folder that cannot be listed holds no status to show; the state folder's own is read regardless.
            return ((try? manager.contentsOfDirectory(atPath: folder)) ?? []).sorted().map { folder + "/" + $0 }.filter
            {
                var isFolder: ObjCBool = false
                return manager.fileExists(atPath: $0, isDirectory: &isFolder) && isFolder.boolValue
                    && !$0.hasSuffix("/status") && !$0.hasSuffix("/secrets") && !$0.hasSuffix("/last-valid")
            }
        }
        let instances = children(state)
        return [state] + instances + instances.flatMap(children)
    }

    /// The table `status` prints: name, subject, access, phase, expires in, commit (and pull request), message;
    /// with several Grafanas, where.
    static func table(_ statuses: [GrantStatus], now: Date) -> String {
        let several = Set(statuses.map { "\($0.grafana ?? "")/\($0.org ?? 0)" }).count > 1
        let rows: [[String]] =
            [["NAME", "SUBJECT", "ACCESS", "PHASE", "WHY", "STARTS IN", "EXPIRES IN", "COMMIT", "MESSAGE"]]
            + statuses.map { status -> [String] in
                let name =
                    several
                    ? "\(status.grafana ?? "default")\(status.org.map { "/\($0)" } ?? "")/\(status.name)" : status.name
                // Only a grant that will or does hold access has a time to wait for.
                let starts =
                    status.phase == .pending ? status.startsAt.map { remaining($0.timeIntervalSince(now)) } : nil
                let live = status.phase == .pending || status.phase == .active
                let expires = live ? status.expiresAt.map { remaining($0.timeIntervalSince(now)) } : nil
                return [
                    name, status.subject, status.access.joined(separator: "; "), status.phase.rawValue,
                    status.conditions.first.map { words(for: $0.reason) } ?? "-", starts ?? "-", expires ?? "-",
                    commit(of: status), status.message,
                ]
            }
        return columns(rows)
    }

    /// A condition's reason as a requester would say it.
    static func words(for reason: Reason) -> String {
        switch reason {
        case .applied: "access applied"
        case .scheduled: "waiting for its start"
        case .outsideActiveHours: "outside the policy's hours"
        case .windowEnded: "its time is up"
        case .policyDenied: "no policy allows it"
        case .invalidSpec: "the file has errors"
        case .notFoundInGrafana: "not found in Grafana"
        case .ambiguousReference: "names two Grafana objects"
        case .lookupFailed: "Grafana could not be asked"
        case .applyFailed: "Grafana refused a change"
        case .unsupported: "this Grafana cannot do it"
        case .revokedByDeletion: "its file was deleted"
        }
    }

    /// The commit's first 12 digits, with the pull request when known: `1a2b3c4d5e6f (#42)`.
    static func commit(of status: GrantStatus) -> String {
        guard let commit = status.commit else { return "-" }
        let request = status.pullRequest.map { " (#\($0))" } ?? ""
        return String(commit.prefix(12)) + request
    }

    /// `3h12m`, `45s`, or `-` once passed.
    static func remaining(_ seconds: TimeInterval) -> String {
        guard seconds > 0 else { return "-" }
        return Duration.seconds(Int64(seconds.rounded(.up))).text
    }
}
