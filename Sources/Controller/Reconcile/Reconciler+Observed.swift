import AccessModel
import Foundation
import GrafanaAPI

/// Reading Grafana no more than a pass needs: the facts and the objects' levels seen by earlier passes are reused by
/// passes that a file or a deadline started (see `ObservedGrafana`).
extension Reconciler {
    /// Users, teams, data sources, folders and service accounts: the ones already held when `reusing` allows, else
    /// the ones read ahead when the grants still need the same (`prefetched`), else read; remembered.
    func facts(
        for catalog: ResourceCatalog, reusing: Bool, prefetched: ResyncPrefetch.Facts? = nil, now: Date
    ) async throws -> GrafanaSnapshot {
        if reusing, observed.mayReuseFacts(now: now, namesUnknown: false), let facts = observed.facts {
            return facts
        }
        do {
            let needs = GrafanaSnapshot.Needs(catalog)
            // Not older than facts a pass read since the read ahead began, nor for other needs.
            let ahead = prefetched.flatMap { facts in
                facts.needs == needs && observed.factsReadAt.map { $0 <= facts.readAt } ?? true ? facts : nil
            }
            var snapshot: GrafanaSnapshot
            if let ahead {
                snapshot = ahead.snapshot
            } else {
                snapshot = try await GrafanaSnapshot.read(from: grafana, needing: needs)
            }
            await lookUpFolders(into: &snapshot, for: catalog, now: now)
            // Facts read again but found unchanged keep their generation: the decisions made on them still hold.
            snapshot.generation =
                observed.facts.flatMap { $0.sameFacts(as: snapshot) ? $0.generation : nil }
                ?? UInt64.random(in: 1...UInt64.max)
            metrics.grafanaUp.set(1, targetLabels.grafana, targetLabels.org)
            (observed.facts, observed.factsReadAt) = (snapshot, ahead?.readAt ?? now)
            return snapshot
        } catch {
            metrics.grafanaUp.set(0, targetLabels.grafana, targetLabels.org)
            throw error
        }
    }

    /// The levels a pass plans on, and which objects it plans (nil: all). With `slice` `.all` (a start, a retry, a
    /// request) every object the desired state or the ledger touches is read. Otherwise only the stale objects and
    /// those of its resync slice are read, and the pass plans them, the objects whose desired bindings changed, those
    /// whose ledger entries are watched after an undo, and those with revocations the brake held, on what was last
    /// seen: every other object's plan was empty, or withheld, when it was last planned, and nothing it is planned on
    /// has changed since. Objects in `leaving` (waiting on their backoff) are not read. An object read ahead of a
    /// resync step (`prefetched`) is not read again, unless something touched it since that read began.
    func actualState(
        of desired: DesiredState, slice: ResyncSlice?, leaving: Set<Binding.Resource> = [],
        prefetched: ResyncPrefetch? = nil
    ) async -> (actual: ActualState, scope: Set<Binding.Resource>?) {
        guard slice != .all else {
            // A key waiting on its backoff is not read even now: not before its `Retry-After`, and not marked done.
            let touched = Set(desired.bindings.keys).union(ledger.bindings).filter { !leaving.contains($0.resource) }
            let actual = await ActualState.read(touched, from: grafana)
            // Read whole: what was seen before is all replaced.
            observed.remember(actual, touching: [])
            return (actual, nil)
        }
        var reading = observed.stale(changed: desired.changedBindings, desired: desired.bindings, ledger: ledger)
        var touching: Set<Binding.Resource>?
        if let slice {
            // A resync step also forgets what nothing touches any more.
            var objects = Set<Binding.Resource>()
            for binding in desired.bindings.keys { objects.insert(binding.resource) }
            for binding in ledger.bindings { objects.insert(binding.resource) }
            reading.formUnion(objects.filter(slice.contains))
            touching = objects
        }
        reading.subtract(leaving)
        var ahead = ActualState()
        if let prefetched {
            ahead.read = prefetched.objects.read.filter { object in
                reading.contains(object) && !observed.touched(object, since: prefetched.mark)
            }
            for (binding, level) in prefetched.objects.levels where ahead.read.contains(binding.resource) {
                ahead.levels[binding] = level
            }
        }
        var actual = await ActualState.read(objects: reading.subtracting(ahead.read), from: grafana)
        actual.read.formUnion(ahead.read)
        actual.readAhead = ahead.read
        actual.levels.merge(ahead.levels) { now, _ in now }
        observed.remember(actual, touching: touching)
        var scope = reading.union(desired.changedBindings.map(\.resource)).union(brakeHeld.map(\.resource))
        for binding in ledger.watched { scope.insert(binding.resource) }
        actual.levels.merge(observed.levels(of: scope.subtracting(reading))) { read, _ in read }
        return (actual, scope)
    }
}
