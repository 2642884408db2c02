import Foundation

/// Parses resourcePermissionDTO rows (grafana-api.md §8.1) into principals and levels; rows of unknown shape
/// (service accounts, fixed roles without a principal) are skipped.
enum PermissionRows {
    static func parse(_ data: Data, request: GrafanaRequest) throws(GrafanaAPIError) -> [GrafanaPermission] {
        guard let rows = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] else {
            throw .invalidRequest(request, status: 200, message: "expected a list of permissions")
        }
        return rows.compactMap { row in
            guard let level = row["permission"] as? String else { return nil }
            let principal: GrafanaPrincipal
            if let user = row["userId"] as? Int, user != 0 {
                principal = .user(user)
            } else if let team = row["teamId"] as? Int, team != 0 {
                principal = .team(team)
            } else if let role = row["builtInRole"] as? String, !role.isEmpty {
                principal = .builtInRole(role)
            } else {
                return nil
            }
            return GrafanaPermission(
                principal: principal, level: level, isManaged: row["isManaged"] as? Bool ?? false,
                isInherited: row["isInherited"] as? Bool ?? false)
        }
    }
}
