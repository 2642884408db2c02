import Controller
import Foundation

extension AccessReview {
    /// Folds the audit trail into the review of `input.period`: every event is read (a grant activated before the
    /// period still counts in it), and what overlaps the period is kept.
    package init(_ input: ReviewInput) {
        let now = min(input.generatedAt, input.period.to)
        var histories: [String: GrantHistory] = [:]
        var order: [String] = []
        var book = HoldingBook()
        var failed: [RevocationAttempt] = []
        var heldBack: [RevocationAttempt] = []
        for record in input.trail.records {
            guard let kind = AuditEventName(rawValue: record.event.event) else { continue }
            book.add(record, named: kind)
            let event = record.event
            if kind.isRemoval, event.outcome == AuditOutcome.failure, input.period.contains(event.time) {
                failed.append(
                    RevocationAttempt(
                        time: event.time, grants: event.grant.split(separator: ",").map(String.init),
                        subject: event.subject ?? "", resource: event.resource ?? "", error: event.error ?? ""))
            }
            if kind == .revocationHeld, input.period.contains(event.time) {
                heldBack.append(
                    RevocationAttempt(
                        time: event.time, grants: event.grant.split(separator: ",").map(String.init),
                        subject: event.subject ?? "", resource: event.resource ?? "", error: event.reason ?? ""))
            }
            guard kind != .permissionStandingRemoved else { continue }
            for name in event.grant.split(separator: ",").map(String.init) where !name.isEmpty {
                let key = Self.key(name, event.grafana, event.org)
                if histories[key] == nil {
                    histories[key] = GrantHistory(name: name, grafana: event.grafana, org: event.org)
                    order.append(key)
                }
                histories[key]?.add(record, named: kind)
            }
        }
        var records: [String: GrantRecord] = [:]
        for snapshot in input.ledgers {
            for (name, record) in snapshot.ledger.grants {
                records[Self.key(name, snapshot.grafana, snapshot.org)] = record
                records[Self.key(name, nil, nil)] = records[Self.key(name, nil, nil)] ?? record
            }
        }
        let grants = order.compactMap { key -> GrantReview? in
            guard let history = histories[key] else { return nil }
            let record = records[key] ?? records[Self.key(history.name, nil, nil)]
            return Self.review(history, record: record, input: input, now: now)
        }
        let holdings = book.holdings(in: input.period)
        period = input.period
        generatedAt = input.generatedAt
        lateAfter = input.lateAfter
        auditFiles = input.trail.files
        self.grants = grants.sorted {
            ($0.activatedAt ?? $0.endedAt ?? .distantFuture, $0.grant) < (
                $1.activatedAt ?? $1.endedAt ?? .distantFuture, $1.grant
            )
        }
        self.holdings = holdings
        users = Self.userTotals(grants, holdings: holdings, period: input.period, now: now)
        resources = Self.resourceTotals(grants, holdings: holdings, period: input.period, now: now)
        failedRevocations = failed
        heldRevocations = heldBack
        outstandingRevocations = Self.outstanding(input.ledgers, histories: histories, now: input.generatedAt)
        standingAccess = input.standing
        problems = input.problems + input.trail.problems
    }

    /// Durations to the millisecond the trail records times in, so figures read and compare cleanly.
    private static func milliseconds(_ seconds: Double) -> Double { (seconds * 1000).rounded() / 1000 }

    private static func key(_ name: String, _ grafana: String?, _ org: Int?) -> String {
        "\(grafana ?? "")/\(org.map(String.init) ?? "")/\(name)"
    }

    /// One grant as the review shows it; nil when nothing of it falls in the period.
    private static func review(_ history: GrantHistory, record: GrantRecord?, input: ReviewInput, now: Date)
        -> GrantReview?
    {
        let period = input.period
        let spells = history.heldSpells(until: now)
        let inPeriod = history.records.filter { period.contains($0.event.time) }
        guard !inPeriod.isEmpty || spells.contains(where: { period.overlap($0.start, $0.end) > 0 }) else {
            return nil
        }
        let declared = history.declared
        let window = history.window(fallback: record)
        let requested = window.start.flatMap { start in window.end.map { $0.timeIntervalSince(start) } }
        let held = spells.reduce(0) { $0 + $1.end.timeIntervalSince($1.start) }
        var late: Double?
        if let due = history.due(windowEnd: window.end) {
            if let revoked = history.revokedAt, revoked >= spells.last?.start ?? .distantPast {
                late = max(0, revoked.timeIntervalSince(due))
            } else if history.failedRevocations > 0 {
                // Never confirmed removed: late by as long as it has been due.
                late = max(0, now.timeIntervalSince(due))
            }
        }
        return GrantReview(
            grant: history.name, grafana: history.grafana, org: history.org, file: declared?.file,
            subject: declared?.subject ?? history.records.lazy.compactMap(\.event.subject).first ?? "",
            access: declared?.resource.map { $0.components(separatedBy: "; ").filter { !$0.isEmpty } } ?? [],
            reason: declared?.reason, ticket: declared?.ticket, approvers: declared?.approvers ?? [],
            policy: declared?.policy.flatMap { $0.isEmpty ? nil : $0 },
            commit: history.records.last { $0.event.commit != nil }?.event.commit,
            pullRequest: history.records.last { $0.event.pullRequest != nil }?.event.pullRequest,
            startsAt: window.start, expiresAt: window.end, requestedSeconds: requested,
            activatedAt: history.activatedAt, revokedAt: history.revokedAt, heldSeconds: Self.milliseconds(held),
            ending: history.ending, endedAt: history.endedAt, lateSeconds: late.map(Self.milliseconds),
            isLate: (late ?? 0) > input.lateAfter,
            heldLongerThanAsked: requested.map { held > $0 + input.lateAfter } ?? false,
            breakGlass: history.breakGlass, onCallWaiver: history.onCallWaiver,
            failedRevocations: history.failedRevocations, heldRevocations: history.heldRevocations,
            denialReasons: history.denialReasons,
            events: inPeriod.map(Self.row))
    }

