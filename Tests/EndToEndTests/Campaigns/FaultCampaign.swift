import Foundation
import GrafanaSimulator
import Synchronization
import TestSupport

/// Many short grants against the real binary and the simulator while Grafana fails in every way the simulator can
/// (5xx, 429 bursts with `Retry-After`, latency, dropped connections, down for a stretch) and the controller is
/// killed with SIGKILL and restarted at random moments. Grafana's state is watched throughout; the invariants are
/// checked continuously and at the end (RELIABILITY.md).
struct FaultCampaign {
    struct Settings {
        /// How long faults and kills go on.
        var faultSeconds: Double = 40
        var grants = 30
        var seed: UInt64 = 1
        /// How long after its end a grant's access may still be seen before it counts as a leak.
        var allowedLateness: Double = 30

        /// From `GRAFANA_JIT_CAMPAIGN_SECONDS`, `_GRANTS`, `_SEED` (the long run by hand); the short CI run otherwise.
        static func fromEnvironment() -> Settings {
            let environment = ProcessInfo.processInfo.environment
            var settings = Settings()
            if let value = environment["GRAFANA_JIT_CAMPAIGN_SECONDS"].flatMap(Double.init) {
                settings.faultSeconds = value
            }
            if let value = environment["GRAFANA_JIT_CAMPAIGN_GRANTS"].flatMap(Int.init) { settings.grants = value }
            if let value = environment["GRAFANA_JIT_CAMPAIGN_SEED"].flatMap(UInt64.init) { settings.seed = value }
            return settings
        }
    }

    /// One grant of the campaign: a unique user and data source, so what Grafana shows maps to one grant.
    struct Grant {
        var name: String
        var login: String
        var dataSource: (uid: String, name: String)
        var level: String
        var start: Date?
        var end: Date
        var access: String { "\(login)@\(dataSource.uid)=\(level)" }
    }

    struct Report: CustomStringConvertible {
        var settings: Settings
        var grants = 0
        var kills = 0
        var faultsInjected: [String: Int] = [:]
        var observations = 0
        var leaks: [String] = []
        var standingLost: [String] = []
        var missing: [String] = []
        var unexpected: [String] = []
        var unaudited: [String] = []
        var unreadableAuditLines = 0
        var secretHits: [String] = []
        var neverSeen: [String] = []
        var lateness: [Double] = []
        var notifications = 0
        var statusExit: Int32 = -1

        var violations: Int {
            leaks.count + standingLost.count + missing.count + unexpected.count + unaudited.count + unreadableAuditLines
                + secretHits.count + (statusExit == 0 ? 0 : 1)
        }

