/// Who may hold which access for how long, with whose approval. Deny by default.
package struct AccessPolicy: Sendable, Equatable {
    package var metadata: ResourceMetadata
    package var subjects: SubjectSelector
    package var dataSources: [DataSourceSelector]
    package var teams: [Glob]
    /// The highest level in the list is the cap.
    package var permissions: [Permission]
    package var teamRoles: [TeamRole]
    /// The organization roles grants may raise the subject to; the highest is the cap.
    package var orgRoles: [OrgRole] = []
    package var folders: [FolderSelector] = []
    /// The highest level in the list is the cap on folders.
    package var folderPermissions: [FolderPermission] = []
    /// Globs on the names of the service accounts whose tokens grants may receive.
    package var serviceAccounts: [Glob] = []
    /// The highest role a service account behind such a token may have; the highest in the list is the cap.
    package var serviceAccountRoles: [OrgRole] = [.viewer]
    package var maxDuration: Duration
    package var approval: Approval?
    package var autoApprove: AutoApprove?
    /// Grants under this policy must name an incident (`spec.incident`), and hold only while it is active.
    package var requireIncident = false
    /// Being on call in one of these schedules is a condition of the access itself; nil: no such condition.
    package var requireOnCall: [String]?
    /// When access under this policy may be active; nil: any time.
    package var activeHours: ActiveHours?
    /// The Grafana instance and org the policy is limited to; nil parts apply everywhere.
    package var placement = Placement()
    /// What `--enforce-zero-standing` does with access on this policy's data sources that no grant gave.
    package var standingAccess = StandingAccessMode.report

    package var name: String { metadata.name }

    package var maxPermission: Permission? { permissions.max() }
    package var maxTeamRole: TeamRole? { teamRoles.max() }
}

/// Users by login/email glob, and members of named teams.
package struct SubjectSelector: Sendable, Equatable {
    package var users: [Glob]
    package var teams: [Glob]

    package init(users: [Glob] = [], teams: [Glob] = []) {
        self.users = users
        self.teams = teams
    }

    package var isEmpty: Bool { users.isEmpty && teams.isEmpty }
}

/// Selects data sources; every key given must match.
package struct DataSourceSelector: Sendable, Equatable {
    package var name: Glob?
    package var uid: String?
    package var type: String?

    package init(name: Glob? = nil, uid: String? = nil, type: String? = nil) {
        self.name = name
        self.uid = uid
        self.type = type
    }

    /// Every key given matches this data source as Grafana knows it.
    package func matches(uid: String, name: String, type: String?) -> Bool {
        (self.name?.matches(name) ?? true) && (self.uid.map { $0 == uid } ?? true)
            && (self.type.map { $0 == type } ?? true)
    }
}

/// Selects folders; every key given must match.
package struct FolderSelector: Sendable, Equatable {
    package var title: Glob?
    package var uid: String?

    package init(title: Glob? = nil, uid: String? = nil) {
        self.title = title
        self.uid = uid
    }

    /// Every key given matches this folder as Grafana knows it.
    package func matches(uid: String, title: String) -> Bool {
        DataSourceSelector(name: self.title, uid: self.uid).matches(uid: uid, name: title, type: nil)
    }
}

/// `approval`: how many distinct approvers, from whom.
package struct Approval: Sendable, Equatable {
    package var isRequired: Bool
    package var approvers: SubjectSelector
    package var minApprovals: Int
}

/// `autoApprove.onCall`: approval is waived while the subject is on call in one of these schedules.
package struct AutoApprove: Sendable, Equatable {
    package var onCallSchedules: [String]
}

/// A policy's stance on standing access to its data sources.
package enum StandingAccessMode: String, Sendable, Equatable, CaseIterable {
    /// `discover` lists it and the metrics count it; nothing is removed.
    case report
    /// With `--enforce-zero-standing`, the controller removes it.
    case revoke
}
