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
                    "on_call_now": schedule.onCall(at: Date()).map { "U\($0)" }, "shifts": [String](),
                ]
            }
            return page(schedules, size: 50)
        case ("GET", let path) where path.hasPrefix("/oncall/api/v1/schedules/") && path.hasSuffix("/final_shifts"):
            let id = path.dropFirst("/oncall/api/v1/schedules/".count).dropLast("/final_shifts".count)
            guard let schedule = model.schedules.first(where: { $0.id == id }) else {
                return .json(404, object: ["detail": "Not found."])
            }
            return finalShifts(of: schedule)
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

    /// The schedule's one shift, for each of its users, where it overlaps the requested UTC dates; a shift
    /// without an end runs to the end of the range. The error text for missing or malformed dates is not
    /// confirmed from OnCall's source.
    private func finalShifts(of schedule: GrafanaModel.Schedule) -> HTTPResponse {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        guard let first = request.query["start_date"].flatMap(formatter.date(from:)),
            let last = request.query["end_date"].flatMap(formatter.date(from:))
        else { return .json(400, object: ["detail": "start_date and end_date are required as YYYY-MM-DD"]) }
        let rangeEnd = last.addingTimeInterval(86_400)
        let shiftEnd = schedule.shiftEnd ?? rangeEnd
        guard schedule.shiftStart < rangeEnd, shiftEnd > first else { return page([], size: 50) }
        let stamp = ISO8601DateFormatter()
        let shifts = schedule.users.compactMap { id in model.users.first { $0.id == id } }.map {
            user -> [String: Any] in
            [
                "user_pk": "U\(user.id)", "user_email": user.email, "user_username": user.login,
                "shift_start": stamp.string(from: schedule.shiftStart), "shift_end": stamp.string(from: shiftEnd),
            ]
        }
        return page(shifts, size: 50)
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
