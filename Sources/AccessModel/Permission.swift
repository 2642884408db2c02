/// Data-source permission levels, ordered: a policy allowing `Edit` also allows `Query`.
package enum Permission: String, Sendable, CaseIterable, Comparable {
    case query = "Query"
    case edit = "Edit"
    case admin = "Admin"

    package static func < (lhs: Permission, rhs: Permission) -> Bool {
        lhs.rank < rhs.rank
    }

    private var rank: Int {
        switch self {
        case .query: 0
        case .edit: 1
        case .admin: 2
        }
    }
}

/// Team membership roles, ordered: `Admin` includes `Member`.
package enum TeamRole: String, Sendable, CaseIterable, Comparable {
    case member = "Member"
    case admin = "Admin"

    package static func < (lhs: TeamRole, rhs: TeamRole) -> Bool {
        lhs == .member && rhs == .admin
    }
}

/// Organization roles, ordered: `Viewer` < `Editor` < `Admin`. A grant raises a role for its window; the level
/// before is restored at the end, and a role the controller did not raise is never lowered.
package enum OrgRole: String, Sendable, CaseIterable, Comparable {
    case viewer = "Viewer"
    case editor = "Editor"
    case admin = "Admin"

    package static func < (lhs: OrgRole, rhs: OrgRole) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// Folder permission levels, ordered: `View` < `Edit` < `Admin`; they reach the dashboards and alert rules inside.
package enum FolderPermission: String, Sendable, CaseIterable, Comparable {
    case view = "View"
    case edit = "Edit"
    case admin = "Admin"

    package static func < (lhs: FolderPermission, rhs: FolderPermission) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}