    private static func row(_ record: AuditTrail.Record) -> GrantEvent {
        let event = record.event
        return GrantEvent(
            time: event.time, event: event.event, outcome: event.outcome, subject: event.subject,
            resource: event.resource, permission: event.permission, previous: event.previous, error: event.error,
            source: "\(record.file):\(record.line)")
    }

    /// Per user (or team subject): grants, denials, time held in the period, the resources held.
    private static func userTotals(_ grants: [GrantReview], holdings: [Holding], period: ReviewPeriod, now: Date)
        -> [UsageTotal]
    {
        var totals: [String: UsageTotal] = [:]
        func empty(_ name: String) -> UsageTotal {
            UsageTotal(name: name, grants: 0, denied: 0, heldSeconds: 0, counterparts: [], late: 0, breakGlass: 0)
        }
        for grant in grants {
            // Decisions say `user alice@example.com`, permission events `alice@example.com`.
            let key = grant.subject.split(separator: " ", maxSplits: 1).last.map(String.init) ?? grant.subject
            var total = totals[key] ?? empty(key)
            if grant.activatedAt != nil { total.grants += 1 }
            if grant.ending == .denied { total.denied += 1 }
            if grant.isLate { total.late += 1 }
            if grant.breakGlass { total.breakGlass += 1 }
            totals[key] = total
        }
        for holding in holdings {
            let key = holding.subject
            var total = totals[key] ?? empty(key)
            total.heldSeconds = Self.milliseconds(total.heldSeconds + period.overlap(holding.from, holding.to ?? now))
            if !total.counterparts.contains(holding.resource) { total.counterparts.append(holding.resource) }
            totals[key] = total
        }
        return totals.values.map { total in
            var total = total
            total.counterparts.sort()
            return total
        }.sorted { $0.name < $1.name }
    }

    /// Per resource: the grants and subjects that held it, and for how long in the period.
    private static func resourceTotals(
        _ grants: [GrantReview], holdings: [Holding], period: ReviewPeriod, now: Date
    ) -> [UsageTotal] {
        let byName = Dictionary(grants.map { ($0.grant, $0) }) { first, _ in first }
        var totals: [String: (UsageTotal, Set<String>)] = [:]
        for holding in holdings {
            var (total, names) =
                totals[holding.resource]
                ?? (
                    UsageTotal(
                        name: holding.resource, grants: 0, denied: 0, heldSeconds: 0, counterparts: [], late: 0,
                        breakGlass: 0), []
                )
            total.heldSeconds = Self.milliseconds(total.heldSeconds + period.overlap(holding.from, holding.to ?? now))
            if !total.counterparts.contains(holding.subject) { total.counterparts.append(holding.subject) }
            names.formUnion(holding.grants)
            totals[holding.resource] = (total, names)
        }
        return totals.values.map { total, names in
            var total = total
            total.grants = names.count
            total.late = names.filter { byName[$0]?.isLate == true }.count
            total.breakGlass = names.filter { byName[$0]?.breakGlass == true }.count
            total.counterparts.sort()
            return total
        }.sorted { $0.name < $1.name }
    }

    /// Ledger entries still in force whose grants all ended: by the ledger's own record, or by the trail.
    private static func outstanding(
        _ ledgers: [ReviewInput.LedgerSnapshot], histories: [String: GrantHistory], now: Date
    ) -> [OutstandingRevocation] {
        var result: [OutstandingRevocation] = []
        for snapshot in ledgers {
            for change in snapshot.ledger.changes where change.undoneSince == nil {
                let ended = change.grants.allSatisfy { name in
                    if let record = snapshot.ledger.grants[name],
                        record.isExpired || (record.end.map { $0 <= now } ?? false)
                    {
                        return true
                    }
                    let history =
                        histories[key(name, snapshot.grafana, snapshot.org)]
                        ?? histories.values.first {
                            $0.name == name
                        }
                    return history.map { ![.active, .pending].contains($0.ending) } ?? false
                }
                guard ended || change.pending == .revoke else { continue }
                result.append(
                    OutstandingRevocation(
                        grafana: snapshot.grafana, org: snapshot.org, subject: change.subjectName,
                        resource: change.resourceName, permission: change.levelSet.description, grants: change.grants,
                        since: change.since, isPending: change.pending == .revoke))
            }
        }
        return result
    }
}
