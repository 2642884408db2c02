/// The Grafana calls the controller makes, one method each. Idempotent by contract: adding a member who is
/// already one, removing one who is not, setting a level already set, removing an absent permission all succeed.
package protocol GrafanaAPI: Sendable {
    func health() async throws(GrafanaAPIError) -> GrafanaHealth
    /// Every user of the org, read page by page.
    func orgUsers() async throws(GrafanaAPIError) -> [GrafanaUser]
    /// The org user whose login or email is exactly this (case-insensitive).
    func user(loginOrEmail: String) async throws(GrafanaAPIError) -> GrafanaUser
    /// Teams whose name contains `query` (all of them for ""), read page by page.
    func teams(matching query: String) async throws(GrafanaAPIError) -> [GrafanaTeam]
    func team(named name: String) async throws(GrafanaAPIError) -> GrafanaTeam
    func teamMembers(team: Int) async throws(GrafanaAPIError) -> [GrafanaTeamMember]
    func addTeamMember(team: Int, user: Int) async throws(GrafanaAPIError) -> WriteOutcome
    func removeTeamMember(team: Int, user: Int) async throws(GrafanaAPIError) -> WriteOutcome
    /// Makes a user a team member with this role (`Member` or `Admin`), adding or updating: the team-permission
    /// route the Grafana UI uses since 9.x, in open-source and Enterprise Grafana alike.
    func setTeamRole(team: Int, user: Int, role: String) async throws(GrafanaAPIError)
    /// Sets a user's role in the org (`Viewer`, `Editor`, `Admin`, `None`); the same role again is a success.
    func setOrgRole(user: Int, role: String) async throws(GrafanaAPIError)
    func dataSources() async throws(GrafanaAPIError) -> [GrafanaDataSource]
    /// By uid first, then by name, as grants may name either.
    func dataSource(uidOrName: String) async throws(GrafanaAPIError) -> GrafanaDataSource
    /// One level of the folder tree (the top level without a parent), read page by page.
    func folders(in parent: String?) async throws(GrafanaAPIError) -> [GrafanaFolder]
    func folder(uid: String) async throws(GrafanaAPIError) -> GrafanaFolder
    func permissions(on resource: PermissionResource) async throws(GrafanaAPIError) -> [GrafanaPermission]
    /// Sets one principal's level (`Query`/`View`, `Edit`, `Admin`), or removes it with nil; never touches others.
    func setPermission(on resource: PermissionResource, principal: GrafanaPrincipal, level: String?)
        async throws(GrafanaAPIError)
    /// Every service account of the org, read page by page.
    func serviceAccounts() async throws(GrafanaAPIError) -> [GrafanaServiceAccount]
    func serviceAccountTokens(serviceAccount: Int) async throws(GrafanaAPIError) -> [GrafanaToken]
    /// Not idempotent: Grafana refuses a second token of the same name, so each attempt needs a fresh name.
    func createServiceAccountToken(serviceAccount: Int, name: String, secondsToLive: Int)
        async throws(GrafanaAPIError) -> CreatedToken
    /// A token that is already gone is a success (`.unchanged`).
    func deleteServiceAccountToken(serviceAccount: Int, token: Int) async throws(GrafanaAPIError) -> WriteOutcome
    func permissionAPIStatus() async throws(GrafanaAPIError) -> PermissionAPIStatus
}

extension GrafanaAPI {
    /// Top-level folders; nested ones are found by uid or by walking `folders(in:)`.
    package func folders() async throws(GrafanaAPIError) -> [GrafanaFolder] { try await folders(in: nil) }
}
