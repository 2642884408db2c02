import AccessModel
import Foundation
import GrafanaAPI

/// Everything a grant's status is made of, besides its previous status: equal inputs make an equal status. The
/// grant and its outcome are one decision's (`DesiredState.decisionNumbers`).
struct ReportInput: Equatable {
    var decision: UInt64?
    var changes: [String]?
    var error: String?
    var refusal: String?
    var blocked: String?
    var fallback: String?
    var claim: (commit: String, pullRequest: Int?)?

    static func == (lhs: ReportInput, rhs: ReportInput) -> Bool {
        lhs.decision != nil && lhs.decision == rhs.decision && lhs.changes == rhs.changes && lhs.error == rhs.error
            && lhs.refusal == rhs.refusal && lhs.blocked == rhs.blocked && lhs.fallback == rhs.fallback
            && lhs.claim?.commit == rhs.claim?.commit && lhs.claim?.pullRequest == rhs.claim?.pullRequest
    }
}

/// Status files and grant-decision audit events, after a pass.
extension Reconciler {
    func report(
        catalog: ResourceCatalog, desired: DesiredState, invalid: [DecodedFile],
        rejected: [String: (file: String, error: String)], outcome: ExecutionOutcome, now: Date
    ) async throws -> [String: Phase] {
        var next: [GrantStatus] = []
        var events: [AuditEvent] = []
        var notices: [GrantNotification] = []
        var phases: [String: Phase] = [:]
        var inputs: [String: ReportInput] = [:]
        inputs.reserveCapacity(catalog.grants.count)
        let fallbacks = Dictionary(invalid.map { ($0.path, $0) }) { first, _ in first }
        for grant in catalog.grants {
            guard let result = desired.outcomes[grant.name] else { continue }
            let previous = statuses[grant.name]
            let input = ReportInput(
                decision: desired.decisionNumbers[grant.name], changes: outcome.changes[grant.name],
                error: outcome.errors[grant.name],
                refusal: outcome.refusals[grant.name], blocked: outcome.blocked[grant.name]?.message,
                fallback: fallbacks[grant.metadata.location.file]?.errors.first?.message,
                claim: provenance?.claim(for: grant.name))
            inputs[grant.name] = input
            // Made of the same as last pass's, the status is last pass's: not built, compared or written again.
            // An active grant with expiry notices to send is looked at each pass: its marks come due with time.
            if let previous, reportInputs[grant.name] == input, notifier == nil || result.phase != .active {
                phases[grant.name] = previous.phase
                continue
            }
            var status = GrantStatus(
                name: grant.name, file: grant.metadata.location.file, subject: grant.subject.description,
                access: catalog.accessItems(of: grant).map(\.summary), phase: result.phase, message: result.message,
                activatedAt: result.activatedAt, startsAt: result.window?.start, expiresAt: result.window?.end,
                policies: result.policies, conditions: previous?.conditions ?? [],
                changes: outcome.changes[grant.name] ?? previous?.changes ?? [], lastError: outcome.errors[grant.name])
            var reason = result.reason
            if let refusal = outcome.refusals[grant.name] {
                (status.phase, status.message, reason) = (.failed, refusal, .applyFailed)
            } else if let blocked = outcome.blocked[grant.name], result.phase == .active {
                (status.phase, status.message, reason) = (.failed, blocked.message, blocked.reason)
            } else if let failure = outcome.errors[grant.name], result.phase == .active {
                (status.phase, status.message, reason) = (.failed, "a change failed: \(failure)", .applyFailed)
            }
            if let fallback = fallbacks[grant.metadata.location.file] {
                status.message +=
                    "; the file fails to parse (\(fallback.errors.first?.message ?? "")), its last valid content is in force"
            }
            let generation = Self.generation(of: grant)
            status.conditions = Self.conditions(
                status, reason: reason, previous: previous, generation: generation, now: now)
            // The commit that brought this version of the grant: kept while the content stays the same.
            if let previous, previous.conditions.first?.observedGeneration == generation, previous.commit != nil,
                previous.commit != Provenance.uncommitted
            {
                (status.commit, status.pullRequest) = (previous.commit, previous.pullRequest)
            } else if let claim = provenance?.claim(for: grant.name) {
                (status.commit, status.pullRequest) = claim
            } else {
                (status.commit, status.pullRequest) = (nil, nil)
            }
            if previous?.phase != status.phase {
                var fields = [
                    "grant": grant.name, "phase": status.phase.rawValue, "previous": previous?.phase.rawValue ?? "none",
                    "reason": reason.rawValue, "message": status.message,
                ]
                if !result.reasons.isEmpty { fields["reasons"] = result.reasons.joined(separator: "; ") }
                logger.log(status.phase == .denied ? .warning : .info, .grantPhaseChanged, fields)
                events.append(decision(grant, status: status, catalog: catalog, now: now))
                if let notice = phaseNotice(
                    status, previous: previous, reasons: result.reasons,
                    removalFailed: outcome.errors[grant.name] != nil, now: now)
                {
                    notices.append(notice)
                }
            }
            if let notice = expiryNotice(&status, previous: previous, now: now) { notices.append(notice) }
            next.append(status)
        }
        for (name, problem) in rejected.sorted(by: { $0.key < $1.key }) {
            var status =
                statuses[name]
                ?? GrantStatus(
                    name: name, file: problem.file, subject: "", access: [], phase: .invalid, message: "",
                    activatedAt: nil,
                    startsAt: nil, expiresAt: nil, policies: [], conditions: [], changes: [], lastError: nil)
            let previous = statuses[name]
            status.phase = .invalid
            status.message = "the grant has errors and grants nothing: \(problem.error)"
            status.lastError = problem.error
            status.conditions = Self.conditions(
                status, reason: .invalidSpec, previous: previous, generation: "", now: now)
            if previous?.phase != .invalid {
                logger.log(
                    .warning, .grantPhaseChanged,
                    [
                        "grant": name, "phase": Phase.invalid.rawValue, "previous": previous?.phase.rawValue ?? "none",
                        "reason": Reason.invalidSpec.rawValue, "message": status.message,
                    ])
                var event = AuditEvent(time: now, event: "grant.invalid", grant: name, outcome: "Invalid")
                event.file = problem.file
                event.error = problem.error
                events.append(event)
            }
            next.append(status)
        }
        let present = Set(catalog.grants.map(\.name)).union(rejected.keys)
        for (name, previous) in statuses where !present.contains(name) && previous.phase == .active {
            var gone = previous
            gone.phase = .expired
            gone.message = "the grant file was deleted; its access was revoked"
            gone.conditions = Self.conditions(
                gone, reason: .revokedByDeletion, previous: previous, generation: "", now: now)
            next.append(gone)
            logger.log(
                .info, .grantPhaseChanged,
                [
                    "grant": name, "phase": gone.phase.rawValue, "previous": previous.phase.rawValue,
                    "reason": Reason.revokedByDeletion.rawValue, "message": gone.message,
                ])
            var event = AuditEvent(time: now, event: "grant.revokedByDeletion", grant: name, outcome: "revoked")
            event.file = previous.file
            event.subject = previous.subject
            events.append(event)
            notices.append(deletionNotice(gone, removalFailed: outcome.errors[name] != nil, now: now))
        }
        for index in next.indices {
            next[index].grafana = configuration.target.grafana
            next[index].org = configuration.target.org
        }
        try await audit.record(events)
        try await saveStatuses(next)
        for status in next {
            statuses[status.name] = status
            phases[status.name] = phases[status.name] ?? status.phase
        }
        reportInputs = inputs
        await notifier?.send(notices)
        return phases
    }

