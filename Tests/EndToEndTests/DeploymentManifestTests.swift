import Testing

/// The deployment files parse and hold together: Kubernetes manifests with their required fields, the kustomization's
/// files, probes and security context, alert rules and dashboard naming only metrics the controller exports, the
/// systemd unit's sections, and every flag and variable they hand the controller being one `run --help` lists
/// (deploy/check_manifests.py).
struct DeploymentManifestTests {
    @Test func everyManifestIsWellFormedAndConsistent() async throws {
        let run = try await BinaryRun.python(["deploy/check_manifests.py", "--binary", BinaryRun.executable])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("flags and variables known to grafana-jit run"), "\(run.stdout)")
    }

    /// Each alert stays quiet while healthy and fires only after its `for:` (grafana-jit-alerts.test.yaml).
    @Test func theAlertRulesPassPromtoolAndTheirUnitTests() async throws {
        guard let promtool = BinaryRun.promtool else { return }
        for arguments in [
            ["check", "rules", "deploy/prometheus/grafana-jit-alerts.yaml"],
            ["test", "rules", "deploy/prometheus/grafana-jit-alerts.test.yaml"],
        ] {
            let run = try await BinaryRun.run(promtool, arguments, in: BinaryRun.projectRoot)
            #expect(run.status == 0, "\(arguments): \(run.stdout)\(run.stderr)")
        }
    }
}