        var description: String {
            let sorted = lateness.sorted()
            func percentile(_ p: Double) -> String {
                guard !sorted.isEmpty else { return "-" }
                return String(format: "%.2f", sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))])
            }
            let faults = faultsInjected.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
                separator: ", ")
            return """
                | seed | fault seconds | grants | kills | faults | observations | leaks | standing lost | missing | unexpected | unaudited | unreadable audit lines | secret hits | windows never seen | lateness p50 (s) | lateness p99 (s) | lateness max (s) | notifications |
                |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
                | \(settings.seed) | \(Int(settings.faultSeconds)) | \(grants) | \(kills) | \(faults) | \(observations) | \(leaks.count) | \(standingLost.count) | \(missing.count) | \(unexpected.count) | \(unaudited.count) | \(unreadableAuditLines) | \(secretHits.count) | \(neverSeen.count) | \(percentile(0.5)) | \(percentile(0.99)) | \(sorted.last.map { String(format: "%.2f", $0) } ?? "-") | \(notifications) |
                leaks: \(leaks) standing lost: \(standingLost) missing: \(missing) unexpected: \(unexpected) unaudited: \(unaudited) secrets: \(secretHits)
                """
        }
    }

    /// What the watcher saw: per grant the first and last sighting, and every broken invariant.
    final class Watch: Sendable {
        struct State {
            var firstSeen: [String: Date] = [:]
            var lateness: [String: Double] = [:]
            var leaks: Set<String> = []
            var standingLost: Set<String> = []
            var unexpected: Set<String> = []
            var observations = 0
        }

        let state = Mutex(State())
        private let stopped = Mutex(false)

        func stop() { stopped.withLock { $0 = true } }
        var isStopped: Bool { stopped.withLock { $0 } }
    }

    static let users = ["alice", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "oscar"]
    static let dataSources = [
        ("loki-prod", "prod-logs"), ("prom-prod", "prod-metrics"), ("es-prod", "prod-elasticsearch"),
        ("tempo-prod", "prod-traces"), ("loki-staging", "staging-logs"), ("tempo-staging", "staging-traces"),
    ]
    /// Bob's standing Query, which his campaign grant raises for a while: any level counts as still there.
    static let raisedStanding = "bob@loki-prod="
    static let token = "glsa_simulator_controller_token"

    let settings: Settings

    func run() async throws -> Report {
        var random = FaultDice(state: settings.seed)
        var report = Report(settings: settings)
        let work = try await ControllerWorkspace.start()
        let receiver = try NotificationsEndToEndTests.Receiver()
        let begin = Date()
        let grants = makeGrants(begin: begin, random: &random)
        for grant in grants {
            try work.grant(
                grant.name, user: grant.login + "@example.com",
                access: "[{dataSource: \(grant.dataSource.name), permission: \(grant.level)}]", expiresAt: grant.end,
                extra: grant.start.map { "startsAt: \(ControllerWorkspace.rfc3339($0))" } ?? "")
        }
        report.grants = grants.count
        // What Grafana holds before the controller starts is standing access: never to be lost.
        let baseline = Set(try await work.access())
        let extra = [
            "--resync", "3s", "--write-deadline", "3s", "--timeout", "2s", "--notify-url", receiver.url + "/hook",
            "--notify-expiring", "3s",
        ]
        var logs: [String] = []
        var daemon = try await ControllerProcess.start(work, extra: extra)
        let watch = Watch()
        let watcher = Task { try await observe(work, grants: grants, baseline: baseline, watch: watch) }

        // Chaos: until the fault phase ends, every 1.5-4 s either a new fault plan or a kill and restart.
        let faults: [(String, String)] = [
            ("5xx", #"{"errorRate": 0.3}"#), ("429", #"{"rateLimitBurst": 25, "retryAfterSeconds": 1}"#),
            ("latency", #"{"latencyMilliseconds": 400}"#), ("drops", #"{"dropRate": 0.2}"#),
            ("down", #"{"downForSeconds": 4}"#), ("writes-5xx", #"{"writeErrorRate": 0.5}"#),
            ("lost-answers", #"{"lostAnswerRate": 0.5}"#), ("none", "{}"),
        ]
        while Date().timeIntervalSince(begin) < settings.faultSeconds {
            try await Task.sleep(for: .milliseconds(Int.random(in: 1500...4000, using: &random)))
            if Bool.random(using: &random) {
                await daemon.kill()
                logs.append(daemon.log)
                report.kills += 1
                daemon = try await ControllerProcess.start(work, extra: extra)
            } else {
                let (name, plan) = faults[Int.random(in: 0..<faults.count, using: &random)]
                try await work.control("PUT", "/__sim/faults", body: plan)
                report.faultsInjected[name, default: 0] += 1
            }
        }
        try await work.control("PUT", "/__sim/faults", body: "{}")

        // Quiet: every grant that ended is gone and every one still running is there, within the allowed lateness.
        let lastEnd = grants.map(\.end).filter { $0 < begin.addingTimeInterval(3600) }.max() ?? Date()
        let settled = try await work.eventually(
            within: max(0, lastEnd.timeIntervalSinceNow) + settings.allowedLateness
        ) {
            let access = Set(try await work.access())
            let now = Date()
            return grants.allSatisfy { grant in
                let active = (grant.start ?? begin) <= now && now < grant.end
                return access.contains(grant.access) == active
            }
        }
        // Stopped by a flag, never cancelled: cancelling a task inside a URLSession call can deadlock
        // FoundationNetworking (it hung the whole test process once).
        watch.stop()
        try await watcher.value
        let access = Set(try await work.access())
        let now = Date()
        if !settled {
            report.missing = grants.filter { ($0.start ?? begin) <= now && now < $0.end && !access.contains($0.access) }
                .map(\.name)
        }
        let (status, lastLog) = await daemon.stop()
        logs.append(lastLog)
        if status != 0 {
            report.missing.append(
                daemon.endedBySignal ? "controller ended by signal \(status)" : "controller exit \(status)")
        }

        let seen = watch.state.withLock { $0 }
        report.observations = seen.observations
        report.leaks = seen.leaks.sorted() + grants.filter { $0.end < now && access.contains($0.access) }.map(\.name)
        report.standingLost = seen.standingLost.sorted()
        report.unexpected = seen.unexpected.sorted()
        report.lateness = Array(seen.lateness.values)
        report.neverSeen = grants.filter { seen.firstSeen[$0.name] == nil }.map(\.name)
        try checkAudit(work, grants: grants, seen: seen, into: &report)
        let statusRun = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        report.statusExit = statusRun.status
        let deliveries = receiver.received.map(\.body)
        report.notifications = deliveries.count
        let places: [(String, String)] =
            logs.enumerated().map { ("controller log \($0.offset)", $0.element) }
            + [
                ("audit", (try? String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)) ?? ""),
                ("status files", try work.statusText()), ("status output", statusRun.stdout + statusRun.stderr),
            ] + deliveries.enumerated().map { ("notification \($0.offset)", $0.element) }
        report.secretHits = places.filter { $0.1.contains(Self.token) }.map(\.0)
        _ = await work.simulator.stop()
        return report
    }

    /// A third start at once, the rest within the fault phase; windows of 5-15 s (a few runs for the rest of the
    /// hour, to check nothing is lost); bob's raises his standing Query, which must come back.
    private func makeGrants(begin: Date, random: inout FaultDice) -> [Grant] {
        var pairs = Self.users.flatMap { user in Self.dataSources.map { (user, $0) } }
        pairs.shuffle(using: &random)
        var grants: [Grant] = []
        for (index, (user, source)) in pairs.prefix(settings.grants).enumerated() {
            let start: Date? =
                index % 3 == 0
                ? nil : begin.addingTimeInterval(Double.random(in: 2...(settings.faultSeconds * 0.8), using: &random))
            let long = index % 10 == 9
            let end =
                long
                ? begin.addingTimeInterval(3600)
                : (start ?? begin).addingTimeInterval(Double.random(in: 5...15, using: &random))
            grants.append(
                Grant(
                    name: "campaign-\(index)", login: user, dataSource: source,
                    level: ["Query", "Edit", "Admin"][Int.random(in: 0..<3, using: &random)], start: start, end: end))
        }
        grants.append(
            Grant(
                name: "campaign-bob", login: "bob", dataSource: ("loki-prod", "prod-logs"), level: "Edit",
                start: begin.addingTimeInterval(settings.faultSeconds / 3),
                end: begin.addingTimeInterval(settings.faultSeconds / 3 + 10)))
        return grants
    }

    /// Reads Grafana's state every 200 ms: sightings, lateness, leaks, standing access, access nobody asked for.
    private func observe(_ work: ControllerWorkspace, grants: [Grant], baseline: Set<String>, watch: Watch)
        async throws
    {
        let byAccess = Dictionary(uniqueKeysWithValues: grants.map { ($0.access, $0) })
        while !watch.isStopped {
            let access = try await work.access()
            let now = Date()
            watch.state.withLock { state in
                state.observations += 1
                for line in access {
                    if let grant = byAccess[line] {
                        state.firstSeen[grant.name] = state.firstSeen[grant.name] ?? now
                        let late = now.timeIntervalSince(grant.end)
                        if late > 0 { state.lateness[grant.name] = max(state.lateness[grant.name] ?? 0, late) }
                        if late > settings.allowedLateness { state.leaks.insert(grant.name) }
                    } else if !baseline.contains(line), !line.hasPrefix(Self.raisedStanding) {
                        state.unexpected.insert(line)
                    }
                }
                for line in baseline where !access.contains(line) {
                    let raised =
                        line.hasPrefix(Self.raisedStanding) && access.contains { $0.hasPrefix(Self.raisedStanding) }
                    if !raised { state.standingLost.insert(line) }
                }
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Every grant seen in Grafana has a successful grant event, and every one seen that has ended a successful
    /// revocation; every line of the trail parses.
    private func checkAudit(_ work: ControllerWorkspace, grants: [Grant], seen: Watch.State, into report: inout Report)
        throws
    {
        let text = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        var events: [[String: Any]] = []
        for line in text.split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                report.unreadableAuditLines += 1
                continue
            }
            events.append(object)
        }
        func has(_ kinds: Set<String>, for grant: Grant) -> Bool {
            events.contains { event in
                kinds.contains(event["event"] as? String ?? "") && event["outcome"] as? String == "success"
                    && (event["grant"] as? String ?? "").split(separator: ",").contains(Substring(grant.name))
            }
        }
        let now = Date()
        for grant in grants where seen.firstSeen[grant.name] != nil {
            if !has(["permission.granted", "permission.raised"], for: grant) {
                let trail = events.filter {
                    ($0["grant"] as? String ?? "").split(separator: ",").contains(Substring(grant.name))
                }
                .map { "\($0["event"] ?? "")/\($0["outcome"] ?? "")" }
                report.unaudited.append("\(grant.name) granted (trail: \(trail.joined(separator: " ")))")
            }
            if grant.end < now, !has(["permission.revoked", "permission.restored", "permission.lowered"], for: grant) {
                report.unaudited.append("\(grant.name) revoked")
            }
        }
    }
}
