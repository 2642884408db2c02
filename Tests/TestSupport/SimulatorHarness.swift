import Foundation
import GrafanaAPI
import GrafanaSimulator
import HTTPServer

/// An in-process simulator on a free loopback port, seeded from a fixture, for client and controller tests.
package final class SimulatorHarness: Sendable {
    package let grafana: SimulatedGrafana
    package let server: HTTPServer
    package var url: URL { URL(string: "http://127.0.0.1:\(server.port)")! }

    package static let controllerToken = "glsa_test_controller"
    package static let viewerToken = "glsa_test_viewer"

    package init(fixture: String = SimulatorHarness.fixture, faults: FaultPlan = FaultPlan()) throws {
        let grafana = try SimulatedGrafana(fixture: Array(fixture.utf8), path: "fixture.yaml", faults: faults)
        self.grafana = grafana
        server = try HTTPServer.start(host: "127.0.0.1", port: 0) { await grafana.handle($0) }
    }

    deinit {
        server.shutdown()
    }

    /// A client for this simulator, with the controller's token unless told otherwise.
    package func client(
        token: String = SimulatorHarness.controllerToken, orgID: Int? = nil,
        configure: (inout GrafanaConnection) -> Void = { _ in }
    ) -> HTTPGrafanaClient {
        var connection = GrafanaConnection(
            baseURL: url, credentials: .token(token), orgID: orgID, userAgent: "grafana-jit-tests/1.0")
        // Longer than the whole test process stalls early in a full run (8-10 s on a 2-core machine); only a
        // simulator that never answers waits that long.
        connection.timeout = .seconds(60)
        configure(&connection)
        return HTTPGrafanaClient(connection: connection)
    }

    /// A small Grafana: three users and three teams in org 1, one user and team in org 2, data sources, standing
    /// permissions, and tokens of each kind.
    package static func fixture(edition: String = "enterprise", version: String = "11.4.0") -> String {
        """
        edition: \(edition)
        version: \(version)
        orgs: [{id: 1, name: Main}, {id: 2, name: Other}]
        users:
          - {login: admin, email: admin@example.com, password: admin, isGrafanaAdmin: true, orgs: {1: Admin, 2: Admin}}
          - {login: alice, email: alice@example.com, password: alice-pw, orgs: {1: Viewer}}
          - {login: bob, email: Bob@Example.com, orgs: {1: Editor}}
          - {login: carol, email: carol@example.com, orgs: {1: Viewer}}
          - {login: olga, email: olga@other.example, orgs: {2: Viewer}}
        teams:
          - {name: sre, members: [{login: alice}, {login: carol, permission: Admin}]}
          - {name: incident-responders}
          - {name: dba, members: [{login: bob}]}
          - {name: other-team, org: 2}
        dataSources:
          - {uid: loki-prod, name: prod-logs, type: loki}
          - {uid: prom-prod, name: prod-metrics, type: prometheus}
          - {uid: pg-staging, name: staging db, type: postgres}
          - {uid: prom-other, name: other-metrics, type: prometheus, org: 2}
        folders:
          - {uid: prod, title: Production}
          - {uid: payments, title: Payments, parent: prod}
          - {uid: staging, title: Staging}
        permissions:
          - {folder: prod, builtInRole: Viewer, permission: View}
          - {dataSource: loki-prod, user: bob, permission: Edit}
          - {dataSource: loki-prod, team: dba, permission: Query}
          - {dataSource: prom-prod, builtInRole: Viewer, permission: Query}
        serviceAccounts:
          - {name: controller, role: Admin, tokens: [{name: t, key: \(controllerToken)}]}
          - {name: viewer, role: Viewer, tokens: [{name: t, key: \(viewerToken)}]}
          - {name: other, org: 2, role: Admin, tokens: [{name: t, key: glsa_test_other}]}
          - {name: reporting, role: Viewer}
          - name: old
            role: Admin
            tokens: [{name: e, key: glsa_test_expired, expired: true}, {name: r, key: glsa_test_revoked, revoked: true}]
        """
    }

    package static let fixture = fixture()
}
