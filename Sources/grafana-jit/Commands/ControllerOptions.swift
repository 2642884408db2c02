import AccessModel
import Controller
import Foundation
import GrafanaAPI
import HTTPClient

/// The flags `run` and `plan` share (DESIGN.md "Command line"), turned into a configured reconciler.
struct ControllerOptions {
    static let specs: [OptionSpec] =
        SourceOptions.specs + TLSOptions.specs + [
            .value(
                "state", "DIR", environment: "GRAFANA_JIT_STATE", help: "Folder for the ledger, status and audit log."),
            .value(
                "secrets-dir", "DIR", environment: "GRAFANA_JIT_SECRETS_DIR",
                help:
                    "Folder for temporary service-account token files, one per grant, mode 0600 (default STATE/secrets)."
            ),
            .value("grafana-url", "URL", environment: "GRAFANA_URL", help: "Grafana's base URL (a sub-path is fine)."),
            .value(
                "config", "FILE", environment: "GRAFANA_JIT_CONFIG",
                help:
                    "YAML file naming several Grafana instances and orgs (instead of --grafana-url, --token-file, --org-id "
                    + "and the OnCall and Incident options, which are refused beside it)."),
            .value(
                "token-file", "FILE", environment: "GRAFANA_TOKEN_FILE",
                help: "File holding the service-account token (or set GRAFANA_TOKEN; or GRAFANA_USER/GRAFANA_PASSWORD)."
            ),
            .value("org-id", "N", environment: "GRAFANA_ORG_ID", help: "Organization to act in (X-Grafana-Org-Id)."),
            .value(
                "oncall-url", "URL", environment: "GRAFANA_JIT_ONCALL_URL",
                help: "Grafana OnCall/IRM API URL, for on-call policies."),
            .value(
                "oncall-token-file", "FILE", environment: "GRAFANA_JIT_ONCALL_TOKEN_FILE",
                help: "File holding the OnCall token (or set GRAFANA_ONCALL_TOKEN)."),
            .value(
                "incident-url", "URL", environment: "GRAFANA_JIT_INCIDENT_URL",
                help: "Grafana Incident API base (…/api/plugins/grafana-irm-app/resources), for incident-bound grants."),
            .value(
                "incident-token-file", "FILE", environment: "GRAFANA_JIT_INCIDENT_TOKEN_FILE",
                help: "File holding the Incident token (or GRAFANA_INCIDENT_TOKEN; default: the Grafana token)."),
            .value(
                "resync", "DURATION", environment: "GRAFANA_JIT_RESYNC",
                help: "Full pass at least this often (default 60s)."),
            .value(
                "timeout", "DURATION", environment: "GRAFANA_JIT_TIMEOUT", help: "Per-request timeout (default 10s)."),
            .value(
                "write-deadline", "DURATION", environment: "GRAFANA_JIT_WRITE_DEADLINE",
                help: "How long a pass retries a failing write before leaving it to the next pass (default 30s)."),
            .value(
                "max-in-flight", "N", environment: "GRAFANA_JIT_MAX_IN_FLIGHT",
                help: "Grafana requests at once (default 8)."),
            .value(
                "audit-log", "FILE", environment: "GRAFANA_JIT_AUDIT_LOG",
                help: "JSON Lines audit trail (default STATE/audit.jsonl; - for stdout)."),
            .value("log-format", "FORMAT", environment: "GRAFANA_JIT_LOG_FORMAT", help: "text (default) or json."),
            .value(
                "log-level", "LEVEL", environment: "GRAFANA_JIT_LOG_LEVEL",
                help: "debug, info (default), warning or error."
            ),
            .value(
                "brake-share", "FRACTION", environment: "GRAFANA_JIT_BRAKE_SHARE",
                help: "Hold revocations of vanished files above this share of the ledger (default 0.5)."),
        ]

    /// Options only a controller that writes uses; `plan` and `discover` do not offer them.
    static let writingOnly: Set<String> = ["secrets-dir", "resync", "write-deadline", "audit-log"]

    /// `specs` without what only writing uses.
    static var readingSpecs: [OptionSpec] { specs.filter { !writingOnly.contains($0.name) } }

