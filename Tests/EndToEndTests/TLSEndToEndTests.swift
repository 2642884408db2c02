import Foundation
import HTTPClient
import TestSupport
import Testing

/// TLS as operators meet it: a private CA, a certificate for another name or an expired one, mutual TLS, and a
/// test server without verification; each failure says what failed, for which host.
struct TLSEndToEndTests {
    private func get(port: Int, tls: TLSSettings) async throws(HTTPClientError) -> HTTPClientResponse {
        var settings = HTTPClient.Settings()
        settings.tls = tls
        let client = HTTPClient(settings: settings)
        defer { client.shutdown() }
        return try await client.send(HTTPClientRequest(method: "GET", url: "https://127.0.0.1:\(port)/api/health"))
    }

    private func error(port: Int, tls: TLSSettings) async -> HTTPClientError? {
        do throws(HTTPClientError) {
            _ = try await get(port: port, tls: tls)
            return nil
        } catch {
            return error
        }
    }

    @Test func aPrivateCAIsTrustedOnlyWhenGiven() async throws {
        let certificates = try await TLSServerProcess.certificates()
        let server = try await TLSServerProcess.start(certificate: "server", in: certificates)
        #expect(
            await error(port: server.port, tls: TLSSettings())
                == .certificate(host: "127.0.0.1", problem: .unknownAuthority))
        var tls = TLSSettings()
        tls.caFile = certificates.path + "/ca.pem"
        #expect(try await get(port: server.port, tls: tls).status == 200)
        tls.caFileOnly = true
        #expect(try await get(port: server.port, tls: tls).status == 200)
        await server.stop()
    }

    @Test(arguments: [
        ("wrong-name", HTTPClientError.CertificateProblem.nameMismatch), ("expired", .expired),
        ("untrusted", .unknownAuthority),
    ])
    func eachCertificateProblemSaysWhat(certificate: String, problem: HTTPClientError.CertificateProblem) async throws {
        let certificates = try await TLSServerProcess.certificates()
        let server = try await TLSServerProcess.start(certificate: certificate, in: certificates)
        var tls = TLSSettings()
        tls.caFile = certificates.path + "/ca.pem"
        let failure = await error(port: server.port, tls: tls)
        #expect(failure == .certificate(host: "127.0.0.1", problem: problem), "\(String(describing: failure))")
        #expect(failure?.isTransient == false)
        await server.stop()
    }

    @Test func mutualTLSNeedsTheClientCertificate() async throws {
        let certificates = try await TLSServerProcess.certificates()
        let server = try await TLSServerProcess.start(
            certificate: "server", in: certificates, extra: ["--client-ca", certificates.path + "/ca.pem"])
        var tls = TLSSettings()
        tls.caFile = certificates.path + "/ca.pem"
        let refused = await error(port: server.port, tls: tls)
        guard case .certificate(_, .handshake)? = refused else {
            Issue.record("not refused as a handshake failure: \(String(describing: refused))")
            return
        }
        tls.clientCertificate = certificates.path + "/client.pem"
        tls.clientKey = certificates.path + "/client.key"
        #expect(try await get(port: server.port, tls: tls).status == 200)
        await server.stop()
    }

    @Test func skippingVerificationConnectsAnyway() async throws {
        let certificates = try await TLSServerProcess.certificates()
        let server = try await TLSServerProcess.start(certificate: "untrusted", in: certificates)
        var tls = TLSSettings()
        tls.skipsVerification = true
        #expect(try await get(port: server.port, tls: tls).status == 200)
        await server.stop()
    }

    /// The controller against the simulator behind a TLS proxy whose certificate a private CA signed: refused
    /// without `--ca-file`, applied with it; `--insecure-skip-verify` works and warns on every pass.
    @Test func theControllerReachesGrafanaBehindAPrivateCA() async throws {
        let certificates = try await TLSServerProcess.certificates()
        let work = try await ControllerWorkspace.start()
        let upstream = try #require(work.simulator.url.split(separator: "/").last)
        let proxy = try await TLSServerProcess.start(
            certificate: "server", in: certificates, extra: ["--upstream", String(upstream)])
        try work.grant("alice", access: "[{team: sre-leads}]")
        let url = "https://127.0.0.1:\(proxy.port)"
        let environment = ["GRAFANA_TOKEN": "glsa_simulator_controller_token"]
        let base = ["run", "--once"] + work.sources() + ["--state", work.state, "--grafana-url", url]
        let refused = try await BinaryRun.grafanaJIT(base, environment: environment)
        #expect(refused.status != 0)
        #expect(
            refused.stderr.contains("signed by an unknown authority (pass --ca-file with its CA)"), "\(refused.stderr)")
        #expect(!(try await work.access()).contains("alice@sre-leads=Member"))
        let trusted = try await BinaryRun.grafanaJIT(
            base + ["--ca-file", certificates.path + "/ca.pem"], environment: environment)
        #expect(trusted.status == 0, "\(trusted.stderr)")
        #expect(try await work.access().contains("alice@sre-leads=Member"))
        let insecure = try await BinaryRun.grafanaJIT(base + ["--insecure-skip-verify"], environment: environment)
        #expect(insecure.stderr.components(separatedBy: "event=tls.unverified").count >= 3, "\(insecure.stderr)")
        let both = try await BinaryRun.grafanaJIT(
            base + ["--insecure-skip-verify", "--ca-file", certificates.path + "/ca.pem"], environment: environment)
        #expect(both.status == 2 && both.stderr.contains("cannot be used with --ca-file"), "\(both.stderr)")
        await proxy.stop()
        _ = await work.simulator.stop()
    }
}
