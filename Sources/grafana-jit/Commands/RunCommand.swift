import AccessModel
import Controller
import Foundation
import GrafanaAPI
import HTTPServer

/// `grafana-jit run`: the controller. `--once` makes one full pass and exits 0 when converged, 1 otherwise.
struct RunCommand: Command {
    static let name = "run"
    static let abstract = "Run the controller: apply grants to Grafana and revoke them when they end."
    static let usage = "--grants PATH --policies PATH --state DIR --grafana-url URL [--once] [--dry-run] [options]"
    static let summary = """
        Watches the grants and policies and keeps Grafana's team memberships and data-source permissions in line with the \
        grants that are valid, allowed by policy, started and not expired. Every change is written to the ledger \
        before Grafana, confirmed by reading back, and audited. SIGTERM or SIGINT finish the pass in progress (up to \
        30 s) and exit 0; a second signal exits at once.
        """
    static let options: [OptionSpec] =
        ControllerOptions.specs + [ControllerOptions.enforcement, SharedStateFolders.option]
        + NotificationOptions.specs + [
            .flag("once", environment: "GRAFANA_JIT_ONCE", help: "One full pass, then exit (0 converged, 1 not)."),
            .flag("dry-run", environment: "GRAFANA_JIT_DRY_RUN", help: "Plan and print, apply nothing."),
            .flag("poll", environment: "GRAFANA_JIT_POLL", help: "Poll the grants folder instead of using inotify."),
            .value(
                "discover-interval", "DURATION", environment: "GRAFANA_JIT_DISCOVER_INTERVAL",
                help: "Look for standing access this often, for the metrics and log (default 10m; 0 turns it off)."),
            .value(
                "listen", "HOST:PORT", environment: "GRAFANA_JIT_LISTEN",
                help: "Serve /metrics, /healthz and /readyz here (port 0 picks a free one; off unless given)."),
        ]