    /// What `--config` sets per instance, so these options are refused beside it.
    static let setByConfiguration: Set<String> = [
        "grafana-url", "token-file", "org-id", "oncall-url", "oncall-token-file", "incident-url", "incident-token-file",
    ]

    /// `run` and `plan` only: `discover` reports standing access, it never removes it.
    static let enforcement = OptionSpec.flag(
        "enforce-zero-standing", environment: "GRAFANA_JIT_ENFORCE_ZERO_STANDING",
        help: "Remove standing access on the data sources of policies with standingAccess: revoke.")

    /// One Grafana instance and org to govern, and where its state goes.
    struct TargetSettings {
        var target: Target
        var connection: GrafanaConnection
        var onCall: (url: URL, token: String)?
        var incidents: (url: URL, token: String)?
        var stateDirectory: String
        var secretsDirectory: String
    }

    /// A reconciler with its logger and the target it governs.
    typealias Governed = (reconciler: Reconciler, logger: Logger, settings: TargetSettings)

    let sources: SourceOptions
    /// The options' TLS settings: for webhooks, and for every Grafana the configuration gives none of its own.
    let tls: TLSSettings
    let state: String
    /// Without `--config`, one target whose state is the state folder itself.
    let targets: [TargetSettings]
    let resync: Duration
    let auditDestination: AuditStore.Destination
    let logFormat: Logger.Format
    let logLevel: Logger.Level
    let brakeShare: Double
    let writeDeadline: Duration
    let enforceZeroStanding: Bool

    init(_ arguments: ParsedArguments, environment: [String: String], command: String) throws(UsageError) {
        func required(_ name: String) throws(UsageError) -> String {
            guard let value = arguments.value(name) else { throw .missingArgument("--\(name)", command: command) }
            return value
        }
        func duration(_ name: String, default value: Duration) throws(UsageError) -> Duration {
            guard let text = arguments.value(name) else { return value }
            guard let parsed = Duration(text: text) else {
                throw .invalidValue(option: name, value: text, expected: "a duration like 30s or 1m")
            }
            return parsed
        }
        sources = try SourceOptions(arguments, command: command)
        state = try required("state")
        let secrets = arguments.value("secrets-dir") ?? state + "/secrets"
        let timeout = try duration("timeout", default: .seconds(10))
        var maxInFlight = 8
        if let text = arguments.value("max-in-flight") {
            guard let value = Int(text), value > 0 else {
                throw .invalidValue(option: "max-in-flight", value: text, expected: "a positive number")
            }
            maxInFlight = value
        }
        let tls = try TLSOptions.settings(arguments)
        self.tls = tls
        func connection(
            _ url: URL, _ credentials: GrafanaConnection.Credentials, org: Int?, tls instanceTLS: TLSSettings? = nil
        ) -> GrafanaConnection {
            var connection = GrafanaConnection(
                baseURL: url, credentials: credentials, userAgent: "grafana-jit/\(GrafanaJIT.version)")
            connection.tls = instanceTLS ?? tls
            connection.orgID = org
            connection.timeout = timeout
            connection.maxInFlight = maxInFlight
            return connection
        }
        if let file = arguments.value("config") {
            // Ignoring them would leave the operator believing they choose the Grafana or the token.
            let perInstance = Self.specs.filter { Self.setByConfiguration.contains($0.name) }
            if let ignored = perInstance.first(where: { arguments.value($0.name) != nil }) {
                throw .conflictingOptions(
                    "--\(ignored.name)" + (ignored.environment.map { " (or \($0))" } ?? ""), with: "--config",
                    why: "the configuration file sets each instance's URL, token file, orgs, on-call and incident")
            }
            let configuration = try InstanceConfiguration.load(path: file)
            let orgs = Dictionary(uniqueKeysWithValues: configuration.instances.map { ($0.name, $0.orgs.map(\.id)) })
            let stateFolder = state
            targets = configuration.instances.flatMap { instance in
                let places: [(Int?, GrafanaConnection.Credentials?)] =
                    instance.orgs.isEmpty ? [(nil, nil)] : instance.orgs.map { ($0.id, $0.credentials) }
                return places.map { org, credentials in
                    let folder = "/\(instance.name)" + (org.map { "/org-\($0)" } ?? "")
                    let grafana = connection(
                        instance.url, credentials ?? instance.credentials, org: org, tls: instance.tls)
                    let incidentToken: String? =
                        if case .token(let token) = grafana.credentials { token } else { nil }
                    return TargetSettings(
                        target: Target(
                            grafana: instance.name, org: org, defaultGrafana: configuration.defaultName, orgs: orgs),
                        connection: grafana, onCall: instance.onCall,
                        incidents: instance.incident.flatMap { incident in
                            (incident.token ?? incidentToken).map { (incident.url, $0) }
                        },
                        stateDirectory: stateFolder + folder, secretsDirectory: secrets + folder)
                }
            }
        } else {
            guard let url = try Self.httpURL("grafana-url", arguments) else {
                throw .missingArgument("--grafana-url (or --config)", command: command)
            }
            var org: Int?
            if let text = arguments.value("org-id") {
                guard let id = Int(text), id > 0 else {
                    throw .invalidValue(option: "org-id", value: text, expected: "a positive number")
                }
                org = id
            }
            let grafana = connection(
                url, try Self.credentials(arguments, environment: environment, command: command), org: org)
            targets = [
                TargetSettings(
                    target: .single(org: org), connection: grafana,
                    onCall: try Self.onCall(arguments, environment: environment),
                    incidents: try Self.incidents(arguments, environment: environment, grafana: grafana.credentials),
                    stateDirectory: state, secretsDirectory: secrets)
            ]
        }
        resync = try duration("resync", default: .seconds(60))
        writeDeadline = try duration("write-deadline", default: .seconds(30))
        let audit = arguments.value("audit-log") ?? state + "/" + AuditStore.fileName
        auditDestination = audit == "-" ? .standardOutput : .file(audit)
        let format = arguments.value("log-format") ?? "text"
        guard let parsedFormat = Logger.Format(rawValue: format) else {
            throw .invalidValue(option: "log-format", value: format, expected: "text or json")
        }
        logFormat = parsedFormat
        let level = arguments.value("log-level") ?? "info"
        guard let parsedLevel = Logger.Level.allCases.first(where: { $0.name == level }) else {
            throw .invalidValue(option: "log-level", value: level, expected: "debug, info, warning or error")
        }
        logLevel = parsedLevel
        let share = arguments.value("brake-share") ?? "0.5"
        guard let parsedShare = Double(share), (0...1).contains(parsedShare) else {
            throw .invalidValue(option: "brake-share", value: share, expected: "a fraction between 0 and 1")
        }
        brakeShare = parsedShare
        enforceZeroStanding = arguments.flag("enforce-zero-standing")
    }