    private func decision(
        _ grant: AccessGrant, status: GrantStatus, catalog: ResourceCatalog, now: Date
    ) -> AuditEvent {
        let names: [Phase: String] = [
            .active: "grant.activated", .denied: "grant.denied", .expired: "grant.expired", .pending: "grant.pending",
            .failed: "grant.failed", .invalid: "grant.invalid",
        ]
        var event = AuditEvent(
            time: now, event: names[status.phase] ?? "grant.changed", grant: grant.name, outcome: status.phase.rawValue)
        event.file = grant.metadata.location.file
        event.subject = status.subject
        event.resource = status.access.joined(separator: "; ")
        event.reason = grant.reason
        event.ticket = grant.ticket
        event.approvers = grant.approvedBy
        event.policy = status.policies.joined(separator: ",")
        if status.phase == .denied || status.phase == .failed { event.error = status.message }
        (event.startsAt, event.expiresAt) = (status.startsAt, status.expiresAt)
        guard status.phase == .active else { return event }
        let policies = status.policies.compactMap { catalog.policies[$0] }
        if policies.contains(where: { $0.requireOnCall != nil }) { event.breakGlass = true }
        if policies.contains(where: { Self.waivesApproval($0, for: grant) }) { event.onCallWaiver = true }
        return event
    }

    /// An allowed grant with fewer distinct approvers (the subject never counts) than its policy requires can only
    /// have passed through the policy's on-call waiver.
    private static func waivesApproval(_ policy: AccessPolicy, for grant: AccessGrant) -> Bool {
        guard let rule = policy.approval, rule.isRequired, policy.autoApprove != nil else { return false }
        let requester = grant.subject.name.lowercased()
        let approvers = Set(grant.approvedBy.map { $0.lowercased() }).subtracting([requester])
        return approvers.count < rule.minApprovals
    }

    /// A `Ready` condition, its transition time kept while its status holds.
    private static func conditions(
        _ status: GrantStatus, reason: Reason, previous: GrantStatus?, generation: String, now: Date
    ) -> [StatusCondition] {
        let ready = status.phase == .active ? "True" : "False"
        let old = previous?.conditions.first { $0.type == "Ready" }
        let since = old?.status == ready ? old?.lastTransitionTime ?? now : now
        return [
            StatusCondition(
                type: "Ready", status: ready, reason: reason, message: status.message, lastTransitionTime: since,
                observedGeneration: generation)
        ]
    }

    /// A short content hash, so status says which version of the grant it describes. Built from the fields
    /// themselves, never from reflection: a dictionary's order (the field locations) changes with every process,
    /// which made the generation, and so every status file, change at each restart.
    static func generation(of grant: AccessGrant) -> String {
        let end =
            switch grant.end {
            case .after(let duration): "after \(duration.components.seconds)"
            case .at(let date): "at \(date.timeIntervalSince1970)"
            }
        let fields: [String?] = [
            grant.name, grant.subject.description, grant.access.map(\.summary).joined(separator: ","), grant.bundle,
            end, grant.startsAt.map { "\($0.timeIntervalSince1970)" }, grant.reason, grant.ticket,
            grant.approvedBy.joined(separator: ","), grant.policy, grant.incident, grant.placement.grafana,
            grant.placement.org.map(String.init), grant.metadata.location.file,
        ]
        let text = fields.map { $0 ?? "-" }.joined(separator: "\u{1F}")
        let hash = text.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
