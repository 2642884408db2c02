import Foundation
import HTTPClient

/// Who is on call, from the Grafana OnCall / IRM public API (grafana-api.md §13).
package protocol OnCallAPI: Sendable {
    /// For each schedule named, who is on call at `now` and until when; a schedule that does not exist is an
    /// error (a typo must not silently deny or allow).
    func roster(schedules: [String], at now: Date) async throws(GrafanaAPIError) -> OnCallRoster
}

/// Who is on call in each schedule, by lowercased email and username, and when their current shift ends.
package struct OnCallRoster: Sendable, Equatable {
    /// Schedule → the identities on call now.
    package var onCall: [String: Set<String>] = [:]
    /// Schedule → identity → the end of the shift that covers now, where the schedule's final shifts say.
    package var shiftEnds: [String: [String: Date]] = [:]

    package init(onCall: [String: Set<String>] = [:], shiftEnds: [String: [String: Date]] = [:]) {
        self.onCall = onCall
        self.shiftEnds = shiftEnds
    }

    /// The earliest end of a current shift in the roster: the answer is stale from then on.
    package var earliestShiftEnd: Date? {
        shiftEnds.values.flatMap(\.values).min()
    }
}

/// OnCall over HTTP: `{url}/api/v1/...` with trailing slashes, the raw token in `Authorization` (no `Bearer`),
/// page-number paging through `next`.
package actor HTTPOnCallClient: OnCallAPI {
    private let baseURL: URL
    private let token: String
    private let session: ServiceSession

    package init(
        baseURL: URL, token: String, userAgent: String, timeout: Duration = .seconds(10),
        tls: TLSSettings = TLSSettings()
    ) {
        self.baseURL = baseURL
        self.token = token
        session = ServiceSession(service: "OnCall", userAgent: userAgent, timeout: timeout, tls: tls)
    }

    package func roster(schedules: [String], at now: Date) async throws(GrafanaAPIError) -> OnCallRoster {
        var ids: [String: [String]] = [:]
        var scheduleIDs: [String: String] = [:]
        for name in schedules {
            let found = try await pages("/api/v1/schedules/", query: [("name", name)])
            guard let schedule = found.first(where: { $0["name"] as? String == name }) else {
                throw .notFound(
                    GrafanaRequest("GET", "/api/v1/schedules/"), message: "no OnCall schedule named \(name)")
            }
            ids[name] = schedule["on_call_now"] as? [String] ?? []
            scheduleIDs[name] = schedule["id"] as? String
        }
        var roster = OnCallRoster(onCall: ids.mapValues { _ in [] })
        guard ids.values.contains(where: { !$0.isEmpty }) else { return roster }
        var identities: [String: Set<String>] = [:]
        for user in try await pages("/api/v1/users/", query: []) {
            guard let id = user["id"] as? String else { continue }
            identities[id] = Set(
                [user["email"] as? String, user["username"] as? String].compactMap { $0?.lowercased() })
        }
        roster.onCall = ids.mapValues { $0.reduce(into: Set<String>()) { $0.formUnion(identities[$1] ?? []) } }
        for (name, members) in ids where !members.isEmpty {
            guard let id = scheduleIDs[name] else { continue }
            roster.shiftEnds[name] = try await currentShiftEnds(schedule: id, at: now)
        }
        return roster
    }

    /// Identity → end of the final shift covering `now`, from the schedule's final shifts for yesterday to
    /// tomorrow (UTC dates), so a shift that started before midnight is seen.
    private func currentShiftEnds(schedule id: String, at now: Date) async throws(GrafanaAPIError) -> [String: Date] {
        let day: TimeInterval = 86_400
        let shifts = try await pages(
            "/api/v1/schedules/\(id)/final_shifts",
            query: [
                ("start_date", Self.utcDate(now.addingTimeInterval(-day))),
                ("end_date", Self.utcDate(now.addingTimeInterval(day))),
            ])
        var ends: [String: Date] = [:]
        for shift in shifts {
            guard let start = (shift["shift_start"] as? String).flatMap(Self.timestamp),
                let end = (shift["shift_end"] as? String).flatMap(Self.timestamp), start <= now, now < end
            else { continue }
            for identity in [shift["user_email"] as? String, shift["user_username"] as? String].compactMap({ $0 }) {
                ends[identity.lowercased()] = max(ends[identity.lowercased()] ?? end, end)
            }
        }
        return ends
    }

    private static func utcDate(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.string(from: date)
    }

    /// OnCall writes shift bounds as ISO 8601 in UTC, with or without fractional seconds.
    private static func timestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions.insert(.withFractionalSeconds)
        return formatter.date(from: text)
    }

    /// Every result of a paged listing, following `next` until it is null.
    private func pages(_ path: String, query: [(String, String)]) async throws(GrafanaAPIError) -> [[String: Any]] {
        var results: [[String: Any]] = []
        var page = 1
        while true {
            let body = try await get(path, query: query + [("page", String(page))])
            let object = try ServiceSession.object(body, from: GrafanaRequest("GET", path))
            results += object["results"] as? [[String: Any]] ?? []
            guard object["next"] is String, page < 1_000 else { return results }
            page += 1
        }
    }

    private func get(_ path: String, query: [(String, String)]) async throws(GrafanaAPIError) -> Data {
        let request = GrafanaRequest("GET", path)
        guard var components = URLComponents(url: baseURL, resolvingAgainstBaseURL: false) else {
            throw .invalidRequest(request, status: 0, message: "cannot form a URL")
        }
        let basePath = components.path.trimmingSuffix("/")
        components.path = basePath + path
        components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) }
        guard let url = components.url else { throw .invalidRequest(request, status: 0, message: "cannot form a URL") }
        return try await session.send("GET", url, headers: [("Authorization", token)], as: request)
    }
}

extension String {
    fileprivate func trimmingSuffix(_ suffix: String) -> String {
        var text = self
        while text.hasSuffix(suffix) { text.removeLast(suffix.count) }
        return text
    }
}