    /// `--oncall-url` with its token, or nil when on-call is not configured.
    private static func onCall(_ arguments: ParsedArguments, environment: [String: String]) throws(UsageError)
        -> (url: URL, token: String)?
    {
        guard let url = try httpURL("oncall-url", arguments) else { return nil }
        if let token = try tokenFile("oncall-token-file", arguments) { return (url, token) }
        guard let token = environment["GRAFANA_ONCALL_TOKEN"], !token.isEmpty else {
            throw .missingArgument("an OnCall token: --oncall-token-file or GRAFANA_ONCALL_TOKEN", command: "run")
        }
        return (url, token)
    }

    /// `--incident-url` with its token (the Grafana service-account token when none is given), or nil.
    private static func incidents(
        _ arguments: ParsedArguments, environment: [String: String], grafana: GrafanaConnection.Credentials
    ) throws(UsageError) -> (url: URL, token: String)? {
        guard let url = try httpURL("incident-url", arguments) else { return nil }
        if let token = try tokenFile("incident-token-file", arguments) { return (url, token) }
        if let token = environment["GRAFANA_INCIDENT_TOKEN"], !token.isEmpty { return (url, token) }
        guard case .token(let token) = grafana else {
            throw .missingArgument("an Incident token: --incident-token-file or GRAFANA_INCIDENT_TOKEN", command: "run")
        }
        return (url, token)
    }

    /// A Grafana URL for logs: any user and password in it removed.
    static func redacted(_ url: URL) -> String {
        guard var components = URLComponents(url: url, resolvingAgainstBaseURL: false) else {
            return "(url)"
        }
        components.user = nil
        components.password = nil
        return components.string ?? "(url)"
    }