    /// How long a stopping controller keeps delivering queued notifications.
    static let notificationDrain = Duration.seconds(10)

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let options = try ControllerOptions(
            arguments, environment: ProcessInfo.processInfo.environment, command: Self.name)
        // Installed first, so a signal during start-up or a --once pass is not fatal: the pass finishes, state is
        // consistent, then the process exits.
        let signals = TerminationSignals()
        let listen = try arguments.value("listen").map { text throws(UsageError) in
            try ListenAddress.parse(text, option: "listen")
        }
        let metrics = ControllerMetrics(version: GrafanaJIT.version)
        var discoverInterval = Duration.seconds(600)
        if let text = arguments.value("discover-interval") {
            guard let value = text == "0" ? .zero : Duration(text: text) else {
                throw UsageError.invalidValue(
                    option: "discover-interval", value: text, expected: "a duration like 10m, or 0")
            }
            discoverInterval = value
        }
        let notifications = try NotificationOptions(arguments)
        let shared = SharedStateFolders(options).findings
        if !shared.isEmpty {
            guard arguments.flag(SharedStateFolders.option.name) else {
                for finding in shared { console.writeError("grafana-jit: error: \(finding.message)\n") }
                return .usage
            }
            let logger = options.makeLogger(console: console)
            for finding in shared {
                logger.log(.warning, .stateFolderShared, ["folder": finding.folder, "mode": finding.octalMode])
            }
        }
        let notifier = notifications.makeNotifier(
            logger: options.makeLogger(console: console), metrics: metrics, tls: options.tls)
        let controllers = options.makeReconcilers(
            console: console, metrics: metrics, notifications: notifier.map { ($0, notifications.expiryNotices) })
        for controller in controllers {
            do {
                try await controller.reconciler.start(exclusive: !arguments.flag("dry-run"))
            } catch {
                console.writeError("grafana-jit: error: \(error)\n")
                return .usage
            }
            await logStart(controller, options: options, mode: arguments.flag("once") ? "once" : "daemon")
        }
        if arguments.flag("dry-run") { return await PlanCommand.printPlans(of: controllers, console: console) }
        if arguments.flag("once") {
            // Every Grafana gets its pass at once; one that is down fails its own pass only.
            let converged = await withTaskGroup(of: Bool.self) { group in
                for controller in controllers {
                    group.addTask {
                        let loop = ControllerLoop(
                            reconciler: controller.reconciler, clock: SystemClock(), logger: controller.logger)
                        let result = await loop.once()
                        return result.isConverged && result.failedGrants.isEmpty
                    }
                }
                return await group.reduce(true) { $0 && $1 }
            }
            await notifier?.drain(until: Date().addingTimeInterval(Self.notificationDrain.timeInterval))
            return converged ? .success : .findings
        }
        var timing = ControllerLoop.Timing()
        timing.resync = options.resync
        let readiness = Readiness()
        // One loop per Grafana, each with its own watcher, timer and backoff.
        let loops = controllers.map { controller in
            let changes = ChangeDetectors.make(
                paths: options.sources.sources.paths, polling: arguments.flag("poll")
            ) {
                metrics.inotifyOverflows.increment()
            }
            controller.logger.log(
                .info, .watchStarted,
                [
                    "mode": changes is InotifyDetector ? "inotify" : "poll",
                    "grants": options.sources.sources.grants.joined(separator: ","),
                    "policies": options.sources.sources.policies.joined(separator: ","),
                ])
            return ControllerLoop(
                reconciler: controller.reconciler, changes: changes, clock: SystemClock(), logger: controller.logger,
                timing: timing, readiness: readiness.entry(named: controller.settings.target.description))
        }
        let logger = controllers[0].logger
        let server: HTTPServer?
        if let (host, port) = listen {
            do {
                server = try HTTPServer.start(host: host, port: port, limits: OperationsEndpoints.limits) {
                    OperationsEndpoints.answer($0, metrics: metrics.registry, readiness: readiness)
                }
            } catch {
                console.writeError("grafana-jit: error: cannot listen on \(host):\(port): \(error)\n")
                return .usage
            }
            let shown = host.contains(":") ? "[\(host)]" : host
            logger.log(.info, .listening, ["address": "http://\(shown):\(server?.port ?? port)"])
        } else {
            server = nil
        }
        let clock = SystemClock()
        // Stopped in this order: no pass starts once the notifier drains, and probes answer until the end.
        var stages: [[any Service]] = [
            loops,
            [DiscoveryService(reconcilers: controllers.map(\.reconciler), interval: discoverInterval, clock: clock)],
        ]
        if let notifier {
            stages.append([NotifierService(notifier: notifier, drainLimit: Self.notificationDrain, clock: clock)])
        }
        if let server { stages.append([OperationsService(server: server)]) }
        return await Self.serve(
            ServiceGroup(stages: stages, clock: clock), signals: signals, clock: clock, logger: logger)
    }
}

extension RunCommand {
    /// The start line: version, Grafana's version and whether its data-source permission API is there.
    private func logStart(
        _ controller: ControllerOptions.Governed,
        options: ControllerOptions, mode: String
    ) async {
        let connection = controller.settings.connection
        let sources = options.sources.sources
        var started = [
            "version": GrafanaJIT.version, "grafanaURL": ControllerOptions.redacted(connection.baseURL),
            "grants": sources.grants.joined(separator: ","), "policies": sources.policies.joined(separator: ","),
            "maxGrantDuration": options.sources.maxGrantDuration.text, "state": controller.settings.stateDirectory,
            "mode": mode,
        ]
        let client = HTTPGrafanaClient(connection: connection)
        // What Grafana this is matters to operators, but an unreachable Grafana is the pass's problem to report.
        started["grafanaVersion"] = (try? await client.health())?.version ?? "unreachable"
        switch try? await client.permissionAPIStatus() {
        case .available?: started["dataSourcePermissions"] = "available"
        case .unavailable(let reason)?: started["dataSourcePermissions"] = reason
        case nil: started["dataSourcePermissions"] = "unknown"
        }
        controller.logger.log(.info, .controllerStarted, started)
        if connection.tls.skipsVerification {
            controller.logger.log(
                .warning, .tlsUnverified,
                [
                    "message":
                        "--insecure-skip-verify is on: server certificates are not checked; use it for test servers only"
                ])
        }
        if sources.policies.isEmpty {
            controller.logger.log(
                .warning, .policiesMissing,
                [
                    "message":
                        "no --policies path is given, so no policy exists and every grant is denied; policies and "
                        + "bundles under --grants are never loaded"
                ])
        }
    }
}

