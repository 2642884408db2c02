import Controller
import Foundation
import GrafanaAPI

/// `grafana-jit run`: the controller. `--once` makes one full pass and exits 0 when converged, 1 otherwise.
struct RunCommand: Command {
    static let name = "run"
    static let abstract = "Run the controller: apply grants to Grafana and revoke them when they end."
    static let usage = "--grants DIR --state DIR --grafana-url URL [--once] [--dry-run] [options]"
    static let summary = """
        Watches the grants folder and keeps Grafana's team memberships and data-source permissions in line with the \
        grants that are valid, allowed by policy, started and not expired. Every change is written to the ledger \
        before Grafana, confirmed by reading back, and audited. SIGTERM or SIGINT finish the pass in progress (up to \
        30 s) and exit 0; a second signal exits at once.
        """
    static let options: [OptionSpec] =
        ControllerOptions.specs + [
            .flag("once", environment: "GRAFANA_JIT_ONCE", help: "One full pass, then exit (0 converged, 1 not)."),
            .flag("dry-run", environment: "GRAFANA_JIT_DRY_RUN", help: "Plan and print, apply nothing."),
            .flag("poll", environment: "GRAFANA_JIT_POLL", help: "Poll the grants folder instead of using inotify."),
        ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let options = try ControllerOptions(
            arguments, environment: ProcessInfo.processInfo.environment, command: Self.name)
        // Installed first, so a signal during start-up or a --once pass is not fatal: the pass finishes, state is
        // consistent, then the process exits.
        let signals = TerminationSignals()
        let (reconciler, logger) = options.makeReconciler(console: console)
        do {
            try await reconciler.start(exclusive: !arguments.flag("dry-run"))
        } catch {
            console.writeError("grafana-jit: error: \(error)\n")
            return .usage
        }
        var started = [
            "version": GrafanaJIT.version, "grafanaURL": options.redactedURL,
            "grants": options.grants, "state": options.state, "mode": arguments.flag("once") ? "once" : "daemon",
        ]
        let client = HTTPGrafanaClient(connection: options.connection)
        // What Grafana this is matters to operators, but an unreachable Grafana is the pass's problem to report.
        started["grafanaVersion"] = (try? await client.health())?.version ?? "unreachable"
        switch try? await client.permissionAPIStatus() {
        case .available?: started["dataSourcePermissions"] = "available"
        case .unavailable(let reason)?: started["dataSourcePermissions"] = reason
        case nil: started["dataSourcePermissions"] = "unknown"
        }
        logger.log(.info, .controllerStarted, started)
        if arguments.flag("dry-run") {
            let result = await reconciler.pass(applying: false)
            console.write(PlanCommand.render(result))
            return result.error == nil ? .success : .findings
        }
        if arguments.flag("once") {
            let result = await reconciler.pass()
            logger.log(
                result.isConverged ? .info : .warning, .passCompleted,
                [
                    "applied": String(result.applied), "failed": String(result.failed), "held": String(result.held),
                ])
            return result.isConverged && result.failedGrants.isEmpty ? .success : .findings
        }
        var timing = ControllerLoop.Timing()
        timing.resync = options.resync
        let changes = ChangeDetectors.make(paths: [options.grants], polling: arguments.flag("poll"))
        logger.log(
            .info, .watchStarted, ["mode": changes is InotifyDetector ? "inotify" : "poll", "grants": options.grants])
        let loop = ControllerLoop(
            reconciler: reconciler, changes: changes, clock: SystemClock(), logger: logger, timing: timing)
        let stopped = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                await loop.run()
                return nil
            }
            group.addTask { await signals.first() }
            let first = await group.next() ?? nil
            guard let signal = first else { return "none" }
            await loop.requestStop()
            // A second signal, or 30 s, ends the drain at once.
            group.addTask { await signals.first() }
            group.addTask {
                // Cancelled once the drain finishes first; either way the group ends.
                try? await Task.sleep(for: .seconds(30))
                return "drain timeout"
            }
            if let next = await group.next() ?? nil {
                // A pass still in flight is abandoned: the write-ahead ledger lets the next start finish its work.
                logger.log(.warning, .controllerStopped, ["reason": "\(signal), then \(next)"])
                exit(0)
            }
            group.cancelAll()
            return signal
        }
        logger.log(.info, .controllerStopped, ["reason": stopped])
        return .success
    }
}

/// `grafana-jit plan`: the writes the next pass would make, grouped by grant; applies nothing.
struct PlanCommand: Command {
    static let name = "plan"
    static let abstract = "Print the changes the next pass would make, applying nothing."
    static let usage = "--grants DIR --state DIR --grafana-url URL [options]"
    static let summary = "Same flags as run. Reads Grafana and the ledger, prints each change grouped by grant."
    static let options = ControllerOptions.specs

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let options = try ControllerOptions(
            arguments, environment: ProcessInfo.processInfo.environment, command: Self.name)
        let (reconciler, _) = options.makeReconciler(console: console)
        do {
            try await reconciler.start(exclusive: false)
        } catch {
            console.writeError("grafana-jit: error: \(error)\n")
            return .usage
        }
        let result = await reconciler.pass(applying: false)
        console.write(Self.render(result))
        return result.error == nil ? .success : .findings
    }

    static func render(_ result: PassResult) -> String {
        if let error = result.error { return "plan failed: \(error)\n" }
        guard !result.plan.changes.isEmpty || !result.plan.notes.isEmpty else { return "no changes\n" }
        var byGrant: [String: [String]] = [:]
        for change in result.plan.changes {
            byGrant[change.grants.joined(separator: ", "), default: []].append("  " + change.description)
        }
        var lines: [String] = []
        for grant in byGrant.keys.sorted() {
            lines.append("grant \(grant):")
            lines += byGrant[grant] ?? []
        }
        lines += result.plan.notes.map { "note: \($0.message)" }
        lines.append(
            "\(result.plan.changes.count) change(s)"
                + (result.held > 0 ? ", \(result.held) revocation(s) held by the safety brake" : ""))
        return lines.joined(separator: "\n") + "\n"
    }
}