    /// Token file, then GRAFANA_TOKEN, then basic auth; the secret itself is never echoed back.
    static func credentials(_ arguments: ParsedArguments, environment: [String: String], command: String)
        throws(UsageError) -> GrafanaConnection.Credentials
    {
        if let token = try tokenFile("token-file", arguments) { return .token(token) }
        if let token = environment["GRAFANA_TOKEN"], !token.isEmpty { return .token(token) }
        if let user = environment["GRAFANA_USER"], let password = environment["GRAFANA_PASSWORD"] {
            return .basic(user: user, password: password)
        }
        throw .missingArgument(
            "credentials: --token-file, GRAFANA_TOKEN, or GRAFANA_USER and GRAFANA_PASSWORD", command: command)
    }

    /// The option's value as an http(s) URL, or nil when it is not given.
    static func httpURL(_ option: String, _ arguments: ParsedArguments) throws(UsageError) -> URL? {
        guard let text = arguments.value(option) else { return nil }
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? "") else {
            throw .invalidValue(option: option, value: text, expected: "an http or https URL")
        }
        return url
    }

    /// The token in the file the option names, trimmed, or nil when the option is not given.
    private static func tokenFile(_ option: String, _ arguments: ParsedArguments) throws(UsageError) -> String? {
        guard let file = arguments.value(option) else { return nil }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .invalidValue(option: option, value: file, expected: "a readable file holding the token")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw .invalidValue(option: option, value: file, expected: "a non-empty token") }
        return token
    }

    /// One reconciler per target, each with its own ledger, queue and backoff, so a failing Grafana never
    /// blocks the others; all append to one audit trail, each event naming its instance and org.
    /// With a notifier, each reconciler sends it what people should hear, and wakes for the expiring-soon marks.
    func makeReconcilers(
        console: any Console, metrics: ControllerMetrics = ControllerMetrics(),
        notifications: (notifier: Notifier, expiryNotices: [Duration])? = nil
    ) -> [Governed] {
        let clock = SystemClock()
        let fileSystem = LocalFileSystem()
        return targets.map { settings in
            var logger = makeLogger(console: console)
            if targets.count > 1 {
                logger.context = ["grafana": settings.target.grafana]
                if let org = settings.target.org { logger.context["org"] = String(org) }
            }
            var configuration = ReconcilerConfiguration(
                sources: sources.sources, stateDirectory: settings.stateDirectory)
            configuration.decoder = sources.decoder()
            configuration.brakeShare = brakeShare
            configuration.secretsDirectory = settings.secretsDirectory
            configuration.writeDeadline = writeDeadline
            configuration.target = settings.target
            configuration.expiryNotices = notifications?.expiryNotices ?? []
            configuration.enforceZeroStanding = enforceZeroStanding
            configuration.skipsTLSVerification = settings.connection.tls.skipsVerification
            // Never reuse an on-call answer across a full resync: going off call must end access within one.
            configuration.onCallCache = min(configuration.onCallCache, resync)
            var connection = settings.connection
            connection.observer = { method, status, seconds in
                metrics.grafanaRequests.increment(method, status.map(String.init) ?? "error")
                metrics.grafanaRequestDuration.observe(seconds, method)
            }
            let reconciler = Reconciler(
                configuration: configuration, grafana: HTTPGrafanaClient(connection: connection, clock: clock),
                fileSystem: fileSystem, clock: clock, logger: logger,
                onCall: settings.onCall.map {
                    HTTPOnCallClient(
                        baseURL: $0.url, token: $0.token, userAgent: connection.userAgent, tls: connection.tls)
                },
                incidents: settings.incidents.map {
                    HTTPIncidentClient(
                        baseURL: $0.url, token: $0.token, userAgent: connection.userAgent, tls: connection.tls)
                }, metrics: metrics, notifier: notifications?.notifier,
                storage: FileStateStorage(
                    directory: settings.stateDirectory, audit: auditDestination, fileSystem: fileSystem))
            return (reconciler, logger, settings)
        }
    }

    /// A logger writing to stderr in the chosen format and level.
    func makeLogger(console: any Console) -> Logger {
        Logger(format: logFormat, minimumLevel: logLevel, clock: SystemClock()) { console.writeError($0) }
    }
}
