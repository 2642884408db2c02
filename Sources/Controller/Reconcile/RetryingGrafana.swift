import Foundation
import GrafanaAPI

/// Wraps every Grafana call in the retrier: transient failures (5xx, 429 with `Retry-After`, dropped connections)
/// are retried with backoff until `deadline` after the call began; other errors pass straight through.
package struct RetryingGrafana: GrafanaAPI {
    let base: any GrafanaAPI
    let retrier: Retrier
    let deadline: Duration

    package init(_ base: any GrafanaAPI, retrier: Retrier, deadline: Duration) {
        self.base = base
        self.retrier = retrier
        self.deadline = deadline
    }

    private func retry<Value: Sendable>(_ call: @Sendable () async throws(GrafanaAPIError) -> Value)
        async throws(GrafanaAPIError) -> Value
    {
        try await retrier.run(until: retrier.clock.now().addingTimeInterval(deadline.timeInterval), call)
    }

    package func health() async throws(GrafanaAPIError) -> GrafanaHealth {
        try await retry { () async throws(GrafanaAPIError) in try await base.health() }
    }

    package func orgUsers() async throws(GrafanaAPIError) -> [GrafanaUser] {
        try await retry { () async throws(GrafanaAPIError) in try await base.orgUsers() }
    }

    package func user(loginOrEmail: String) async throws(GrafanaAPIError) -> GrafanaUser {
        try await retry { () async throws(GrafanaAPIError) in try await base.user(loginOrEmail: loginOrEmail) }
    }

    package func teams(matching query: String) async throws(GrafanaAPIError) -> [GrafanaTeam] {
        try await retry { () async throws(GrafanaAPIError) in try await base.teams(matching: query) }
    }

    package func team(named name: String) async throws(GrafanaAPIError) -> GrafanaTeam {
        try await retry { () async throws(GrafanaAPIError) in try await base.team(named: name) }
    }

    package func teamMembers(team: Int) async throws(GrafanaAPIError) -> [GrafanaTeamMember] {
        try await retry { () async throws(GrafanaAPIError) in try await base.teamMembers(team: team) }
    }

    package func addTeamMember(team: Int, user: Int) async throws(GrafanaAPIError) -> WriteOutcome {
        try await retry { () async throws(GrafanaAPIError) in try await base.addTeamMember(team: team, user: user) }
    }

    package func removeTeamMember(team: Int, user: Int) async throws(GrafanaAPIError) -> WriteOutcome {
        try await retry { () async throws(GrafanaAPIError) in try await base.removeTeamMember(team: team, user: user) }
    }

    package func setTeamRole(team: Int, user: Int, role: String) async throws(GrafanaAPIError) {
        try await retry { () async throws(GrafanaAPIError) in
            try await base.setTeamRole(team: team, user: user, role: role)
        }
    }

    package func setOrgRole(user: Int, role: String) async throws(GrafanaAPIError) {
        try await retry { () async throws(GrafanaAPIError) in try await base.setOrgRole(user: user, role: role) }
    }

    package func dataSources() async throws(GrafanaAPIError) -> [GrafanaDataSource] {
        try await retry { () async throws(GrafanaAPIError) in try await base.dataSources() }
    }

    package func dataSource(uidOrName: String) async throws(GrafanaAPIError) -> GrafanaDataSource {
        try await retry { () async throws(GrafanaAPIError) in try await base.dataSource(uidOrName: uidOrName) }
    }

    package func folders(in parent: String?) async throws(GrafanaAPIError) -> [GrafanaFolder] {
        try await retry { () async throws(GrafanaAPIError) in try await base.folders(in: parent) }
    }

    package func folder(uid: String) async throws(GrafanaAPIError) -> GrafanaFolder {
        try await retry { () async throws(GrafanaAPIError) in try await base.folder(uid: uid) }
    }

    package func permissions(on resource: PermissionResource) async throws(GrafanaAPIError) -> [GrafanaPermission] {
        try await retry { () async throws(GrafanaAPIError) in try await base.permissions(on: resource) }
    }

    package func setPermission(on resource: PermissionResource, principal: GrafanaPrincipal, level: String?)
        async throws(GrafanaAPIError)
    {
        try await retry { () async throws(GrafanaAPIError) in
            try await base.setPermission(on: resource, principal: principal, level: level)
        }
    }

    package func serviceAccounts() async throws(GrafanaAPIError) -> [GrafanaServiceAccount] {
        try await retry { () async throws(GrafanaAPIError) in try await base.serviceAccounts() }
    }

    package func serviceAccountTokens(serviceAccount: Int) async throws(GrafanaAPIError) -> [GrafanaToken] {
        try await retry { () async throws(GrafanaAPIError) in
            try await base.serviceAccountTokens(serviceAccount: serviceAccount)
        }
    }

    /// Never retried here: a retry after a lost answer would meet the first attempt's name. The caller picks a
    /// fresh name for each attempt and cleans up by name.
    package func createServiceAccountToken(serviceAccount: Int, name: String, secondsToLive: Int)
        async throws(GrafanaAPIError) -> CreatedToken
    {
        try await base.createServiceAccountToken(
            serviceAccount: serviceAccount, name: name, secondsToLive: secondsToLive)
    }

    package func deleteServiceAccountToken(serviceAccount: Int, token: Int) async throws(GrafanaAPIError)
        -> WriteOutcome
    {
        try await retry { () async throws(GrafanaAPIError) in
            try await base.deleteServiceAccountToken(serviceAccount: serviceAccount, token: token)
        }
    }

    package func permissionAPIStatus() async throws(GrafanaAPIError) -> PermissionAPIStatus {
        try await retry { () async throws(GrafanaAPIError) in try await base.permissionAPIStatus() }
    }
}
