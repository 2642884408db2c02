import AccessModel
import Foundation
import GrafanaAPI

/// What a resync step reads, read ahead of it while the loop goes on with the passes events start: the facts (for
/// the full resync) and the objects of its slice. Reading it changes nothing. The step uses a read only for an
/// object nothing touched since the read began (`ObservedGrafana.touched`: no pass read, wrote or failed on it), and
/// the facts only while the grants need the same ones, so an event never waits for the resync's reads.
package struct ResyncPrefetch: Sendable {
    /// Facts, which ones they are, and when their reading began.
    struct Facts: Sendable {
        var snapshot: GrafanaSnapshot
        var needs: GrafanaSnapshot.Needs
        var readAt: Date
    }

    /// The step it was read for.
    package var trigger: PassTrigger
    var facts: Facts?
    var objects = ActualState()
    /// `ObservedGrafana.touches` when the reads began.
    var mark: UInt64
}

extension Reconciler {
    /// Reads ahead what the resync step `trigger` reads; nil for any other trigger, or before a pass has wanted
    /// anything. Only the choice of what to read runs on the actor: the reads leave it free for passes.
    package func prefetch(for trigger: PassTrigger) async -> ResyncPrefetch? {
        guard let slice = trigger.keySlice, slice != .all, let desired = lastDesired, let catalog = lastCatalog?.catalog
        else { return nil }
        var objects = Set<Binding.Resource>()
        for binding in desired.keys where slice.contains(binding.resource) { objects.insert(binding.resource) }
        // Not while a stage holds the ledger: its entries would be missing.
        for binding in await settledLedger().bindings where slice.contains(binding.resource) {
            objects.insert(binding.resource)
        }
        let (grafana, now) = (self.grafana, clock.now())
        // A key on its backoff is not read before its retry is due, ahead or not.
        objects.subtract(keyBackoff.notDue(at: now).objects.keys)
        var prefetch = ResyncPrefetch(trigger: trigger, mark: observed.touches)
        if case .resync = trigger {
            let needs = GrafanaSnapshot.Needs(catalog)
            do {
                let snapshot = try await GrafanaSnapshot.read(from: grafana, needing: needs)
                prefetch.facts = ResyncPrefetch.Facts(snapshot: snapshot, needs: needs, readAt: now)
            } catch {
                // Grafana is failing: the step reads again itself, and fails with Grafana's answer.
                return nil
            }
        }
        prefetch.objects = await ActualState.read(objects: objects, from: grafana)
        return prefetch
    }
}
