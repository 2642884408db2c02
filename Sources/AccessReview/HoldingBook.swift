import Foundation

/// Who held what when, from the permission and token events that Grafana confirmed: a spell opens when access is
/// given and closes when it is taken back; a change of level closes one spell and opens the next.
struct HoldingBook {
    private struct Key: Hashable {
        var grafana: String?
        var org: Int?
        var subject: String
        var resource: String
    }

    private var open: [Key: Holding] = [:]
    private(set) var closed: [Holding] = []

    mutating func add(_ record: AuditTrail.Record, named kind: AuditEventName) {
        let event = record.event
        guard event.outcome == AuditOutcome.success, let subject = event.subject, let resource = event.resource,
            kind.opensAccess || kind.isRemoval
        else { return }
        let key = Key(grafana: event.grafana, org: event.org, subject: subject, resource: resource)
        let permission = kind == .tokenCreated ? "token" : event.permission ?? "?"
        let grants = event.grant.split(separator: ",").map(String.init)
        if var current = open[key] {
            if kind.opensAccess && current.permission == permission {
                current.grants = Array(Set(current.grants).union(grants)).sorted()
                open[key] = current
                return
            }
            current.to = event.time
            closed.append(current)
            open[key] = nil
        }
        guard !kind.closesAccess else { return }
        open[key] = Holding(
            resource: resource, subject: subject, permission: permission, grants: grants, from: event.time, to: nil)
    }

    /// Every spell that overlaps the period, by resource, subject and start.
    func holdings(in period: ReviewPeriod) -> [Holding] {
        (closed + open.values).filter { $0.from < period.to && ($0.to ?? .distantFuture) > period.from }
            .sorted { ($0.resource, $0.subject, $0.from) < ($1.resource, $1.subject, $1.from) }
    }
}
