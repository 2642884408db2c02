import Foundation
import HTTPServer

/// Grafana OnCall's public API under `/oncall/api/v1/` (grafana-api.md §13): raw-token auth, DRF error bodies
/// (`{"detail": ...}`), page-number paging with trailing-slash paths.
struct OnCallRouter {
    let model: GrafanaModel
    let request: HTTPRequest

    func route() -> HTTPResponse {
        guard let token = model.onCallToken, request.header("Authorization") == token else {
            // Whether OnCall answers 401 or 403 here is unconfirmed (grafana-api.md §18); 401 is chosen.
            return .json(401, object: ["detail": "Invalid token."])
        }
        switch (request.method, request.path) {
        case ("GET", "/oncall/api/v1/schedules/"):
            let named = request.query["name"]
            let schedules = model.schedules.filter { named == nil || $0.name == named }.map {
                schedule -> [String: Any] in
                [
                    "id": schedule.id, "name": schedule.name, "type": "web", "team_id": NSNull(), "time_zone": "UTC",
                    "on_call_now": schedule.onCallNow.map { "U\($0)" }, "shifts": [String](),
                ]
            }
            return page(schedules, size: 50)
        case ("GET", "/oncall/api/v1/users/"):
            let users = model.users.map { user -> [String: Any] in
                [
                    "id": "U\(user.id)", "grafana_id": user.id, "email": user.email, "username": user.login,
                    "role": "user", "timezone": NSNull(), "teams": [String](),
                ]
            }
            return page(users, size: 100)
        default:
            return .json(404, object: ["detail": "Not found."])
        }
    }

    private func page(_ results: [[String: Any]], size: Int) -> HTTPResponse {
        let requested = max(1, Int(request.query["page"] ?? "") ?? 1)
        let totalPages = max(1, (results.count + size - 1) / size)
        let slice = Array(results.dropFirst((requested - 1) * size).prefix(size))
        let next: Any = requested < totalPages ? "\(request.path)?page=\(requested + 1)" : NSNull()
        let previous: Any = requested > 1 ? "\(request.path)?page=\(requested - 1)" : NSNull()
        return .json(
            200,
            object: [
                "count": results.count, "next": next, "previous": previous, "results": slice, "page_size": size,
                "current_page_number": requested, "total_pages": totalPages,
            ])
    }
}
