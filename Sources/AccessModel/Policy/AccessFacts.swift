/// What the policy evaluator needs to know beyond the files. The controller fills it from Grafana and OnCall;
/// `validate` passes `.offline`, and whatever depends on a missing fact is "decided at run time".
package struct AccessFacts: Sendable {
    /// Users by the reference a grant or approval uses (login or email, lowercased).
    package var users: [String: UserFacts]
    /// Data sources by the reference a grant uses (uid or name).
    package var dataSources: [String: DataSourceFacts]
    /// Folders by the reference a grant uses (uid or title).
    package var folders: [String: FolderFacts] = [:]
    /// For each on-call schedule, the lowercased logins and emails of who is on call now.
    package var onCall: [String: Set<String>]
    /// True when `users` and `dataSources` hold everything Grafana knows about the references.
    package var knowsGrafana: Bool
    /// True when `onCall` was read from the on-call service.
    package var knowsOnCall: Bool
    /// Incident id → whether it is active, for the incidents grants name.
    package var incidents: [String: Bool] = [:]
    /// True when `incidents` was read from Grafana Incident.
    package var knowsIncidents = false
    /// True when `onCall` holds accounts (`#id`) rather than spellings: the controller resolves both sides, so a
    /// login that is someone else's email cannot borrow their shift.
    package var comparesAccounts = false

    package init(
        users: [String: UserFacts] = [:], dataSources: [String: DataSourceFacts] = [:],
        onCall: [String: Set<String>] = [:], knowsGrafana: Bool = true, knowsOnCall: Bool = true
    ) {
        self.users = users
        self.dataSources = dataSources
        self.onCall = onCall
        self.knowsGrafana = knowsGrafana
        self.knowsOnCall = knowsOnCall
    }

    /// Nothing known: what `validate` evaluates with.
    package static let offline = AccessFacts(knowsGrafana: false, knowsOnCall: false)

    package func user(_ reference: String) -> UserFacts? {
        users[reference.lowercased()]
    }

    /// The lowercased names a user subject goes by: as written, and its login and email when Grafana knows it;
    /// what on-call rosters are matched against.
    package func identities(of reference: String) -> Set<String> {
        if comparesAccounts { return Set(user(reference).map { ["#\($0.id)"] } ?? []) }
        return Set(([reference] + (user(reference)?.identities ?? [])).map { $0.lowercased() })
    }
}

/// A Grafana user as the evaluator needs it.
package struct UserFacts: Sendable, Equatable {
    package var id: Int
    package var login: String
    package var email: String
    package var teams: Set<String>

    package init(id: Int, login: String, email: String, teams: Set<String> = []) {
        self.id = id
        self.login = login
        self.email = email
        self.teams = teams
    }

    /// The identities user globs are matched against.
    package var identities: [String] { [login, email] }
}

/// A Grafana data source as policy selectors see it.
package struct DataSourceFacts: Sendable, Equatable {
    package var uid: String
    package var name: String
    package var type: String

    package init(uid: String, name: String, type: String) {
        self.uid = uid
        self.name = name
        self.type = type
    }
}

/// A Grafana folder as policy selectors see it.
package struct FolderFacts: Sendable, Equatable {
    package var uid: String
    package var title: String

    package init(uid: String, title: String) {
        self.uid = uid
        self.title = title
    }
}
