import AccessModel

/// What a grant gives in Grafana terms: a principal holding a level on a resource, identified by Grafana's ids.
package struct Binding: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    package enum Principal: Sendable, Hashable, Codable {
        case user(Int)
        case team(Int)
    }

    package enum Resource: Sendable, Hashable, Codable {
        /// A data source by uid.
        case dataSource(String)
        /// Membership of a team, by id (the principal is then a user).
        case team(Int)
    }

    package var principal: Principal
    package var resource: Resource

    package init(_ principal: Principal, on resource: Resource) {
        self.principal = principal
        self.resource = resource
    }

    package var description: String {
        let who =
            switch principal {
            case .user(let id): "user \(id)"
            case .team(let id): "team \(id)"
            }
        switch resource {
        case .dataSource(let uid): return "\(who) on data source \(uid)"
        case .team(let id): return "\(who) in team \(id)"
        }
    }

    package static func < (lhs: Binding, rhs: Binding) -> Bool { lhs.description < rhs.description }
}

/// A level on a resource, ordered within its kind: Query < Edit < Admin on data sources, Member < Admin in teams.
package enum Level: String, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    case query = "Query"
    case edit = "Edit"
    case admin = "Admin"
    case member = "Member"
    case teamAdmin = "TeamAdmin"

    package init(_ permission: Permission) {
        switch permission {
        case .query: self = .query
        case .edit: self = .edit
        case .admin: self = .admin
        }
    }

    package init(_ role: TeamRole) {
        self = role == .member ? .member : .teamAdmin
    }

    /// What Grafana calls it: data-source permission names, team roles as `Member`/`Admin`.
    package var grafanaName: String { self == .teamAdmin ? "Admin" : rawValue }

    package var description: String { self == .teamAdmin ? "Admin" : rawValue }

    private var rank: Int {
        switch self {
        case .query, .member: 0
        case .edit, .teamAdmin: 1
        case .admin: 2
        }
    }

    package static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
}
