import Foundation
import HTTPServer

/// The test-only surface under `/__sim`, outside Grafana's paths: neither logged nor counted nor faulted.
extension SimulatedGrafana {
    func control(_ request: HTTPRequest) -> HTTPResponse {
        switch (request.method, request.path) {
        case ("GET", "/__sim/state"): return .json(200, object: stateDump())
        case ("POST", "/__sim/reset"):
            reset()
            return .json(200, object: ["message": "reset"])
        case ("GET", "/__sim/faults"): return encode(faults)
        case ("PUT", "/__sim/faults"):
            // A body that does not decode is answered, not thrown: the control surface reports its own errors.
            guard let plan = try? JSONDecoder().decode(FaultPlan.self, from: Data(request.body)) else {
                return .json(400, object: ["message": "expected a fault plan as JSON"])
            }
            if let problem = plan.problem { return .json(400, object: ["message": problem]) }
            setFaults(plan)
            return encode(plan)
        case ("GET", "/__sim/requests"): return encode(requestLog)
        case ("DELETE", "/__sim/requests"):
            clearLog()
            return .json(200, object: ["message": "cleared"])
        case ("GET", "/__sim/stats"): return encode(statistics)
        case ("PUT", "/__sim/oncall"): return setOnCall(request)
        case ("PUT", "/__sim/incident"): return setIncident(request)
        default: return .json(404, object: ["message": "unknown simulator control \(request.method) \(request.path)"])
        }
    }

    /// `{"schedule": "primary-sre", "onCallNow": ["alice"], "shiftEndsIn": 30}`: who is on call from now on,
    /// and optionally for how many seconds (without it, until changed).
    private func setOnCall(_ request: HTTPRequest) -> HTTPResponse {
        // A body that does not decode is answered, not thrown.
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            let name = body["schedule"] as? String, let logins = body["onCallNow"] as? [String]
        else {
            return .json(
                400,
                object: ["message": "expected {\"schedule\": name, \"onCallNow\": [logins], \"shiftEndsIn\": seconds}"])
        }
        // Whole seconds, as OnCall writes shift bounds: the end it reports is the end it applies.
        let shiftEnd = (body["shiftEndsIn"] as? Double).map {
            Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + $0).rounded(.up))
        }
        return updateModel { model in
            let ids = logins.compactMap { model.user(loginOrEmail: $0)?.id }
            guard ids.count == logins.count, let index = model.schedules.firstIndex(where: { $0.name == name }) else {
                return .json(404, object: ["message": "unknown schedule or user"])
            }
            model.schedules[index].users = ids
            model.schedules[index].shiftStart = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
            model.schedules[index].shiftEnd = shiftEnd
            return .json(200, object: ["message": "on call now: \(logins.joined(separator: ", "))"])
        }
    }

    /// `{"id": "4711", "status": "resolved"}`: an incident opens, changes or resolves.
    private func setIncident(_ request: HTTPRequest) -> HTTPResponse {
        // A body that does not decode is answered, not thrown.
        guard let body = (try? JSONSerialization.jsonObject(with: Data(request.body))) as? [String: Any],
            let id = body["id"] as? String, let status = body["status"] as? String
        else { return .json(400, object: ["message": "expected {\"id\": id, \"status\": active|resolved}"]) }
        return updateModel { model in
            model.incidents[id] = status
            return .json(200, object: ["message": "incident \(id) is \(status)"])
        }
    }

    private func encode(_ value: some Encodable) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Reported to the caller as a 500, like any server-side failure.
        guard let data = try? encoder.encode(value) else { return .json(500, object: ["message": "encoding failed"]) }
        return HTTPResponse(status: 200, headers: [("Content-Type", "application/json")], body: Array(data))
    }

    /// Users, teams with members, data sources, folders, managed permissions and service-account tokens (never their
    /// keys), by name as well as id.
    private func stateDump() -> [String: Any] {
        let model = self.model
        func login(_ id: Int) -> String { model.user(id: id)?.login ?? "#\(id)" }
        return [
            "edition": model.edition.rawValue, "version": model.version,
            "users": model.users.map { user -> [String: Any] in
                [
                    "id": user.id, "uid": user.uid, "login": user.login, "email": user.email,
                    "orgRoles": Dictionary(
                        uniqueKeysWithValues: user.orgRoles.map { (String($0.key), $0.value.rawValue) }),
                ]
            },
            "teams": model.teams.map { team in
                [
                    "id": team.id, "uid": team.uid, "orgId": team.orgID, "name": team.name,
                    "members": team.members.keys.sorted().map { id in
                        ["userId": id, "login": login(id), "permission": team.members[id] == 4 ? "Admin" : "Member"]
                    },
                ] as [String: Any]
            },
            "dataSources": model.dataSources.map {
                ["id": $0.id, "uid": $0.uid, "orgId": $0.orgID, "name": $0.name, "type": $0.type]
            },
            "serviceAccounts": model.serviceAccounts.map { account -> [String: Any] in
                [
                    "id": account.id, "name": account.name, "orgId": account.orgID, "role": account.role.rawValue,
                    "tokens": account.tokens.map { token -> [String: Any] in
                        [
                            "id": token.id, "name": token.name,
                            "expiresAt": token.expiresAt.map { $0.timeIntervalSince1970 } ?? NSNull(),
                        ]
                    },
                ]
            },
            "folders": model.folders.map { ["id": $0.id, "uid": $0.uid, "orgId": $0.orgID, "title": $0.title] },
            "permissions": model.permissions.map { permission -> [String: Any] in
                var entry: [String: Any] = [
                    permission.resource.kind == "folders" ? "folder" : "dataSource": permission.resource.uid,
                    "orgId": permission.orgID, "permission": permission.level,
                ]
                switch permission.principal {
                case .user(let id): entry["user"] = login(id)
                case .team(let id): entry["team"] = model.teams.first { $0.id == id }?.name ?? "#\(id)"
                case .builtInRole(let role): entry["builtInRole"] = role
                }
                return entry
            },
        ]
    }
}

/// Counters tests and benchmarks read: Grafana requests by kind, and the most ever in flight at once.
package struct SimulatorStatistics: Codable, Sendable, Equatable {
    package var requests: Int
    package var reads: Int
    package var writes: Int
    package var inFlight: Int
    package var maxInFlight: Int
}
