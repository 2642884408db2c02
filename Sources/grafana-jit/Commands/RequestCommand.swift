import AccessModel
import AccessRequests
import Controller
import Foundation
import GrafanaAPI

/// `grafana-jit request`: writes the grant file a requester means, checked the way `validate` and the controller
/// will check it, under the policy that fits, or says what no policy allows.
struct RequestCommand: Command {
    static let name = "request"
    static let abstract = "Write a grant file from who, what, how long and why, checked against the policies."
    static let usage =
        "--grants DIR --policies PATH... (--user LOGIN | --team NAME) ACCESS... (--for DURATION | --until TIME) "
        + "--reason TEXT [--ticket ID] [--approver LOGIN...] [--policy NAME] [--print] [--grafana-url URL]"
    static let summary = """
        ACCESS is any of --data-source (with --permission), --folder (with --folder-permission), --join-team (with \
        --team-role), --org-role, --service-account-token (with --token-role) and --bundle. Evaluates the grant \
        offline against the policies in --policies with the evaluator validate uses, and writes it under the policy \
        that allows it with the fewest conditions left for run time (or asks for --policy when several tie) into \
        DIR/NAME.yaml, named <subject>-<resource>-<ticket or start date> unless --name says otherwise. It never \
        overwrites, refuses a name that a grant in --grants already has or that the ledger in --state records as \
        expired, lists whom to ask for approval and prints the git commands for the pull request (it does not push). \
        With --grafana-url it also reads Grafana (GET requests only) to resolve references and to say when the \
        subject already holds the access. Exit 0 when written (or printed), 1 when refused (no policy allows it, the \
        name is taken, a reference names nothing in Grafana), 2 on usage errors, an invalid request, or several \
        policies fitting equally.
        """
    static let grafanaSpecs: [OptionSpec] =
        ControllerOptions.specs.filter { ["grafana-url", "token-file", "org-id", "timeout"].contains($0.name) }
        + TLSOptions.specs
    static let options: [OptionSpec] =
        SourceOptions.specs + RequestOptions.specs + [
            .value("name", "NAME", help: "The grant's name (and file name) instead of the naming convention."),
            .flag("print", help: "Write the grant to stdout instead of a file; the report goes to stderr."),
            .value(
                "state", "DIR", environment: "GRAFANA_JIT_STATE",
                help: "The controller's state folder: a name its ledger records as expired is refused."),
            .value("now", "TIME", help: "Evaluate at this RFC 3339 time instead of now (names without a ticket too)."),
        ] + grafanaSpecs

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let sources = try SourceOptions(arguments, command: Self.name)
        guard !sources.sources.policies.isEmpty else {
            throw UsageError.missingArgument("--policies PATH", command: Self.name)
        }
        let now = try arguments.time("now") ?? Date()
        let request = try RequestOptions.request(arguments, maxGrantDuration: sources.maxGrantDuration, now: now)
        let name = arguments.value("name") ?? GrantNaming.name(for: request, startingOn: request.startsAt ?? now)
        guard ResourceName.isValid(name) else {
            throw UsageError.invalidValue(
                option: "name", value: name, expected: "a DNS-1123 name: lowercase letters, digits, '-' and '.'")
        }
        let report = RequestReport(console: console, printsGrant: arguments.flag("print"))
        let loader = ResourceLoader(fileSystem: LocalFileSystem(), decoder: sources.decoder())
        let policyFiles = loader.decode(ResourceSources(policies: sources.sources.policies))
        for error in policyFiles.flatMap(\.errors) {
            report.warn("\(error) (validate fails on it until the policy is fixed)")
        }
        let path = try Self.destination(sources.sources.grants, name: name, writing: !arguments.flag("print"))
        let ledger = try await Self.ledger(arguments.value("state"))
        if let refusal = Self.nameRefusal(
            name, path: path, grants: loader.decode(ResourceSources(grants: sources.sources.grants)),
            ledger: ledger, now: now)
        {
            report.refuse([refusal])
            return .findings
        }
        var review = RequestReview(policyFiles: policyFiles, facts: .offline, now: now, decoder: sources.decoder())
        if arguments.value("grafana-url") != nil {
            guard case .success(let draft) = review.draft(request, name: name, policy: request.policy) else {
                return report.decided(review.decide(request, name: name), path: path)
            }
            let lookup = GrafanaLookup(grafana: try Self.grafana(arguments), ledger: ledger)
            let snapshot: GrafanaSnapshot
            do {
                snapshot = try await lookup.snapshot(for: draft)
            } catch {
                // The offline verdict still holds; only what Grafana would have settled stays open.
                report.warn("could not read Grafana, so the request is checked offline only: \(error)")
                return report.decided(review.decide(request, name: name), path: path)
            }
            let problems = GrafanaLookup.problems(draft, in: snapshot)
            guard problems.isEmpty else {
                report.refuse(problems)
                return .findings
            }
            review.facts = snapshot.facts
            for line in await lookup.heldAccess(draft, in: snapshot) { report.note(line) }
        }
        return report.decided(review.decide(request, name: name), path: path)
    }

    /// `DIR/NAME.yaml` in the first --grants path, which must be a folder when the file is written.
    private static func destination(_ grants: [String], name: String, writing: Bool) throws(UsageError) -> String {
        let folder = ResourceFiles.trimmingTrailingSlashes(grants[0])
        var isFolder: ObjCBool = false
        guard !writing || (FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && isFolder.boolValue)
        else {
            throw .invalidValue(option: "grants", value: folder, expected: "a folder to write the grant file into")
        }
        return folder + "/" + name + ".yaml"
    }

    /// Every ledger under the state folder (one per Grafana instance and org with --config); empty without one.
    private static func ledger(_ state: String?) async throws -> Ledger {
        guard let state else { return Ledger() }
        var merged = Ledger()
        for folder in StatusCommand.stateFolders(state) {
            let ledger = try await LedgerStore(directory: folder, fileSystem: LocalFileSystem()).load()
            merged.grants.merge(ledger.grants) { first, _ in first }
            for change in ledger.changes { merged.record(change) }
        }
        return merged
    }

    /// Why `name` cannot be used: a grant in --grants has it, a file is at `path`, or it expired.
    static func nameRefusal(_ name: String, path: String, grants: [DecodedFile], ledger: Ledger, now: Date) -> String? {
        for file in grants {
            if let grant = file.resources.first(where: { $0.kind == .grant && $0.metadata.name == name }) {
                return "a grant named \(name) already exists (\(grant.metadata.location)); choose another with --name"
            }
            if file.rejected.contains(where: { $0.kind == .grant && $0.name == name }) {
                return "a grant named \(name) already exists in \(file.path) (with errors); choose another with --name"
            }
        }
        if FileManager.default.fileExists(atPath: path) {
            return "\(path) already exists; grafana-jit request never overwrites a file"
        }
        if let record = ledger.grants[name], record.isExpired || (record.end.map { $0 <= now } ?? false) {
            let when = record.end.map { " at \($0.rfc3339)" } ?? ""
            return "grant \(name) expired\(when), and an expired name stays expired; choose another with --name"
        }
        return nil
    }

    private static func grafana(_ arguments: ParsedArguments) throws -> any GrafanaAPI {
        guard let url = try ControllerOptions.httpURL("grafana-url", arguments) else {
            throw UsageError.missingArgument("--grafana-url", command: name)
        }
        let environment = ProcessInfo.processInfo.environment
        var connection = GrafanaConnection(
            baseURL: url,
            credentials: try ControllerOptions.credentials(arguments, environment: environment, command: name),
            userAgent: "grafana-jit/\(GrafanaJIT.version)")
        connection.tls = try TLSOptions.settings(arguments)
        if let text = arguments.value("org-id") {
            guard let id = Int(text), id > 0 else {
                throw UsageError.invalidValue(option: "org-id", value: text, expected: "a positive number")
            }
            connection.orgID = id
        }
        if let text = arguments.value("timeout") {
            guard let timeout = Duration(text: text) else {
                throw UsageError.invalidValue(option: "timeout", value: text, expected: "a duration like 10s")
            }
            connection.timeout = timeout
        }
        return HTTPGrafanaClient(connection: connection)
    }
}
