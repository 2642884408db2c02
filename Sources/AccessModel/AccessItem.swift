/// One piece of access: a level on a data source or folder, a role in a team, an organization role, or a temporary
/// service-account token.
package struct AccessItem: Sendable, Equatable {
    package enum Target: Sendable, Hashable {
        /// A data source by uid or name, and the level asked for.
        case dataSource(String, Permission)
        /// A team by name, and the role asked for.
        case team(String, TeamRole)
        /// The subject's role in the organization, raised for the window.
        case orgRole(OrgRole)
        /// A folder by uid or title, and the level asked for.
        case folder(String, FolderPermission)
        /// A token of this service account (by name), whose role may be at most this; it expires with the grant.
        case serviceAccountToken(String, OrgRole)
    }

    package var target: Target
    /// Where the item was written (a grant's or a bundle's `access[i]`), for messages.
    package var field: FieldPath
    package var location: SourceLocation

    package init(_ target: Target, field: FieldPath, location: SourceLocation) {
        self.target = target
        self.field = field
        self.location = location
    }

    /// `Query on data source prod-logs`, `Member of team sre`.
    package var summary: String {
        switch target {
        case .dataSource(let reference, let permission): "\(permission.rawValue) on data source \(reference)"
        case .team(let name, let role): "\(role.rawValue) of team \(name)"
        case .orgRole(let role): "\(role.rawValue) role in the organization"
        case .folder(let reference, let permission): "\(permission.rawValue) on folder \(reference)"
        case .serviceAccountToken(let name, let role): "a token of service account \(name) (at most \(role.rawValue))"
        }
    }
}

/// Who receives a grant's access.
package enum Subject: Sendable, Hashable, CustomStringConvertible {
    /// A Grafana user by login or email.
    case user(String)
    /// A Grafana team by name.
    case team(String)

    package var description: String {
        switch self {
        case .user(let reference): "user \(reference)"
        case .team(let name): "team \(name)"
        }
    }
}