/// `grafana-jit plan`: the writes the next pass would make, grouped by grant; applies nothing.
struct PlanCommand: Command {
    static let name = "plan"
    static let abstract = "Print the changes the next pass would make, applying nothing."
    static let usage = "--grants PATH --policies PATH --state DIR --grafana-url URL [options]"
    static let summary = """
        Takes run's options for the grants, policies, state and Grafana (not those only writing needs). Reads Grafana \
        and the ledger and prints each change grouped by grant, in words; writes nothing, not even the state folder.
        """
    static let options = ControllerOptions.readingSpecs + [ControllerOptions.enforcement]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let options = try ControllerOptions(
            arguments, environment: ProcessInfo.processInfo.environment, command: Self.name)
        let controllers = options.makeReconcilers(console: console)
        for controller in controllers {
            do {
                try await controller.reconciler.start(exclusive: false)
            } catch {
                console.writeError("grafana-jit: error: \(error)\n")
                return .usage
            }
        }
        return await Self.printPlans(of: controllers, console: console)
    }

    /// Each started controller's next pass, planned and printed; `findings` when any plan failed.
    static func printPlans(
        of controllers: [ControllerOptions.Governed],
        console: any Console
    ) async -> ExitCode {
        var failed = false
        for controller in controllers {
            let result = await controller.reconciler.pass(applying: false)
            console.write(render(result, for: controllers.count > 1 ? controller.settings.target : nil))
            if await controller.reconciler.remembersNoGrant, !result.plan.changes.isEmpty {
                console.write(
                    "note: the state folder \(controller.settings.stateDirectory) remembers no grant, so every grant "
                        + "counts as new here: one that ended under an earlier state folder would start again\n")
            }
            failed = failed || result.error != nil
        }
        return failed ? .findings : .success
    }

    /// The plan grouped by grant; with several Grafanas, headed by the instance and org.
    static func render(_ result: PassResult, for target: Target? = nil) -> String {
        let heading = target.map { "Grafana \($0):\n" } ?? ""
        return heading + changes(result)
    }

    private static func changes(_ result: PassResult) -> String {
        if let error = result.error { return "plan failed: \(error.inert)\n" }
        guard !result.plan.changes.isEmpty || !result.plan.notes.isEmpty else { return "no changes\n" }
        var byGrant: [String: [String]] = [:]
        var standing: [String] = []
        for change in result.plan.changes {
            if change.kind == .removeStanding {
                standing.append("  " + change.description)
            } else {
                byGrant[change.grants.joined(separator: ", "), default: []].append("  " + change.description)
            }
        }
        var lines: [String] = []
        for grant in byGrant.keys.sorted() {
            lines.append("grant \(grant):")
            lines += byGrant[grant] ?? []
        }
        if !standing.isEmpty {
            lines.append("standing access (no grant gave it; --enforce-zero-standing removes it):")
            lines += standing
        }
        lines += result.plan.notes.map { "note: \($0.message)" }
        let count = result.plan.changes.count
        lines.append(
            (count == 0 ? "no changes" : count == 1 ? "1 change" : "\(count) changes")
                + (result.held > 0 ? ", \(result.held) revocation(s) held by the safety brake" : ""))
        return lines.map(\.inert).joined(separator: "\n") + "\n"
    }
}
