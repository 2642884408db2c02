/// A user of the org, as `/api/org/users` lists them.
package struct GrafanaUser: Sendable, Equatable, Decodable {
    package var id: Int
    package var login: String
    package var email: String
    package var name: String
    package var role: String

    private enum CodingKeys: String, CodingKey {
        case id = "userId"
        case login, email, name, role
    }

    package init(id: Int, login: String, email: String, name: String = "", role: String = "Viewer") {
        self.id = id
        self.login = login
        self.email = email
        self.name = name
        self.role = role
    }
}

/// A team, as team search returns it.
package struct GrafanaTeam: Sendable, Equatable, Decodable {
    package var id: Int
    package var uid: String?
    package var name: String
    package var memberCount: Int

    package init(id: Int, uid: String? = nil, name: String, memberCount: Int = 0) {
        self.id = id
        self.uid = uid
        self.name = name
        self.memberCount = memberCount
    }
}

/// A team member with Grafana's numeric team permission (0 Member, 4 Admin).
package struct GrafanaTeamMember: Sendable, Equatable, Decodable {
    package var userId: Int
    package var login: String
    package var email: String
    package var permission: Int

    package var isAdmin: Bool { permission == 4 }
}

/// A data source, as the list and lookups return it.
package struct GrafanaDataSource: Sendable, Equatable, Decodable {
    package var id: Int
    package var uid: String
    package var name: String
    package var type: String

    package init(id: Int, uid: String, name: String, type: String) {
        self.id = id
        self.uid = uid
        self.name = name
        self.type = type
    }
}

/// A folder, as the folder listing and lookup return it.
package struct GrafanaFolder: Sendable, Equatable, Decodable {
    package var id: Int
    package var uid: String
    package var title: String
    /// Set for nested folders.
    package var parentUid: String?

    package init(id: Int, uid: String, title: String, parentUid: String? = nil) {
        self.id = id
        self.uid = uid
        self.title = title
        self.parentUid = parentUid
    }
}

/// A service account, as `/api/serviceaccounts/search` lists it.
package struct GrafanaServiceAccount: Sendable, Equatable, Decodable {
    package var id: Int
    package var name: String
    /// The org role its tokens act with: `None`, `Viewer`, `Editor` or `Admin`.
    package var role: String
    package var isDisabled: Bool

    package init(id: Int, name: String, role: String, isDisabled: Bool = false) {
        self.id = id
        self.name = name
        self.role = role
        self.isDisabled = isDisabled
    }
}

/// A service-account token as listed (never its key).
package struct GrafanaToken: Sendable, Equatable, Decodable {
    package var id: Int
    package var name: String
    /// RFC 3339; nil for a token that never expires.
    package var expiration: String?
}

/// A token just created: the only time Grafana shows its key.
package struct CreatedToken: Sendable, Decodable {
    package var id: Int
    package var name: String
    package var key: String
}

/// A resource whose permissions the access-control API sets per principal (grafana-api.md §8, §10).
package enum PermissionResource: Sendable, Hashable, CustomStringConvertible {
    case dataSource(String)
    case folder(String)

    /// `datasources/<uid>` or `folders/<uid>`, unescaped.
    var route: (kind: String, uid: String) {
        switch self {
        case .dataSource(let uid): ("datasources", uid)
        case .folder(let uid): ("folders", uid)
        }
    }

    package var description: String {
        switch self {
        case .dataSource(let uid): "data source \(uid)"
        case .folder(let uid): "folder \(uid)"
        }
    }
}

/// Who a resource permission is for.
package enum GrafanaPrincipal: Sendable, Hashable, CustomStringConvertible {
    case user(Int)
    case team(Int)
    case builtInRole(String)

    /// The path segment of the per-principal permission endpoint.
    var pathSegment: String {
        switch self {
        case .user(let id): "users/\(id)"
        case .team(let id): "teams/\(id)"
        case .builtInRole(let role): "builtInRoles/\(role)"
        }
    }

    package var description: String {
        switch self {
        case .user(let id): "user \(id)"
        case .team(let id): "team \(id)"
        case .builtInRole(let role): "role \(role)"
        }
    }
}

/// One row of a data source's or folder's permissions (resourcePermissionDTO).
package struct GrafanaPermission: Sendable, Equatable {
    package var principal: GrafanaPrincipal
    /// `Query`, `Edit` or `Admin` on data sources; `View`, `Edit` or `Admin` on folders.
    package var level: String
    /// Managed rows can be changed through the API; others come from fixed or basic roles.
    package var isManaged: Bool
    package var isInherited: Bool
}

/// `/api/health`.
package struct GrafanaHealth: Sendable, Equatable, Decodable {
    package var version: String
    package var database: String
}

/// Whether the data-source permission API can be used, and if not, why, in plain words.
package enum PermissionAPIStatus: Sendable, Equatable {
    case available
    case unavailable(String)
}

/// What an idempotent write found: it changed something, or it was already so.
package enum WriteOutcome: Sendable, Equatable {
    case changed
    case unchanged
}
