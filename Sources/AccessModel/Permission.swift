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
