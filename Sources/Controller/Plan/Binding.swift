import AccessModel
import GrafanaAPI

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
        /// The user's role in the organization the controller acts in.
        case orgRole
        /// A folder by uid.
        case folder(String)

        /// Data sources and folders, whose permissions the access-control API sets per principal.
        init(_ resource: PermissionResource) {
            switch resource {
            case .dataSource(let uid): self = .dataSource(uid)
            case .folder(let uid): self = .folder(uid)
            }
        }

        var permissionResource: PermissionResource? {
            switch self {
            case .dataSource(let uid): .dataSource(uid)
            case .folder(let uid): .folder(uid)
            case .team, .orgRole: nil
            }
        }
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
        case .orgRole: return "\(who) org role"
        case .folder(let uid): return "\(who) on folder \(uid)"
        }
    }

    package static func < (lhs: Binding, rhs: Binding) -> Bool { lhs.description < rhs.description }
}

/// A level on a resource, ordered within its kind: Query < Edit < Admin on data sources, View < Edit < Admin on
/// folders, Member < Admin in teams, Viewer < Editor < Admin in the org.
package enum Level: String, Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    case query = "Query"
    case edit = "Edit"
    case admin = "Admin"
    case member = "Member"
    case teamAdmin = "TeamAdmin"
    case viewer = "Viewer"
    case editor = "Editor"
    case orgAdmin = "OrgAdmin"
    case view = "View"

    package init(_ permission: Permission) {
        switch permission {
        case .query: self = .query
        case .edit: self = .edit
        case .admin: self = .admin
        }
    }

    package init(_ permission: FolderPermission) {
        switch permission {
        case .view: self = .view
        case .edit: self = .edit
        case .admin: self = .admin
        }
    }

    package init(_ role: TeamRole) {
        self = role == .member ? .member : .teamAdmin
    }

    package init(_ role: OrgRole) {
        switch role {
        case .viewer: self = .viewer
        case .editor: self = .editor
        case .admin: self = .orgAdmin
        }
    }

    /// The org role Grafana reports (`Viewer`, `Editor`, `Admin`); nil for `None` or anything else.
    package init?(orgRole name: String) {
        guard let role = OrgRole(rawValue: name) else { return nil }
        self.init(role)
    }

    /// What Grafana calls it: permission names, team and org roles as `Member`/`Admin`, `Viewer`/.../`Admin`.
    package var grafanaName: String { [.teamAdmin, .orgAdmin].contains(self) ? "Admin" : rawValue }

    package var description: String { grafanaName }

    private var rank: Int {
        switch self {
        case .query, .view, .member, .viewer: 0
        case .edit, .teamAdmin, .editor: 1
        case .admin, .orgAdmin: 2
        }
    }

    package static func < (lhs: Level, rhs: Level) -> Bool { lhs.rank < rhs.rank }
}
