import Foundation
import HTTPServer
import Synchronization

/// An in-memory Grafana: answers the API as Grafana does, injects faults, and exposes a test-only control
/// surface under `/__sim` (state, reset, faults, request log, counters). Tests assert on its state.
package final class SimulatedGrafana: Sendable {
    /// One logged Grafana request.
    package struct LoggedRequest: Codable, Sendable, Equatable {
        package var method: String
        package var path: String
        package var status: Int
        package var userAgent: String
    }

    private struct State {
        var model: GrafanaModel
        var faults = FaultPlan()
        var dice = FaultDice(state: 1)
        var downUntil: ContinuousClock.Instant?
        var log: [LoggedRequest] = []
        var reads = 0
        var writes = 0
        var inFlight = 0
        var maxInFlight = 0
    }

    private let initial: GrafanaModel
    private let state: Mutex<State>

    init(model: GrafanaModel, faults: FaultPlan = FaultPlan()) {
        initial = model
        state = Mutex(State(model: model))
        setFaults(faults)
    }

    /// Loads a fixture file's bytes (`examples/grafana-fixture.yaml` is one).
    package convenience init(fixture bytes: [UInt8], path: String, faults: FaultPlan = FaultPlan()) throws(FixtureError)
    {
        self.init(model: try FixtureLoader.model(from: bytes, path: path), faults: faults)
    }

    package func setFaults(_ plan: FaultPlan) {
        state.withLock { state in
            state.faults = plan
            state.dice = FaultDice(state: plan.seed)
            state.downUntil = plan.downForSeconds > 0 ? .now + .milliseconds(Int(plan.downForSeconds * 1000)) : nil
        }
    }

    package func handle(_ request: HTTPRequest) async -> HTTPResponse {
        if request.path.hasPrefix("/__sim/") { return control(request) }
        let (fault, latency, losesAnswer) = state.withLock { state in
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            let writeFault =
                request.method != "GET" && state.faults.writeErrorRate > 0
                && state.dice.roll() < state.faults.writeErrorRate
            let pathFault = state.faults.failingPaths.first { request.path.hasPrefix($0.key) }.map {
                Self.answer(status: $0.value, majorVersion: state.model.majorVersion)
            }
            let fault =
                writeFault
                ? GrafanaResponses.injectedServerError(majorVersion: state.model.majorVersion)
                : pathFault ?? Self.fault(for: &state)
            let losesAnswer =
                request.method != "GET" && state.faults.lostAnswerRate > 0
                && state.dice.roll() < state.faults.lostAnswerRate
            return (fault, state.faults.latencyMilliseconds, losesAnswer)
        }
        if latency > 0 {
            // Cancellation only comes with shutdown, when the answer no longer matters.
            try? await Task.sleep(for: .milliseconds(latency))
        }
        return state.withLock { state in
            state.inFlight -= 1
            let answer = fault ?? Self.answer(request, model: &state.model)
            let response = state.model.majorVersion >= 12 ? GrafanaResponses.withoutTraceID(answer) : answer
            state.log.append(
                LoggedRequest(
                    method: request.method, path: request.path, status: response.status,
                    userAgent: request.header("User-Agent") ?? ""))
            if request.method == "GET" { state.reads += 1 } else { state.writes += 1 }
            return losesAnswer && fault == nil ? .dropConnection : response
        }
    }

    var model: GrafanaModel { state.withLock { $0.model } }

    func updateModel(_ change: (inout GrafanaModel) -> HTTPResponse) -> HTTPResponse {
        state.withLock { change(&$0.model) }
    }
    var faults: FaultPlan { state.withLock { $0.faults } }
    package var requestLog: [LoggedRequest] { state.withLock { $0.log } }

    package var statistics: SimulatorStatistics {
        state.withLock {
            SimulatorStatistics(
                requests: $0.log.count, reads: $0.reads, writes: $0.writes, inFlight: $0.inFlight,
                maxInFlight: $0.maxInFlight)
        }
    }

    /// Which of `wanted` (each `login@uid`, a user's managed data-source permission) are held now: what a benchmark
    /// polls every 10 ms, without a JSON round trip and building nothing for the thousands of other permissions
    /// (building them all took CPU from the controller it measures).
    package func userDataSourcePermissions(among wanted: Set<String>) -> Set<String> {
        let model = self.model
        let logins = Set(wanted.compactMap { $0.split(separator: "@").first.map(String.init) })
        var ids: [Int: String] = [:]
        for user in model.users where logins.contains(user.login) { ids[user.id] = user.login }
        var result = Set<String>()
        for permission in model.permissions where permission.resource.kind == "datasources" {
            guard case .user(let id) = permission.principal, let login = ids[id] else { continue }
            let key = login + "@" + permission.resource.uid
            if wanted.contains(key) { result.insert(key) }
        }
        return result
    }

    /// Back to the fixture, with no faults, log or counts.
    package func reset() {
        state.withLock { $0 = State(model: initial) }
    }

    package func clearLog() {
        state.withLock { state in
            state.log = []
            (state.reads, state.writes, state.maxInFlight) = (0, 0, state.inFlight)
        }
    }

    /// A failing path's answer, shaped as Grafana's: RBAC's 403, the router's 404, an internal error.
    private static func answer(status: Int, majorVersion: Int) -> HTTPResponse {
        switch status {
        case 403:
            GrafanaResponses.message(
                403,
                "You'll need additional permissions to perform this action. Permissions needed: "
                    + "datasources.permissions:read")
        case 404: GrafanaResponses.notFound
        default: GrafanaResponses.injectedServerError(majorVersion: majorVersion)
        }
    }

    /// The injected answer for this request, if the dice say so.
    private static func fault(for state: inout State) -> HTTPResponse? {
        if let until = state.downUntil {
            if ContinuousClock.now < until { return .dropConnection }
            state.downUntil = nil
        }
        if state.faults.dropRate > 0, state.dice.roll() < state.faults.dropRate { return .dropConnection }
        if state.faults.rateLimitBurst > 0 {
            state.faults.rateLimitBurst -= 1
            return GrafanaResponses.structured(429, id: "api.tooManyRequests", "Too Many Requests").adding(
                header: ("Retry-After", String(state.faults.retryAfterSeconds)))
        }
        guard state.faults.errorRate > 0, state.dice.roll() < state.faults.errorRate,
            let status = state.faults.errorStatuses.randomElement(using: &state.dice)
        else { return nil }
        return status == 500
            ? GrafanaResponses.injectedServerError(majorVersion: state.model.majorVersion)
            : .text(
                status,
                "<html><body><h1>\(status) \(status == 502 ? "Bad Gateway" : "Service Unavailable")</h1></body></html>")
    }

    /// Grafana Incident's `IncidentsService.GetIncident` (grafana-api.md §14), with a service-account token.
    /// The not-found answer's status and text are unconfirmed; 404 with an `error` body is chosen.
    private static func incident(_ request: HTTPRequest, model: GrafanaModel) -> HTTPResponse {
        let key = request.header("Authorization").map { String($0.dropFirst("Bearer ".count)) }
        let valid = model.serviceAccounts.contains { account in
            account.tokens.contains { $0.key == key && !$0.isExpired && !$0.isRevoked }
        }
        guard valid else { return .json(401, object: ["error": "invalid token"]) }
        guard request.method == "POST", request.path == "/incident/api/v1/IncidentsService.GetIncident" else {
            return .json(404, object: ["error": "not found"])
        }
        // A body that does not decode is answered, not thrown.
        let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any]
        guard let id = body?["incidentID"] as? String else {
            return .json(400, object: ["error": "incidentID is required"])
        }
        guard let status = model.incidents[id] else { return .json(404, object: ["error": "incident not found"]) }
        return .json(200, object: ["incident": ["incidentID": id, "title": "Incident \(id)", "status": status]])
    }

    /// Health needs no credentials; everything else under `/api` authenticates first.
    private static func answer(_ request: HTTPRequest, model: inout GrafanaModel) -> HTTPResponse {
        if request.path.hasPrefix("/oncall/") {
            return OnCallRouter(model: model, request: request).route()
        }
        if request.path.hasPrefix("/incident/") {
            return incident(request, model: model)
        }
        if request.method == "GET", request.path == "/api/health" {
            return .json(200, object: ["commit": "simulator", "database": "ok", "version": model.version])
        }
        let caller: Caller
        switch Caller.authenticate(request, in: model) {
        case .success(let authenticated): caller = authenticated
        case .failure(let rejection): return rejection.response
        }
        if request.method == "GET", request.path == "/api/frontend/settings" {
            return .json(
                200,
                object: [
                    "buildInfo": ["version": model.version, "commit": "simulator", "edition": model.edition.rawValue]
                ])
        }
        // Swapped in and out rather than copied: a copy per request would make every write O(size of Grafana).
        var router = GrafanaRouter(model: GrafanaModel(), caller: caller, request: request)
        swap(&router.model, &model)
        let response = router.route()
        swap(&router.model, &model)
        return response
    }
}

extension HTTPResponse {
    func adding(header: (String, String)) -> HTTPResponse {
        var copy = self
        copy.headers.append(header)
        return copy
    }
}
