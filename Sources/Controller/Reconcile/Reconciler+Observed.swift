import AccessModel
import Foundation
import GrafanaAPI

/// Reading Grafana no more than a pass needs: the facts and the objects' levels seen by earlier passes are reused by
/// passes that a file or a deadline started (see `ObservedGrafana`).
extension Reconciler {
    /// Users, teams, data sources, folders and service accounts: the ones already held when `reusing` allows, else
    /// read (and remembered).
    func facts(for catalog: ResourceCatalog, reusing: Bool, now: Date) async throws -> GrafanaSnapshot {
        if reusing, observed.mayReuseFacts(now: now, namesUnknown: false), let facts = observed.facts {
            return facts
        }
        do {
            var snapshot = try await GrafanaSnapshot.read(from: grafana, for: catalog)
            await lookUpFolders(into: &snapshot, for: catalog, now: now)
            // Facts read again but found unchanged keep their generation: the decisions made on them still hold.
            snapshot.generation =
                observed.facts.flatMap { $0.sameFacts(as: snapshot) ? $0.generation : nil }
                ?? UInt64.random(in: 1...UInt64.max)
            metrics.grafanaUp.set(1, targetLabels.grafana, targetLabels.org)
            (observed.facts, observed.factsReadAt) = (snapshot, now)
            return snapshot
        } catch {
            metrics.grafanaUp.set(0, targetLabels.grafana, targetLabels.org)
            throw error
        }
    }

    /// The levels of every binding the desired state or the ledger touches: the stale objects and those in `slice`
    /// read, the rest as last seen. Objects in `leaving` (waiting on their backoff) are not read.
    func actualState(of desired: DesiredState, slice: ResyncSlice?, leaving: Set<Binding.Resource> = []) async
        -> ActualState
    {
        let touched = Set(desired.bindings.keys).union(ledger.bindings)
        let objects = Set(touched.map(\.resource))
        let wanted = ObservedGrafana.byObject(desired.bindings.mapValues(\.level))
        var reading = slice == .all ? objects : observed.stale(touched, desired: wanted, ledger: ledger)
        if let slice, slice != .all { reading.formUnion(objects.filter(slice.contains)) }
        reading.subtract(leaving)
        var actual = await ActualState.read(touched.filter { reading.contains($0.resource) }, from: grafana)
        observed.remember(actual, desired: wanted, touching: objects)
        actual.levels.merge(observed.levels(except: reading)) { read, _ in read }
        return actual
    }
}
