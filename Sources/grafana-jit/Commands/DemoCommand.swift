import Controller
import Foundation
import GrafanaAPI
import GrafanaSimulator
import HTTPServer

/// `grafana-jit demo`: the controller against the built-in simulator with the example grants, on a fresh
/// machine, in about a minute: grants applied, one short grant expiring and revoked, then a clean exit.
struct DemoCommand: Command {
    static let name = "demo"
    static let abstract = "Run the controller against the built-in Grafana simulator with the example grants."
    static let usage = "[--examples DIR] [--short-grant DURATION] [--keep]"
    static let summary = """
        Starts the simulator (EXAMPLES/grafana-fixture.yaml) on a free port, copies the example grants, policies and \
        bundles to a temporary folder with one extra short grant, runs the controller until that grant has expired \
        and been revoked, prints the status before and after and the audit trail, removes the temporary folder \
        (unless --keep) and exits 0.
        """
    static let options: [OptionSpec] = [
        .value("examples", "DIR", environment: "GRAFANA_JIT_EXAMPLES", help: "The examples folder (default examples)."),
        .value(
            "short-grant", "DURATION", environment: "GRAFANA_JIT_SHORT_GRANT",
            help: "The short grant's length (default 20s)."),
        .flag(
            "keep", environment: "GRAFANA_JIT_KEEP",
            help: "Keep the temporary folder (grants, state, audit) at the end."),
    ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let examples = arguments.value("examples") ?? "examples"
        let shortText = arguments.value("short-grant") ?? "20s"
        guard let short = Duration(text: shortText), short <= .seconds(600) else {
            throw UsageError.invalidValue(option: "short-grant", value: shortText, expected: "a duration up to 10m")
        }
        guard let fixture = FileManager.default.contents(atPath: examples + "/grafana-fixture.yaml") else {
            console.writeError(
                "grafana-jit: error: cannot read \(examples)/grafana-fixture.yaml (run from the project folder or pass --examples)\n"
            )
            return .usage
        }
        let grafana = try SimulatedGrafana(fixture: Array(fixture), path: examples + "/grafana-fixture.yaml")
        let server = try HTTPServer.start(host: "127.0.0.1", port: 0) { await grafana.handle($0) }
        defer { server.shutdown() }
        let work = NSTemporaryDirectory() + "grafana-jit-demo-" + UUID().uuidString
        let keep = arguments.flag("keep")
        defer {
            // A temporary folder left behind is harmless; failing the demo for it would not be.
            if !keep { try? FileManager.default.removeItem(atPath: work) }
        }
        try Self.prepare(repository: work + "/repo", from: examples, shortGrant: shortText)
        console.write(
            "Grafana simulator at http://127.0.0.1:\(server.port); temporary folder \(work) (grants in repo/, state "
                + "in state/; \(keep ? "kept at the end" : "removed at the end, --keep keeps it"))\n\n")
        let clock = SystemClock()
        let logger = Logger(clock: clock) { console.writeError($0) }
        guard let url = URL(string: "http://127.0.0.1:\(server.port)") else { return .usage }
        let client = HTTPGrafanaClient(
            connection: GrafanaConnection(
                baseURL: url, credentials: .token("glsa_simulator_controller_token"),
                userAgent: "grafana-jit/\(GrafanaJIT.version)"))
        let fileSystem = LocalFileSystem()
        let reconciler = Reconciler(
            configuration: ReconcilerConfiguration(
                sources: ResourceSources(
                    grants: [work + "/repo/grants"], policies: [work + "/repo/policies", work + "/repo/bundles"]),
                stateDirectory: work + "/state"),
            grafana: client, fileSystem: fileSystem, clock: clock, logger: logger)
        try await reconciler.start()
        let loop = ControllerLoop(
            reconciler: reconciler, changes: ChangeDetectors.make(paths: [work + "/repo"], polling: false),
            clock: clock,
            logger: logger)
        let store = StatusStore(stateDirectory: work + "/state", fileSystem: fileSystem)
        async let running: Void = loop.run()
        try await Self.wait(seconds: 3) { await store.load()["demo-short-lived"]?.phase == .active }
        console.write(
            "After the first pass:\n" + StatusCommand.table(Self.sorted(await store.load()), now: clock.now()) + "\n")
        let deadline = short.timeInterval + 10
        try await Self.wait(seconds: deadline) { await store.load()["demo-short-lived"]?.phase == .expired }
        await loop.requestStop()
        await running
        console.write(
            "After the short grant's end:\n" + StatusCommand.table(Self.sorted(await store.load()), now: clock.now())
                + "\n")
        // The demo has already shown the outcome; a missing audit file just shows no events.
        let audit = (try? String(contentsOfFile: work + "/state/audit.jsonl", encoding: .utf8)) ?? ""
        console.write("Audit trail (\(work)/state/audit.jsonl), last events:\n")
        console.write(audit.split(separator: "\n").suffix(4).joined(separator: "\n") + "\n")
        console.write(keep ? "Kept \(work)\n" : "Removed \(work)\n")
        return .success
    }

    private static func sorted(_ statuses: [String: GrantStatus]) -> [GrantStatus] {
        statuses.values.sorted { $0.name < $1.name }
    }

    /// Polls `condition` every 200 ms for up to `seconds`.
    private static func wait(seconds: TimeInterval, _ condition: () async -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !(await condition()) { try await Task.sleep(for: .milliseconds(200)) }
    }

    /// Copies files' contents only: `FileManager.copyItem` also copies their owner, which fails (EPERM) for a user
    /// running the demo from a checkout someone else owns.
    private static func copyContents(of source: String, to destination: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: destination, withIntermediateDirectories: true)
        for name in try manager.contentsOfDirectory(atPath: source) {
            let from = source + "/" + name
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: from, isDirectory: &isFolder) else { continue }
            if isFolder.boolValue {
                try copyContents(of: from, to: destination + "/" + name)
            } else {
                try Data(contentsOf: URL(fileURLWithPath: from)).write(
                    to: URL(fileURLWithPath: destination + "/" + name))
            }
        }
    }

    /// The examples' policies, bundles and grants, plus a grant that ends after `shortGrant`.
    private static func prepare(repository: String, from examples: String, shortGrant: String) throws {
        let manager = FileManager.default
        try manager.createDirectory(atPath: repository, withIntermediateDirectories: true)
        for folder in ["policies", "bundles", "grants"] {
            try copyContents(of: examples + "/" + folder, to: repository + "/" + folder)
        }
        try Data(
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata:
              name: demo-short-lived
            spec:
              subject: {user: alice@example.com}
              access:
                - dataSource: prod-traces
                  permission: Query
              duration: \(shortGrant)
              reason: "demo: a grant that ends while you watch"
              approvedBy: [bob@example.com]
              policy: prod-datasources

            """.utf8
        ).write(to: URL(fileURLWithPath: repository + "/grants/demo-short-lived.yaml"))
    }
}
