import Foundation
import Testing

/// The real binary against the simulator: apply, converge, revoke, restore, resist drift and bad input.
struct ControllerEndToEndTests {
    /// Standing access in the example fixture, which the controller must never lose.
    static let standing = ["bob@loki-prod=Query", "dba@pg-staging=Edit", "Viewer@prom-staging=Query"]

    @Test func appliesGrantsAndASecondPassWritesNothing() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant(
            "alice-logs", access: "[{dataSource: prod-logs, permission: Query}, {team: incident-responders}]")
        let first = try await work.once()
        #expect(first.status == 0, "\(first.stderr)")
        let access = try await work.access()
        #expect(access.contains("alice@loki-prod=Query") && access.contains("alice@incident-responders=Member"))
        let writes = try await work.writes()
        #expect(writes == 2)
        let second = try await work.once()
        #expect(second.status == 0)
        #expect(try await work.writes() == writes)
        _ = await work.simulator.stop()
    }

    @Test func deletingTheFileRevokesAndRestoresThePreviousLevel() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("bob-admin", user: "bob@example.com", access: "[{dataSource: prod-logs, permission: Admin}]")
        _ = try await work.once()
        #expect(try await work.access().contains("bob@loki-prod=Admin"))
        try work.remove("bob-admin")
        let run = try await work.once()
        #expect(run.status == 0, "\(run.stderr)")
        let access = try await work.access()
        #expect(access.contains("bob@loki-prod=Query") && !access.contains("bob@loki-prod=Admin"))
        for entry in Self.standing { #expect(access.contains(entry)) }
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(
            audit.contains("\"event\":\"permission.restored\"")
                && audit.contains("\"event\":\"grant.revokedByDeletion\""))
        _ = await work.simulator.stop()
    }

    @Test func overlappingGrantsKeepAccessUntilTheLastEnds() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("one", access: "[{dataSource: prod-metrics, permission: Query}]")
        try work.grant("two", access: "[{dataSource: prod-metrics, permission: Query}]")
        _ = try await work.once()
        try work.remove("one")
        _ = try await work.once()
        #expect(try await work.access().contains("alice@prom-prod=Query"))
        try work.remove("two")
        _ = try await work.once()
        #expect(!(try await work.access().contains("alice@prom-prod=Query")))
        _ = await work.simulator.stop()
    }

    @Test func driftIsCorrectedOnTheNextPass() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Edit}]")
        _ = try await work.once()
        try await work.control(
            "POST", "/api/access-control/datasources/loki-prod/users/2", body: #"{"permission":""}"#,
            token: "glsa_simulator_controller_token")
        #expect(!(try await work.access().contains("alice@loki-prod=Edit")))
        _ = try await work.once()
        #expect(try await work.access().contains("alice@loki-prod=Edit"))
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("permission.driftCorrected"))
        _ = await work.simulator.stop()
    }

    @Test func aLoweringThatNeverLandsIsStillUndoneAtTheEnd() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("ivan-a", user: "ivan@example.com", access: "[{dataSource: staging-traces, permission: Query}]")
        try work.grant("ivan-b", user: "ivan@example.com", access: "[{dataSource: staging-traces, permission: Edit}]")
        _ = try await work.once()
        #expect(try await work.access().contains("ivan@tempo-staging=Edit"))
        try work.remove("ivan-b")
        try await work.control("PUT", "/__sim/faults", body: #"{"writeErrorRate":1}"#)
        let failing = try await work.once(["--write-deadline", "1s"])
        #expect(failing.status == 1)
        try await work.control("PUT", "/__sim/faults", body: "{}")
        try work.remove("ivan-a")
        let run = try await work.once()
        #expect(run.status == 0, "\(run.stderr)")
        let access = try await work.access()
        #expect(!access.contains { $0.hasPrefix("ivan@") }, "\(access)")
        _ = await work.simulator.stop()
    }

    @Test func credentialsInTheGrafanaURLAreNeverLogged() async throws {
        let work = try await ControllerWorkspace.start()
        let url = work.simulator.url.replacingOccurrences(of: "http://", with: "http://admin:s3cretpw@")
        let run = try await BinaryRun.grafanaJIT(
            ["run", "--once"] + work.sources() + ["--state", work.state, "--grafana-url", url],
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(run.stderr.contains("event=controller.started"))
        #expect(!run.stderr.contains("s3cretpw") && !run.stderr.contains("glsa_"))
        _ = await work.simulator.stop()
    }

    @Test func aScheduledStartIsDeniedWhenTheSubjectLeftTheEligibleTeam() async throws {
        let work = try await ControllerWorkspace.start(
            policy: """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessPolicy
                metadata: {name: sre-only}
                spec:
                  subjects: {teams: [sre]}
                  dataSources: [{name: "*"}]
                  permissions: [Query]
                  maxDuration: 1h
                """)
        let start = Date().addingTimeInterval(3)
        try work.directory.write(
            "repo/grants/scheduled.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: scheduled}
            spec:
              subject: {user: alice@example.com}
              access: [{dataSource: prod-logs, permission: Query}]
              startsAt: \(ControllerWorkspace.rfc3339(start.addingTimeInterval(1)))
              duration: 30m
              reason: maintenance window
            """)
        let pending = try await work.once()
        #expect(pending.status == 0)
        #expect(try await BinaryRun.grafanaJIT(["status", "--state", work.state]).stdout.contains("Pending"))
        // alice leaves sre before the start.
        try await work.control(
            "DELETE", "/api/teams/1/members/2", token: "glsa_simulator_controller_token")
        let wait = start.timeIntervalSinceNow + 1.2
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        _ = try await work.once()
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        #expect(
            status.stdout.contains("Denied") && status.stdout.contains("is not a subject of policy sre-only"),
            "\(status.stdout)")
        #expect(!(try await work.access().contains("alice@loki-prod=Query")))
        _ = await work.simulator.stop()
    }

    /// Edit on prod data sources only while on call in primary-sre.
    static let onCallOnly = """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessPolicy
        metadata: {name: on-call-only}
        spec:
          subjects: {users: ["*@example.com"]}
          dataSources: [{name: "prod-*"}]
          permissions: [Edit]
          maxDuration: 4h
          requireOnCall: {schedules: [primary-sre]}
        """

    @Test func onCallAccessEndsWhenTheShiftDoes() async throws {
        let work = try await ControllerWorkspace.start(policy: Self.onCallOnly)
        try work.grant("carol-fix", user: "carol@example.com", access: "[{dataSource: prod-logs, permission: Edit}]")
        try work.grant("dave-fix", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Edit}]")
        let daemon = try await ControllerProcess.start(
            work, extra: ["--oncall-url", work.simulator.url + "/oncall", "--resync", "1s"],
            environment: ["GRAFANA_ONCALL_TOKEN": "oncall_simulator_token"])
        #expect(try await work.eventually { try await work.access().contains("carol@loki-prod=Edit") })
        #expect(!(try await work.access().contains("dave@loki-prod=Edit")))
        try await work.control("PUT", "/__sim/oncall", body: #"{"schedule":"primary-sre","onCallNow":["dave"]}"#)
        #expect(
            try await work.eventually {
                let access = try await work.access()
                return access.contains("dave@loki-prod=Edit") && !access.contains("carol@loki-prod=Edit")
            })
        let (_, log) = await daemon.stop()
        #expect(!log.contains("oncall_simulator_token"))
        _ = await work.simulator.stop()
    }

    @Test func beingOnCallWaivesTheApproval() async throws {
        let work = try await ControllerWorkspace.start(
            policy: """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessPolicy
                metadata: {name: approved-or-on-call}
                spec:
                  subjects: {users: ["*@example.com"]}
                  dataSources: [{name: "prod-*"}]
                  permissions: [Edit]
                  maxDuration: 4h
                  approval: {required: true, approvers: {users: [bob@example.com]}}
                  autoApprove: {onCall: {schedules: [primary-sre]}}
                """)
        try work.grant("carol-fix", user: "carol@example.com", access: "[{dataSource: prod-logs, permission: Edit}]")
        try work.grant("dave-fix", user: "dave@example.com", access: "[{dataSource: prod-logs, permission: Edit}]")
        let tokenFile = try work.directory.write("oncall-token", "oncall_simulator_token")
        let result = try await work.once([
            "--oncall-url", work.simulator.url + "/oncall", "--oncall-token-file", tokenFile,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let access = try await work.access()
        #expect(access.contains("carol@loki-prod=Edit") && !access.contains("dave@loki-prod=Edit"), "\(access)")
        let status = try work.statusText()
        #expect(status.contains("approval"), "\(status)")
        _ = await work.simulator.stop()
    }

    @Test func aKnownShiftEndRevokesWithoutWaitingForTheResync() async throws {
        let work = try await ControllerWorkspace.start(policy: Self.onCallOnly)
        try await work.control(
            "PUT", "/__sim/oncall", body: #"{"schedule":"primary-sre","onCallNow":["carol"],"shiftEndsIn":8}"#)
        try work.grant("carol-fix", user: "carol@example.com", access: "[{dataSource: prod-logs, permission: Edit}]")
        let daemon = try await ControllerProcess.start(
            work, extra: ["--oncall-url", work.simulator.url + "/oncall", "--resync", "10m"],
            environment: ["GRAFANA_ONCALL_TOKEN": "oncall_simulator_token"])
        #expect(try await work.eventually { try await work.access().contains("carol@loki-prod=Edit") })
        #expect(try await work.eventually { try work.statusText().contains("on call until") })
        // The shift ends eight seconds in; the resync is ten minutes away.
        #expect(try await work.eventually(within: 20) { !(try await work.access().contains("carol@loki-prod=Edit")) })
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func activeHoursRevokeAtTheirEndAndRestoreAtTheirStart() async throws {
        // Hours that leave out exactly one UTC minute, at least twenty seconds ahead: access now, none in that
        // minute, back after it.
        let gapStart = Self.nextMinute(after: Date().addingTimeInterval(20))
        let gapEnd = gapStart.addingTimeInterval(60)
        let work = try await ControllerWorkspace.start(
            policy: """
                apiVersion: grafana-jit.io/v1alpha1
                kind: AccessPolicy
                metadata: {name: all-but-one-minute}
                spec:
                  subjects: {users: ["*@example.com"]}
                  dataSources: [{name: "prod-*"}]
                  permissions: [Query]
                  maxDuration: 1h
                  activeHours: {days: [Mon-Sun], from: "\(Self.utcClock(gapEnd))", to: "\(Self.utcClock(gapStart))", timeZone: UTC}
                """)
        try work.grant("hours", access: "[{dataSource: prod-logs, permission: Query}]", duration: "30m")
        let daemon = try await ControllerProcess.start(work, extra: ["--resync", "10m"])
        #expect(try await work.eventually { try await work.access().contains("alice@loki-prod=Query") })
        let untilGap = gapStart.timeIntervalSinceNow
        #expect(
            try await work.eventually(within: untilGap + 10) {
                !(try await work.access().contains("alice@loki-prod=Query"))
            })
        #expect(Date() >= gapStart)
        #expect(try await work.eventually { try work.statusText().contains("outside the active hours") })
        #expect(
            try await work.eventually(within: gapEnd.timeIntervalSinceNow + 10) {
                try await work.access().contains("alice@loki-prod=Query")
            })
        #expect(Date() >= gapEnd)
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    private static func nextMinute(after date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.up) * 60)
    }

    /// `HH:MM` in UTC.
    private static func utcClock(_ date: Date) -> String {
        let minutes = Int(date.timeIntervalSince1970 / 60) % (24 * 60)
        return String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    @Test func resolvingTheIncidentRevokesItsGrants() async throws {
        let work = try await ControllerWorkspace.start()
        try await work.control("PUT", "/__sim/incident", body: #"{"id":"4711","status":"active"}"#)
        try work.directory.write(
            "repo/grants/inc.yaml",
            """
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: inc-4711}
            spec:
              subject: {user: alice@example.com}
              access: [{dataSource: prod-traces, permission: Query}]
              duration: 4h
              incident: "4711"
              reason: INC-4711
            """)
        let daemon = try await ControllerProcess.start(
            work, extra: ["--incident-url", work.simulator.url + "/incident", "--resync", "1s"])
        #expect(try await work.eventually { try await work.access().contains("alice@tempo-prod=Query") })
        try await work.control("PUT", "/__sim/incident", body: #"{"id":"4711","status":"resolved"}"#)
        #expect(try await work.eventually { !(try await work.access().contains("alice@tempo-prod=Query")) })
        _ = await daemon.stop()
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        #expect(status.stdout.contains("incident 4711 is not active"), "\(status.stdout)")
        _ = await work.simulator.stop()
    }

    @Test func orgRolesAreRaisedAndRestoredExactly() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("dave-editor", user: "dave@example.com", access: "[{orgRole: Editor}]")
        try work.grant("bob-admin", user: "bob@example.com", access: "[{orgRole: Admin}]")
        try work.grant("oscar-viewer", user: "oscar@example.com", access: "[{orgRole: Viewer}]")
        _ = try await work.once()
        var roles = try await work.orgRoles()
        #expect(roles["dave"] == "Editor" && roles["bob"] == "Admin")
        #expect(roles["oscar"] == "Editor", "a role is never lowered by a grant")
        for name in ["dave-editor", "bob-admin", "oscar-viewer"] { try work.remove(name) }
        let run = try await work.once()
        #expect(run.status == 0, "\(run.stderr)")
        roles = try await work.orgRoles()
        #expect(roles["dave"] == "Viewer" && roles["bob"] == "Editor" && roles["oscar"] == "Editor")
        _ = await work.simulator.stop()
    }

    @Test func folderPermissionsAreGrantedAndRevokedLeavingOthersAlone() async throws {
        let work = try await ControllerWorkspace.start()
        let standing = try await work.access().filter { $0.contains("@folder:") }
        try work.grant("alice-prod", access: "[{folder: Production, permission: Edit}]")
        try work.grant("alice-payments", access: "[{folder: payments, permission: View}]")
        try work.grant("alice-nowhere", access: "[{folder: Marketing, permission: View}]")
        let first = try await work.once()
        #expect(first.stderr.contains("folder Marketing does not exist in Grafana"), "\(first.stderr)")
        var access = try await work.access()
        #expect(access.contains("alice@folder:prod-dashboards=Edit") && access.contains("alice@folder:payments=View"))
        for name in ["alice-prod", "alice-payments", "alice-nowhere"] { try work.remove(name) }
        let run = try await work.once()
        #expect(run.status == 0, "\(run.stderr)")
        access = try await work.access()
        #expect(access.filter { $0.contains("@folder:") } == standing)
        _ = await work.simulator.stop()
    }

    @Test func temporaryTokensExpireWithTheGrantAndAreDeletedAtTheEnd() async throws {
        let work = try await ControllerWorkspace.start()
        // Long enough for two passes on a loaded machine before it ends.
        let end = Date().addingTimeInterval(10).rounded
        try work.grant("ci-token", access: "[{serviceAccountToken: {serviceAccount: ci-dashboards}}]", expiresAt: end)
        let first = try await work.once()
        #expect(first.status == 0, "\(first.stderr)")
        let file = work.state + "/secrets/ci-token.token"
        let key = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let mode = try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int
        #expect(key.hasPrefix("glsa_") && mode == 0o600)
        #expect(try await work.control("GET", "/api/org/users/search", token: key)["totalCount"] as? Int != nil)
        var tokens = try await work.tokens(of: "ci-dashboards")
        #expect(tokens.count == 1 && abs((tokens.first ?? 0) - end.timeIntervalSince1970) <= 1.5, "\(tokens)")
        let again = try await work.once()
        #expect(try await work.tokens(of: "ci-dashboards") == tokens, "a second pass keeps the token")
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("token.created"))
        for text in [first.stderr, again.stderr, audit, try work.statusText()] { #expect(!text.contains(key)) }
        _ = try await work.eventually(within: 15) { Date() > end }
        let last = try await work.once()
        #expect(last.status == 0, "\(last.stderr)")
        tokens = try await work.tokens(of: "ci-dashboards")
        #expect(tokens.isEmpty && !FileManager.default.fileExists(atPath: file))
        _ = await work.simulator.stop()
    }

    @Test func severalGrafanasGetTheirOwnGrantsAndOneThatIsDownBlocksNothing() async throws {
        let work = try await ControllerWorkspace.start()
        let backup = try await SimulatorProcess.start()
        let token = try work.directory.write("token", "glsa_simulator_controller_token\n")
        let config = try work.directory.write(
            "config.yaml",
            """
            default: main
            instances:
              - {name: main, url: "\(work.simulator.url)", tokenFile: \(token)}
              - {name: backup, url: "\(backup.url)", tokenFile: \(token), orgs: [1]}
            """)
        let arguments = [
            "run", "--once", "--grants", work.grants, "--policies", work.grants + "/policies", "--state", work.state,
            "--config", config, "--write-deadline",
            "2s",
        ]
        try work.grant("alice-main", access: "[{dataSource: prod-logs, permission: Query}]")
        try work.grant(
            "alice-backup", access: "[{dataSource: prod-metrics, permission: Query}]", extra: "grafana: backup")
        try work.grant("alice-nowhere", access: "[{dataSource: prod-traces, permission: Query}]", extra: "grafana: qa")
        let first = try await BinaryRun.grafanaJIT(arguments)
        let backupLines = first.stderr.split(separator: "\n").filter { $0.contains("grafana=backup") }
        #expect(!backupLines.isEmpty && backupLines.allSatisfy { $0.contains("org=1") }, "\(first.stderr)")
        #expect(try await work.access().contains("alice@loki-prod=Query"))
        #expect(try await !work.access().contains("alice@prom-prod=Query"))
        #expect(try await work.access(in: backup).contains("alice@prom-prod=Query"))
        #expect(try await !work.access(in: backup).contains("alice@loki-prod=Query"))
        _ = await backup.stop()
        try work.remove("alice-main")
        let second = try await BinaryRun.grafanaJIT(arguments)
        #expect(second.status == 1, "the pass for the Grafana that is down fails")
        #expect(try await !work.access().contains("alice@loki-prod=Query"), "the other Grafana still converges")
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        let events = audit.split(separator: "\n")
        #expect(events.contains { $0.contains(#""grafana":"main""#) })
        #expect(events.contains { $0.contains(#""grafana":"backup""#) && $0.contains(#""org":1"#) })
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        #expect(status.stdout.contains("backup/1/alice-backup"), "\(status.stdout)")
        #expect(status.stdout.contains("no Grafana instance named qa is configured"), "\(status.stdout)")
        _ = await work.simulator.stop()
    }

    @Test func aConfigurationMistakeNamesTheFileLineAndField() async throws {
        let work = try await ControllerWorkspace.start()
        let config = try work.directory.write(
            "config.yaml", "instances:\n  - name: main\n    url: ftp://grafana\n    tokenFile: /nonexistent\n")
        let run = try await BinaryRun.grafanaJIT(
            ["run", "--once"] + work.sources() + ["--state", work.state, "--config", config])
        #expect(run.status == 2)
        #expect(
            run.stderr.contains("config.yaml:4:16: instances[0].tokenFile: cannot read /nonexistent"), "\(run.stderr)")
        // A Grafana named beside the file, here by its environment variable, is refused rather than ignored.
        let both = try await BinaryRun.grafanaJIT(
            ["plan"] + work.sources() + ["--state", work.state, "--config", config],
            environment: ["GRAFANA_URL": work.simulator.url])
        #expect(both.status == 2)
        #expect(both.stderr.contains("--grafana-url (or GRAFANA_URL) cannot be used with --config"), "\(both.stderr)")
        _ = await work.simulator.stop()
    }

    @Test func aDeniedGrantMakesNoWrite() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("too-long", access: "[{dataSource: prod-logs, permission: Query}]", duration: "2d")
        try work.grant(
            "outsider", user: "partner@partner.example", access: "[{dataSource: prod-logs, permission: Query}]")
        let run = try await work.once()
        #expect(run.status == 1, "a grant that cannot be applied is a failure of --once")
        #expect(try await work.writes() == 0)
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        #expect(status.stdout.contains("Denied") && status.stdout.contains("exceeds maxDuration 1d"))
        #expect(status.stdout.contains("Failed") && status.stdout.contains("does not exist in Grafana"))
        _ = await work.simulator.stop()
    }

    @Test func aBrokenFileKeepsItsLastValidContentAndOthersStillWork() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice-logs", access: "[{dataSource: prod-logs, permission: Query}]")
        _ = try await work.once()
        try work.directory.write("repo/grants/alice-logs.yaml", "apiVersion: [broken")
        try work.grant(
            "dave-metrics", user: "dave@example.com", access: "[{dataSource: prod-metrics, permission: Query}]")
        try work.grant("never-valid", access: "[{dataSource: prod-logs, permission: Read}]")
        let run = try await work.once()
        #expect(run.stderr.contains("its last valid content stays in force"))
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        #expect(status.stdout.contains("never-valid") && status.stdout.contains("Invalid"), "\(status.stdout)")
        let access = try await work.access()
        #expect(access.contains("alice@loki-prod=Query") && access.contains("dave@prom-prod=Query"))
        _ = await work.simulator.stop()
    }

    @Test func anExpiryThatPassedWhileStoppedIsRevokedOnRestart() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("short", access: "[{dataSource: prod-traces, permission: Query}]", duration: "1s")
        _ = try await work.once()
        #expect(try await work.access().contains("alice@tempo-prod=Query"))
        try await Task.sleep(for: .milliseconds(1_100))
        let run = try await work.once()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!(try await work.access().contains("alice@tempo-prod=Query")))
        _ = await work.simulator.stop()
    }

    @Test func theDaemonRevokesOnTimeWithoutBeingWoken() async throws {
        let work = try await ControllerWorkspace.start()
        // Five seconds, so that a loaded machine's slow polls still see the access while it lasts.
        try work.grant("short", access: "[{dataSource: prod-traces, permission: Query}]", duration: "5s")
        let daemon = try await ControllerProcess.start(work)
        #expect(try await work.eventually(within: 30) { try await work.access().contains("alice@tempo-prod=Query") })
        let granted = Date()
        #expect(try await work.eventually(within: 30) { !(try await work.access().contains("alice@tempo-prod=Query")) })
        // The expiry timer, not the 60 s resync: a bound far from both, since CI machines are noisy.
        #expect(Date().timeIntervalSince(granted) < 30)
        let (status, log) = await daemon.stop()
        #expect(status == 0, "\(log)")
        #expect(log.contains("event=controller.stopped"))
        _ = await work.simulator.stop()
    }

    @Test(arguments: [false, true])
    func theDaemonPicksUpANewFileWithinSeconds(polling: Bool) async throws {
        let work = try await ControllerWorkspace.start()
        let daemon = try await ControllerProcess.start(work, extra: polling ? ["--poll"] : [])
        try await Task.sleep(for: .milliseconds(300))
        try work.grant("late", user: "erin@example.com", access: "[{team: db-oncall}]")
        // Well before the 60 s resync, with room for a loaded machine.
        #expect(try await work.eventually(within: 20) { try await work.access().contains("erin@db-oncall=Member") })
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func faultyGrafanaStillConverges() async throws {
        let work = try await ControllerWorkspace.start()
        for index in 0..<6 {
            try work.grant(
                "g\(index)", user: ["alice", "dave", "erin"][index % 3] + "@example.com",
                access: "[{dataSource: \(["prod-logs", "prod-metrics"][index % 2]), permission: Query}]")
        }
        try await work.control(
            "PUT", "/__sim/faults", body: #"{"errorRate":0.3,"rateLimitBurst":3,"retryAfterSeconds":0,"seed":7}"#)
        var converged = false
        for _ in 0..<10 where !converged {
            converged = try await work.once().status == 0
        }
        #expect(converged)
        try await work.control("PUT", "/__sim/faults", body: "{}")
        let access = try await work.access()
        for expected in ["alice@loki-prod=Query", "dave@prom-prod=Query", "erin@loki-prod=Query"] {
            #expect(access.contains(expected))
        }
        _ = await work.simulator.stop()
    }
}

/// Crashes, link swaps and provenance: the controller's promises when things go wrong around it.
struct ControllerResilienceTests {
    @Test func killedAtRandomMomentsAndRestartedLeavesNothingBehind() async throws {
        let work = try await ControllerWorkspace.start()
        let fixture = try await work.access()
        // Half the grants end at a fixed instant a few seconds away, whenever the controller first sees them.
        let end = Date().addingTimeInterval(5).rounded
        for index in 0..<8 {
            try work.grant(
                "g\(index)", user: ["alice", "dave", "erin", "frank"][index % 4] + "@example.com",
                access: "[{dataSource: \(["prod-logs", "prod-metrics", "prod-traces"][index % 3]), permission: Edit}]",
                duration: "1h", expiresAt: index < 4 ? end : nil)
        }
        try await work.control("PUT", "/__sim/faults", body: #"{"latencyMilliseconds":15}"#)
        var random = SystemRandomNumberGenerator()
        for round in 0..<4 {
            let daemon = try await ControllerProcess.start(work)
            if round == 0 {
                // The first daemon gets to apply something, so the later kills land on real state.
                _ = try await work.eventually { try await work.access().contains { $0.hasPrefix("alice@") } }
            }
            try await Task.sleep(for: .milliseconds(Int.random(in: 50...600, using: &random)))
            await daemon.kill()
            if round == 1 { for index in 4..<6 { try work.remove("g\(index)") } }
        }
        try await work.control("PUT", "/__sim/faults", body: "{}")
        let wait = end.timeIntervalSinceNow + 0.2
        if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
        let final = try await work.once()
        #expect(final.status == 0, "\(final.stderr)")
        let access = try await work.access()
        // Only the two hour-long grants still in place hold access; everything else is back to the fixture.
        let granted = access.filter { !fixture.contains($0) }
        let ledger = (try? String(contentsOfFile: work.state + "/ledger.journal", encoding: .utf8)) ?? ""
        #expect(
            granted.sorted() == ["erin@loki-prod=Edit", "frank@prom-prod=Edit"], "\(access)\n\(final.stderr)\n\(ledger)"
        )
        for entry in ControllerEndToEndTests.standing { #expect(access.contains(entry)) }
        _ = await work.simulator.stop()
    }

    @Test func aControllerStoppedAsItStartsShutsDownCleanly() async throws {
        // The fault campaign once stopped a controller it had just restarted; `stop()` waits for the start line,
        // since a SIGTERM in the first milliseconds after exec lands before any handler can exist.
        let work = try await ControllerWorkspace.start()
        try work.grant("alice", access: "[{team: dba}]")
        for _ in 0..<3 {
            let (status, log) = try await ControllerProcess.start(work).stop()
            #expect(status == 0, "\(log)")
            #expect(log.contains("controller.stopped"), "\(log)")
        }
        _ = await work.simulator.stop()
    }

    @Test func aSecondControllerOnTheSameStateIsRefusedButPlanStillWorks() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice", access: "[{team: dba}]")
        let daemon = try await ControllerProcess.start(work)
        #expect(try await work.eventually { try await work.access().contains("alice@dba=Member") })
        let second = try await work.once()
        #expect(second.status == 2 && second.stderr.contains("one controller per state folder"))
        let plan = try await BinaryRun.grafanaJIT(
            ["plan"] + work.arguments, environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(plan.status == 0 && plan.stdout.contains("no changes"), "\(plan.stdout)\(plan.stderr)")
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func aMissingGrantsFolderRevokesNothing() async throws {
        let work = try await ControllerWorkspace.start()
        try work.grant("alice", access: "[{dataSource: prod-metrics, permission: Query}]")
        _ = try await work.once()
        try FileManager.default.moveItem(atPath: work.grants, toPath: work.grants + "-away")
        let run = try await work.once()
        #expect(run.status == 1)
        #expect(run.stderr.contains("does not exist; nothing is changed until it does"))
        #expect(try await work.access().contains("alice@prom-prod=Query"))
        _ = await work.simulator.stop()
    }

    @Test func aGitSyncLinkSwapIsFollowed() async throws {
        let work = try await ControllerWorkspace.start()
        try work.directory.write("sync/rev-1/policies/policy.yaml", ControllerWorkspace.openPolicy)
        try work.directory.write("sync/rev-1/grant.yaml", Self.grant(team: "db-oncall"))
        try work.directory.link("sync/current", to: work.directory.path + "/sync/rev-1")
        let daemon = try await ControllerProcess.start(
            work, grants: work.directory.path + "/sync/current")
        #expect(try await work.eventually { try await work.access().contains("erin@db-oncall=Member") })
        try work.directory.write("sync/rev-2/policies/policy.yaml", ControllerWorkspace.openPolicy)
        try work.directory.write("sync/rev-2/grant.yaml", Self.grant(team: "incident-responders"))
        try work.directory.link("sync/next", to: work.directory.path + "/sync/rev-2")
        try FileManager.default.removeItem(atPath: work.directory.path + "/sync/current")
        try FileManager.default.moveItem(
            atPath: work.directory.path + "/sync/next", toPath: work.directory.path + "/sync/current")
        #expect(
            try await work.eventually {
                let access = try await work.access()
                return access.contains("erin@incident-responders=Member") && !access.contains("erin@db-oncall=Member")
            })
        _ = await daemon.stop()
        _ = await work.simulator.stop()
    }

    @Test func auditEventsCarryTheCommit() async throws {
        let work = try await ControllerWorkspace.start()
        try work.directory.write("repo/.git/HEAD", "ref: refs/heads/main\n")
        try work.directory.write("repo/.git/refs/heads/main", GitCheckoutHash.value + "\n")
        try work.grant("alice", access: "[{team: sre-leads}]")
        _ = try await work.once()
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(audit.split(separator: "\n").allSatisfy { $0.contains("\"commit\":\"\(GitCheckoutHash.value)\"") })
        _ = await work.simulator.stop()
    }

    @Test func auditAndStatusCarryThePullRequestOfARealCheckout() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/git") else { return }
        let work = try await ControllerWorkspace.start()
        try work.grant("alice", access: "[{team: sre-leads}]")
        for arguments in [
            ["init", "-q", "-b", "main"], ["add", "."],
            [
                "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m",
                "Merge pull request #42 from team/alice-access\n\nalice joins sre-leads",
            ],
        ] {
            // Waited for off the concurrency pool, like every child the tests start.
            let git = try await BinaryRun.run("/usr/bin/git", ["-C", work.grants] + arguments, in: work.grants)
            try #require(git.status == 0, "\(git.stderr)")
        }
        _ = try await work.once()
        let audit = try String(contentsOfFile: work.state + "/audit.jsonl", encoding: .utf8)
        #expect(audit.split(separator: "\n").allSatisfy { $0.contains("\"pullRequest\":42") }, "\(audit)")
        let status = try await BinaryRun.grafanaJIT(["status", "--state", work.state])
        #expect(status.stdout.contains("COMMIT") && status.stdout.contains("(#42)"), "\(status.stdout)")
        _ = await work.simulator.stop()
    }

    static func grant(team: String) -> String {
        """
        apiVersion: grafana-jit.io/v1alpha1
        kind: AccessGrant
        metadata: {name: erin-sync}
        spec:
          subject: {user: erin@example.com}
          access: [{team: \(team)}]
          duration: 1h
          reason: git-sync test
        """
    }
}

enum GitCheckoutHash {
    static let value = "89abcdef0123456789abcdef0123456789abcdef"
}

extension Date {
    /// Whole seconds, as RFC 3339 timestamps in grant files carry them.
    fileprivate var rounded: Date { Date(timeIntervalSince1970: timeIntervalSince1970.rounded(.up)) }
}
