/// Data-source permission levels, ordered: a policy allowing `Edit` also allows `Query`.
package enum Permission: String, Sendable, CaseIterable, OrderedByDeclaration {
    case query = "Query"
    case edit = "Edit"
    case admin = "Admin"
}

/// Team membership roles, ordered: `Admin` includes `Member`.
package enum TeamRole: String, Sendable, CaseIterable, OrderedByDeclaration {
    case member = "Member"
    case admin = "Admin"
}

/// Organization roles, ordered: `Viewer` < `Editor` < `Admin`. A grant raises a role for its window; the level
/// before is restored at the end, and a role the controller did not raise is never lowered.
package enum OrgRole: String, Sendable, CaseIterable, OrderedByDeclaration {
    case viewer = "Viewer"
    case editor = "Editor"
    case admin = "Admin"
}

/// Folder permission levels, ordered: `View` < `Edit` < `Admin`; they reach the dashboards and alert rules inside.
package enum FolderPermission: String, Sendable, CaseIterable, OrderedByDeclaration {
    case view = "View"
    case edit = "Edit"
    case admin = "Admin"
}

/// Levels ordered as their cases are declared, lowest first.
package protocol OrderedByDeclaration: CaseIterable, Comparable {}

extension OrderedByDeclaration {
    package static func < (lhs: Self, rhs: Self) -> Bool {
        allCases.firstIndex(of: lhs) ?? allCases.startIndex < allCases.firstIndex(of: rhs) ?? allCases.startIndex
    }
}
