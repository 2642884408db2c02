import Foundation
import GrafanaAPI

/// The Grafana writes of a plan, through a work queue keyed by object.
extension Executor {
    /// Writes through a work queue keyed by resource: one worker per resource at a time, in plan order; 4 workers;
    /// a transient failure puts the resource back with per-resource backoff (never sooner than `Retry-After`) until
    /// the write deadline; after it, what is left fails for this pass and the ledger keeps it for the next.
    func writeThroughQueue(_ changes: [Change]) async -> (
        written: [Change], failures: [(Change, KeyFailure)], vanished: [(Change, String)]
    ) {
        var byResource: [Binding.Resource: [Change]] = [:]
        let queue = WorkQueue<Binding.Resource>(clock: clock, policy: settings.retry, metrics: metrics)
        for change in changes {
            if byResource[change.binding.resource] == nil { await queue.add(change.binding.resource) }
            byResource[change.binding.resource, default: []].append(change)
        }
        let book = WriteBook(byResource)
        let deadline = clock.now().addingTimeInterval(settings.writeDeadline.timeInterval)
        let (writer, clock) = (self.writer, self.clock)
        await withTaskGroup(of: Void.self) { group in
            // No more workers than keys: a worker with nothing to take waits in steps of the queue's idle check for
            // the others, which made every one-key pass (a file event's) 20 ms longer.
            for _ in 0..<min(4, byResource.count) {
                group.addTask {
                    while let resource = await queue.next() {
                        await Self.process(
                            resource, queue: queue, book: book, writer: writer, clock: clock, deadline: deadline)
                        await queue.done(resource)
                    }
                }
            }
        }
        return (await book.written, await book.failures, await book.vanished)
    }

    private static func process(
        _ resource: Binding.Resource, queue: WorkQueue<Binding.Resource>, book: WriteBook, writer: any GrafanaAPI,
        clock: any WallClock, deadline: Date
    ) async {
        for change in await book.changes(for: resource) {
            switch await attempt(change, on: writer) {
            case .written:
                await book.succeeded(change, on: resource)
            case .vanished(let reason) where change.kind == .revoke || change.kind == .lower:
                // Nothing is left to take back: the access went with its target.
                await book.vanished(change, on: resource, because: reason)
            case .vanished(let reason):
                await book.fail(resource, because: KeyFailure(message: reason))
                return
            case .failed(let error):
                if error.isRetryable && clock.now() < deadline {
                    await queue.addRateLimited(resource, retryAfter: error.retryAfter)
                } else {
                    await book.fail(resource, because: KeyFailure(error))
                }
                return
            }
        }
        await queue.forget(resource)
    }

    static func write(_ change: Change, to grafana: any GrafanaAPI) async throws(GrafanaAPIError) {
        switch (change.binding.principal, change.binding.resource) {
        case (let principal, .dataSource), (let principal, .folder):
            guard let resource = change.binding.resource.permissionResource else { return }
            let target: GrafanaPrincipal =
                switch principal {
                case .user(let id): .user(id)
                case .team(let id): .team(id)
                }
            try await grafana.setPermission(on: resource, principal: target, level: change.to?.grafanaName)
        case (.user(let user), .team(let team)):
            switch change.to {
            case nil: _ = try await grafana.removeTeamMember(team: team, user: user)
            case .member? where change.from == nil: _ = try await grafana.addTeamMember(team: team, user: user)
            case let level?: try await grafana.setTeamRole(team: team, user: user, role: level.grafanaName)
            }
        case (.user(let user), .orgRole):
            // Restoring "nothing" means the `None` role: every org user has some role.
            try await grafana.setOrgRole(user: user, role: change.to?.grafanaName ?? "None")
        case (.team, .team), (.team, .orgRole):
            // Validation refuses team subjects joining teams or holding org roles; nothing can plan this.
            return
        }
    }
}
