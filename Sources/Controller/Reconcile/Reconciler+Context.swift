import AccessModel
import Foundation
import GrafanaAPI

/// Facts from outside Grafana that policies depend on: who is on call, which incidents are active.
extension Reconciler {
    /// Who is on call, briefly cached (never past a shift end it knows); nil when OnCall is not configured or
    /// does not answer (the policies that need it then deny new access, while access already granted runs to
    /// its end).
    func onCallRoster(for schedules: [String], now: Date) async -> OnCallRoster? {
        guard let onCall, !schedules.isEmpty else { return nil }
        if let last = lastOnCall, last.schedules == schedules,
            now.timeIntervalSince(last.at) < configuration.onCallCache.timeInterval,
            now < last.roster.earliestShiftEnd ?? .distantFuture
        {
            return last.roster
        }
        let retrier = Retrier(policy: configuration.retry, clock: clock)
        do throws(GrafanaAPIError) {
            let roster = try await retrier.run(until: now.addingTimeInterval(10)) { () async throws(GrafanaAPIError) in
                try await onCall.roster(schedules: schedules, at: now)
            }
            lastOnCall = (now, schedules, roster)
            return roster
        } catch {
            logger.log(.warning, .onCallUnavailable, ["error": error.description])
            return nil
        }
    }

    /// Which named incidents are active; nil when Incident is not configured or does not answer (grants bound
    /// to an incident then get no new access, while access already granted runs to its end).
    func incidentActivity(for ids: [String], now: Date) async -> [String: Bool]? {
        guard let incidents, !ids.isEmpty else { return nil }
        let retrier = Retrier(policy: configuration.retry, clock: clock)
        do throws(GrafanaAPIError) {
            return try await retrier.run(until: now.addingTimeInterval(10)) { () async throws(GrafanaAPIError) in
                try await incidents.activity(of: ids)
            }
        } catch {
            logger.log(.warning, .incidentUnavailable, ["error": error.description])
            return nil
        }
    }
}
