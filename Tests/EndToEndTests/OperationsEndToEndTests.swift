import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// `run --listen`: metrics in the Prometheus text format, liveness and readiness, read from the real binary.
struct OperationsEndToEndTests {
    @Test func metricsAndHealthAfterAScriptedRun() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("long", access: "[{dataSource: prod-logs, permission: Query}]")
        try work.grant(
            "short", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Query}]",
            expiresAt: Date().addingTimeInterval(8))
        let daemon = try await ControllerProcess.start(work, extra: ["--listen", "127.0.0.1:0", "--resync", "10m"])
        let base = try await Self.address(of: daemon)
        #expect(try await Self.get(base + "/healthz").status == 200)
        #expect(try await work.eventually { try await Self.get(base + "/readyz").status == 200 })
        #expect(
            try await work.eventually(within: 30) {
                let access = try await work.access()
                return access.contains("alice@loki-prod=Query") && !access.contains("dave@loki-prod=Query")
            })
        // The revocation is confirmed before its pass records the lateness and phases: poll the exposition.
        var samples: [String: Double] = [:]
        _ = try await work.eventually {
            samples = try Self.parse(try await Self.get(base + "/metrics").body)
            return samples["grafana_jit_expiry_lateness_seconds_count"] == 1
                && samples[#"grafana_jit_grants{grafana="default",org="",phase="Expired"}"#] == 1
        }
        let text = try await Self.get(base + "/metrics").body
        samples = try Self.parse(text)
        #expect(samples[#"grafana_jit_grants{grafana="default",org="",phase="Active"}"#] == 1)
        #expect(samples[#"grafana_jit_grants{grafana="default",org="",phase="Expired"}"#] == 1)
        #expect(samples[#"grafana_jit_permission_changes_total{kind="grant",outcome="success"}"#] == 2)
        #expect(samples[#"grafana_jit_permission_changes_total{kind="revoke",outcome="success"}"#] == 1)
        #expect(samples["grafana_jit_expiry_lateness_seconds_count"] == 1)
        // Revoked by the expiry timer, not the 10-minute resync (a loose bound: CI machines are noisy).
        #expect((samples["grafana_jit_expiry_lateness_seconds_sum"] ?? 999) < 30)
        #expect(samples[#"grafana_jit_overdue_revocations{grafana="default",org=""}"#] == 0)
        #expect(samples[#"grafana_jit_grafana_up{grafana="default",org=""}"#] == 1)
        #expect(samples[#"grafana_jit_ledger_entries{grafana="default",org=""}"#] ?? 0 >= 1)
        #expect(samples[#"grafana_jit_last_successful_pass_timestamp_seconds{grafana="default",org=""}"#] ?? 0 > 0)
        #expect(samples[#"controller_runtime_reconcile_total{controller="accessgrant",result="success"}"#] ?? 0 >= 2)
        #expect(samples[#"controller_runtime_reconcile_time_seconds_count{controller="accessgrant"}"#] ?? 0 >= 2)
        #expect(samples[#"workqueue_adds_total{name="permissions"}"#] ?? 0 >= 2)
        #expect(samples[#"workqueue_depth{name="permissions"}"#] == 0)
        #expect(samples[#"workqueue_work_duration_seconds_count{name="permissions"}"#] ?? 0 >= 2)
        #expect(samples[#"grafana_jit_grafana_requests_total{method="GET",code="200"}"#] ?? 0 > 0)
        #expect(samples["grafana_jit_inotify_overflows_total"] == 0)
        // Discovery ran at start: bob's Query on loki-prod and team dba's Edit on pg-staging are standing.
        let standing = #"grafana_jit_standing_access_entries{grafana="default",org="",resource_kind="datasource","#
        #expect(samples[standing + #"resource="loki-prod"}"#] == 1)
        #expect(samples[standing + #"resource="pg-staging"}"#] == 1)
        // No user names as labels.
        #expect(!text.contains("alice") && !text.contains("dave"))
        try await Self.promtoolAccepts(text)
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func discoverMarksGrantedBuiltInAndStandingAccess() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        #expect(try await work.once().status == 0)
        let skeletons = work.directory.path + "/skeletons"
        let run = try await BinaryRun.grafanaJIT(
            ["discover", "--output", "json", "--as-grants", skeletons] + work.arguments,
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let entries = (report["entries"] as? [[String: Any]] ?? []).map { entry in
            "\(entry["resource"]!) \(entry["principal"]!) \(entry["level"]!) \(entry["source"]!)"
                + ((entry["grants"] as? [String]).map { " " + $0.joined(separator: ",") } ?? "")
        }
        #expect(entries.contains("loki-prod alice Query granted alice-logs"), "\(entries)")
        #expect(entries.contains("loki-prod bob Query standing"))
        #expect(entries.contains("pg-staging dba Edit standing"))
        #expect(entries.contains("prom-staging Viewer Query built-in"))
        // One skeleton per standing entry; those for users are valid grants under the workspace's policy (which
        // has no team subjects).
        let files = try FileManager.default.contentsOfDirectory(atPath: skeletons).sorted()
        #expect(
            files.contains("standing-datasource-loki-prod-bob.yaml")
                && files.contains("standing-datasource-pg-staging-dba.yaml")
                && files.contains("standing-team-sre-alice.yaml"), "\(files)")
        // Named as the policies match them, so validate decides them now rather than at run time.
        let skeleton = try String(
            contentsOfFile: skeletons + "/standing-datasource-loki-prod-bob.yaml", encoding: .utf8)
        #expect(skeleton.contains(#"dataSource: "name:prod-logs""#), "\(skeleton)")
        let validate = try await BinaryRun.grafanaJIT(
            [
                "validate", "--grants", skeletons + "/standing-datasource-loki-prod-bob.yaml",
                "--grants", skeletons + "/standing-team-sre-alice.yaml", "--policies", work.grants + "/policies",
            ])
        #expect(validate.status == 0, "\(validate.stdout)")
        #expect(validate.stdout.contains("(2 allowed, 0 denied, 0 decided at run time)"), "\(validate.stdout)")
        let yaml = try await BinaryRun.grafanaJIT(
            ["discover", "--output", "yaml"] + work.arguments,
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(
            yaml.stdout.contains("- email: \"bob@example.com\"") || yaml.stdout.contains("email: \"bob@example.com\""))
        #expect(yaml.stdout.hasPrefix("entries:\n"), "\(yaml.stdout.prefix(200))")
        _ = await work.simulator.stop()
    }

    /// The policy field and the flag together: `plan` lists the removals, `run` makes them, discover then finds no
    /// standing access on the opted-in data sources (and still finds it elsewhere).
    @Test func enforcingZeroStandingRemovesStandingAccessOnOptedInDataSourcesOnly() async throws {
        let policy = ControllerWorkspace.openPolicy.replacingOccurrences(
            of: "dataSources: [{name: \"*\"}]", with: "dataSources: [{name: \"prod-*\"}]")
        let work = try await ControllerWorkspace.start(policy: policy + "\n  standingAccess: revoke")
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        let environment = ["GRAFANA_TOKEN": "glsa_simulator_controller_token"]
        #expect(try await work.once().status == 0)
        #expect(try await work.access().contains("bob@loki-prod=Query"), "the policy field alone removes nothing")
        let plan = try await BinaryRun.grafanaJIT(
            ["plan", "--enforce-zero-standing"] + work.arguments, environment: environment)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(
            plan.stdout.contains(
                "standing access (no grant gave it; --enforce-zero-standing removes it):\n"
                    + "  remove-standing bob prod-logs: Query -> none"), "\(plan.stdout)")
        #expect(try await work.access().contains("bob@loki-prod=Query"), "plan writes nothing")
        #expect(try await work.once(["--enforce-zero-standing"]).status == 0)
        let access = try await work.access()
        #expect(!access.contains("bob@loki-prod=Query") && access.contains("alice@loki-prod=Query"))
        #expect(access.contains("dba@pg-staging=Edit") && access.contains("Viewer@prom-staging=Query"))
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("\"event\":\"permission.standingRemoved\"") && audit.contains("\"subject\":\"bob\""))
        _ = await work.simulator.stop()
    }

    @Test func notReadyWhileGrafanaCannotBeReached() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("long", access: "[{dataSource: prod-logs, permission: Query}]")
        _ = await work.simulator.stop()
        let daemon = try await ControllerProcess.start(
            work, extra: ["--listen", "127.0.0.1:0", "--write-deadline", "2s"])
        let base = try await Self.address(of: daemon)
        #expect(try await Self.get(base + "/healthz").status == 200)
        let ready = try await Self.get(base + "/readyz")
        #expect(ready.status == 503 && ready.body.contains("default"), "\(ready.body)")
        #expect(try await Self.get(base + "/nothing").status == 404)
        _ = await daemon.stop()
    }

    /// The address the daemon logged, polled with a deadline.
    /// `localhost` and IPv6 (`[::1]`) listen addresses work; a name that is no address is refused before anything
    /// starts.
    @Test(arguments: ["[::1]:0", "localhost:0"])
    func theListenerTakesLocalhostAndIPv6(address: String) async throws {
        let work = try await ControllerWorkspace.start()
        let daemon = try await ControllerProcess.start(work, extra: ["--listen", address, "--resync", "10m"])
        let base = try await Self.address(of: daemon)
        // FoundationNetworking cannot parse a bracketed IPv6 URL; Python's client can.
        let get = try await BinaryRun.python([
            "-c", "import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1]).status)", base + "/healthz",
        ])
        #expect(get.stdout == "200\n", "\(base): \(get.stderr)")
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func anInvalidListenAddressIsRefusedBeforeAnyStartLine() async throws {
        let work = try await ControllerWorkspace.start()
        let run = try await BinaryRun.grafanaJIT(
            ["run", "--once", "--listen", "grafana.example:9464"] + work.arguments,
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(run.status == 2)
        #expect(!run.stderr.contains("event="), "\(run.stderr)")
        #expect(run.stderr.contains("is not valid for --listen"), "\(run.stderr)")
        _ = await work.simulator.stop()
    }

    static func address(of daemon: ControllerProcess) async throws -> String {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            if let line = daemon.log.split(separator: "\n").first(where: { $0.contains("event=metrics.listening") }),
                let field = line.split(separator: " ").first(where: { $0.hasPrefix("address=") })
            {
                return String(field.dropFirst("address=".count))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        Issue.record("no metrics.listening line in: \(daemon.log)")
        throw CancellationError()
    }

    static func get(_ url: String) async throws -> (status: Int, body: String) {
        let (data, response) = try await URLSession.shared.data(from: try #require(URL(string: url)))
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    struct MalformedExposition: Error, CustomStringConvertible {
        var description: String
    }

    /// Samples by `name{labels}`, after checking the text format: one HELP and TYPE per family, before its
    /// samples; histogram buckets cumulative and ending in `+Inf` equal to `_count`.
    static func parse(_ text: String) throws -> [String: Double] {
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        var helps: Set<String> = []
        var lastBucket: [String: Double] = [:]
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ", maxSplits: 3).map(String.init)
            if line.hasPrefix("# HELP ") {
                guard helps.insert(words[2]).inserted else {
                    throw MalformedExposition(description: "two HELP: \(line)")
                }
                continue
            }
            if line.hasPrefix("# TYPE ") {
                guard types[words[2]] == nil, ["counter", "gauge", "histogram"].contains(words[3]) else {
                    throw MalformedExposition(description: "bad TYPE: \(line)")
                }
                types[words[2]] = words[3]
                continue
            }
            guard let space = line.lastIndex(of: " "),
                let value = Double(line[line.index(after: space)...])
                    ?? (line.hasSuffix("+Inf") ? .infinity : nil)
            else { throw MalformedExposition(description: "bad sample: \(line)") }
            let series = String(line[..<space])
            let name = String(series.prefix { $0 != "{" })
            let family = ["_bucket", "_sum", "_count"].reduce(name) { name, suffix in
                types[name] == nil && name.hasSuffix(suffix) ? String(name.dropLast(suffix.count)) : name
            }
            guard types[family] != nil, helps.contains(family) else {
                throw MalformedExposition(description: "sample before its HELP and TYPE: \(line)")
            }
            if name.hasSuffix("_bucket") {
                let key = series.replacingOccurrences(of: #",?le="[^"]*""#, with: "", options: .regularExpression)
                guard value >= lastBucket[key, default: 0] else {
                    throw MalformedExposition(description: "buckets not cumulative: \(line)")
                }
                lastBucket[key] = value
            }
            samples[series] = value
        }
        for (key, infinity) in lastBucket {
            let count = key.replacingOccurrences(of: "_bucket", with: "_count").replacingOccurrences(of: "{}", with: "")
            guard samples[count] == infinity else {
                throw MalformedExposition(description: "+Inf bucket \(infinity) is not \(count)")
            }
        }
        return samples
    }

    /// Prometheus' own checker, where Debian's `promtool` is (`.ci/ensure-deps --test` installs it).
    static func promtoolAccepts(_ text: String) async throws {
        guard let promtool = BinaryRun.promtool else { return }
        let folder = try TemporaryDirectory()
        let exposition = try folder.write("metrics.txt", text)
        // `check metrics` reads standard input only.
        let run = try await BinaryRun.run(
            "/bin/sh", ["-c", "\"$0\" check metrics < \"$1\"", promtool, exposition], in: folder.path)
        #expect(run.status == 0, "promtool: \(run.stdout)\(run.stderr)")
    }
}
