import Foundation
import HTTPClient

/// Whether Grafana Incidents are active (grafana-api.md §14).
package protocol IncidentAPI: Sendable {
    /// Incident id → active; an incident Grafana does not know is not active.
    func activity(of incidents: [String]) async throws(GrafanaAPIError) -> [String: Bool]
}

/// Grafana Incident's JSON-RPC-style API: `POST {url}/api/v1/IncidentsService.GetIncident` with
/// `{"incidentID": ...}` and a service-account token as `Bearer`; active means `status == "active"`.
package actor HTTPIncidentClient: IncidentAPI {
    private let baseURL: URL
    private let token: String
    private let session: ServiceSession

    package init(
        baseURL: URL, token: String, userAgent: String, timeout: Duration = .seconds(10),
        tls: TLSSettings = TLSSettings()
    ) {
        self.baseURL = baseURL
        self.token = token
        session = ServiceSession(service: "Incident", userAgent: userAgent, timeout: timeout, tls: tls)
    }

    package func activity(of incidents: [String]) async throws(GrafanaAPIError) -> [String: Bool] {
        var activity: [String: Bool] = [:]
        for id in incidents { activity[id] = try await isActive(id) }
        return activity
    }

    private func isActive(_ id: String) async throws(GrafanaAPIError) -> Bool {
        let path = "/api/v1/IncidentsService.GetIncident"
        let request = GrafanaRequest("POST", path)
        // A dictionary of one string always serialises.
        let body = (try? JSONSerialization.data(withJSONObject: ["incidentID": id])).map(Array.init)
        let data: Data
        do {
            data = try await session.send(
                "POST", baseURL.appendingPathComponent("api/v1/IncidentsService.GetIncident"),
                headers: [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")], body: body,
                as: request)
        } catch .notFound {
            return false
        }
        let incident = try ServiceSession.object(data, from: request)["incident"] as? [String: Any]
        return incident?["status"] as? String == "active"
    }
}
