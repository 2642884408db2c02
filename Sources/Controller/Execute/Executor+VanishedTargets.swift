import GrafanaAPI

/// A write can fail because its target is gone: Grafana answers a role change for a user who left the organization
/// with 500 "Failed update org user" (pkg/api/org_users.go), and a permission on a deleted folder with 500 up to 12.1
/// and 404 `folder.notFound` after (a deleted data source with 500). Retrying those as transient would spin until
/// the deadline on every pass; one read tells instead.
extension Executor {
    /// What one write came to.
    enum WriteAttempt {
        case written
        /// The target no longer exists, as one read confirmed; why, in words.
        case vanished(String)
        case failed(GrafanaAPIError)
    }

    static func attempt(_ change: Change, on grafana: any GrafanaAPI) async -> WriteAttempt {
        do throws(GrafanaAPIError) {
            try await write(change, to: grafana)
            return .written
        } catch {
            guard error.mayMeanVanished, let reason = await vanishedTarget(of: change, in: grafana) else {
                return .failed(error)
            }
            return .vanished("\(reason) (the write answered: \(error))")
        }
    }

    /// Why the change's target is gone, or nil when it is still there or the read does not say.
    static func vanishedTarget(of change: Change, in grafana: any GrafanaAPI) async -> String? {
        switch (change.binding.principal, change.binding.resource) {
        case (.user(let user), .orgRole):
            do throws(GrafanaAPIError) {
                let members = try await grafana.orgUsers()
                return members.contains { $0.id == user }
                    ? nil : "\(change.subjectName) is no longer in the organization"
            } catch {
                return nil
            }
        case (_, .folder(let uid)):
            return await absence(of: "folder \(change.resourceName)") { () async throws(GrafanaAPIError) in
                _ = try await grafana.folder(uid: uid)
            }
        case (_, .dataSource(let uid)):
            return await absence(of: "data source \(change.resourceName)") { () async throws(GrafanaAPIError) in
                _ = try await grafana.dataSource(uidOrName: uid)
            }
        case (_, .team), (.team, .orgRole):
            return nil
        }
    }
}

extension Executor {
    /// "… no longer exists" when `read` answers not found; nil when it finds the object or fails otherwise.
    fileprivate static func absence(of what: String, _ read: () async throws(GrafanaAPIError) -> Void) async -> String?
    {
        do throws(GrafanaAPIError) {
            try await read()
            return nil
        } catch .notFound {
            return "\(what) no longer exists"
        } catch {
            return nil
        }
    }
}

extension GrafanaAPIError {
    /// A 5xx or not-found answer to a write, which Grafana also gives when the target is gone.
    var mayMeanVanished: Bool {
        switch self {
        case .notFound: true
        case .transient(_, _, let retryAfter): retryAfter == nil
        default: false
        }
    }
}
