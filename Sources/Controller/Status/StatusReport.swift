import AccessModel
import Foundation

/// The status report (pure): each grant's status after a pass, and what the pass has to say about it: the phase
/// changes to log, the decisions to audit and the notices to send. Values in, values out; the reconciler logs,
/// audits, saves and sends what it holds.
struct StatusReport {
    /// The statuses built this pass, to save (the storage writes only those whose content changed). A grant whose
    /// status is made of the same inputs as last pass's has none.
    private(set) var statuses: [GrantStatus] = []
    /// Every grant's phase, built this pass or kept from the last.
    private(set) var phases: [String: Phase] = [:]
    /// The `grant.phaseChanged` lines to log, in order.
    private(set) var phaseChanges: [PhaseChange] = []
    /// The grant decisions to audit, in order.
    private(set) var events: [AuditEvent] = []
    private(set) var notices: [GrantNotification] = []
    /// What each grant's status was made of, for the next pass's report.
    private(set) var inputs: [String: Input] = [:]
    /// The grants whose input was not quiet (something written, failing, waiting or fallen back): the next report
    /// looks at them again even when nothing else changed.
    private(set) var noisy: Set<String> = []
    /// The grants in `phases` only for a status this report built of a grant not in the catalog (deleted, or left
    /// out for its errors): the next report has no phase for them unless it builds one again.
    private(set) var outside: Set<String> = []
    private let policy: NoticePolicy
    private let now: Date

    /// What a pass decided and did, which the report tells.
    struct Pass {
        var catalog: ResourceCatalog
        var desired: DesiredState
        var writes: Writes
        /// Files that fail to parse, whose last valid content is in force.
        var fellBack: [DecodedFile]
        /// Grants left out for their errors (by name, with the file and the first error).
        var rejected: [String: (file: String, error: String)]
        /// The grants checkout's commit and pull request.
        var provenance: Provenance?
    }

    /// What the pass's writes came to, per grant.
    struct Writes {
        /// The changes made for each grant.
        var changes: [String: [String]] = [:]
        /// Why a change of each grant failed.
        var errors: [String: String] = [:]
        /// Grants Grafana refused to apply for good.
        var refusals: [String: String] = [:]
        /// Grants waiting on an object that could not be read or is not yet due, with why and the status reason.
        var blocked: [String: (message: String, reason: Reason)] = [:]
    }

    /// What the last report left: each grant's status, what it was made of, its phase, and the provenance it
    /// claimed (without the phases, every grant's status is looked at).
    struct Previous {
        var statuses: [String: GrantStatus]
        var inputs: [String: Input]
        var phases: [String: Phase] = [:]
        var provenance: Provenance?
        /// The last report's `noisy`; nil when unknown (every grant is looked at).
        var noisy: Set<String>?
        /// The last report's `outside`.
        var outside: Set<String> = []
    }

    /// The same every pass: where the controller writes, and how notices go.
    struct Settings {
        /// The instance and org every status names.
        var target: Target
        /// Lead times before a grant's end at which an expiring-soon notice goes out.
        var expiryNotices: [Duration]
        /// Notices are sent: an active grant is then looked at every pass, since its expiring-soon marks come due
        /// with time.
        var sendsNotices: Bool
    }

    /// A `grant.phaseChanged` log line.
    struct PhaseChange: Equatable {
        var level: Logger.Level
        var fields: [String: String]
    }

    /// Everything a grant's status is made of, besides its previous status: equal inputs make an equal status. The
    /// grant and its outcome are one decision's (`DesiredState.decisionNumbers`).
    struct Input: Equatable {
        var decision: UInt64?
        var changes: [String]?
        var error: String?
        var refusal: String?
        var blocked: String?
        var fallback: String?
        var claim: (commit: String, pullRequest: Int?)?

        /// Nothing was written for the grant, nothing failed or waited, and its file parsed.
        var isQuiet: Bool { changes == nil && error == nil && refusal == nil && blocked == nil && fallback == nil }

        static func == (lhs: Input, rhs: Input) -> Bool {
            lhs.decision != nil && lhs.decision == rhs.decision && lhs.changes == rhs.changes
                && lhs.error == rhs.error && lhs.refusal == rhs.refusal && lhs.blocked == rhs.blocked
                && lhs.fallback == rhs.fallback && lhs.claim?.commit == rhs.claim?.commit
                && lhs.claim?.pullRequest == rhs.claim?.pullRequest
        }
    }

    /// `previous` is consumed: its inputs become this report's, updated in place. When the desired state looked only
    /// at the grants that changed or fell due (`DesiredState.redecided`), the report looks only at those, the ones
    /// written, failing or waiting now, and the ones that were last time (`noisy`); every other grant keeps its phase
    /// and status without a lookup.
    init(_ pass: Pass, previous: consuming Previous, settings: Settings, now: Date) {
        policy = NoticePolicy(
            target: settings.target, provenance: pass.provenance, expiryNotices: settings.expiryNotices)
        self.now = now
        let written = Set(pass.writes.changes.keys).union(pass.writes.errors.keys).union(pass.writes.refusals.keys)
            .union(pass.writes.blocked.keys)
        let sameClaims = previous.provenance == pass.provenance
        let seen = Seen(
            written: written, fallbacks: Dictionary(pass.fellBack.map { ($0.path, $0) }) { first, _ in first },
            sameClaims: sameClaims)
        let onlyChanged: Set<String>? =
            if sameClaims, pass.fellBack.isEmpty, pass.rejected.isEmpty, !settings.sendsNotices,
                let redecided = pass.desired.redecided, let noisy = previous.noisy
            {
                redecided.union(written).union(noisy)
            } else {
                nil
            }
        #if DEBUG
            var whole = onlyChanged == nil ? nil : copy previous
            whole?.noisy = nil
        #endif
        inputs = previous.inputs
        previous.inputs = [:]
        if let names = onlyChanged {
            (phases, noisy) = (previous.phases, previous.noisy ?? [])
            previous.phases = [:]
            // Statuses of grants outside the catalog (deleted, or left out for errors then): gone unless built again.
            for name in previous.outside where pass.catalog.grant(named: name) == nil { drop(name) }
            for name in names.sorted() {
                if let grant = pass.catalog.grant(named: name) {
                    // Set again by the look, or by the status it builds.
                    let phase = phases.removeValue(forKey: name)
                    look(at: grant, phase: phase, pass: pass, previous: previous, settings: settings, seen: seen)
                    continue
                }
                drop(name)
                guard let before = previous.statuses[name], before.phase == .active else { continue }
                reportDeletion(name, previous: before, removalFailed: pass.writes.errors[name] != nil)
            }
        } else {
            reportEveryGrant(pass, previous: previous, settings: settings, seen: seen)
        }
        for index in statuses.indices {
            statuses[index].grafana = settings.target.grafana
            statuses[index].org = settings.target.org
        }
        for status in statuses { phases[status.name] = phases[status.name] ?? status.phase }
        outside = Set(statuses.lazy.map(\.name).filter { pass.catalog.grant(named: $0) == nil })
        #if DEBUG
            if let whole {
                let full = StatusReport(pass, previous: whole, settings: settings, now: now)
                assertSame(as: full)
            }
        #endif
    }

    /// A grant no longer in the catalog: no phase, input or noise kept for it.
    private mutating func drop(_ name: String) {
        (phases[name], inputs[name]) = (nil, nil)
        noisy.remove(name)
    }

    /// The report of what changed came out as the whole report (debug builds).
    private func assertSame(as full: StatusReport) {
        let statusesByName = { (report: StatusReport) in Dictionary(report.statuses.map { ($0.name, $0) }) { $1 } }
        let (mine, theirs) = (statusesByName(self), statusesByName(full))
        let differing = Set(phases.keys).union(full.phases.keys).filter { phases[$0] != full.phases[$0] }
            .union(Set(inputs.keys).union(full.inputs.keys).filter { inputs[$0] != full.inputs[$0] })
            .union(Set(mine.keys).union(theirs.keys).filter { mine[$0] != theirs[$0] })
            .union(noisy.symmetricDifference(full.noisy)).union(outside.symmetricDifference(full.outside))
        assert(
            differing.isEmpty && events.count == full.events.count && phaseChanges.count == full.phaseChanges.count,
            "the report of the grants that changed differs from the whole report for \(differing.sorted())")
    }

    /// Every grant looked at: a first report, a new provenance, files fallen back, grants rejected, notices to send
    /// (an active grant's marks come due with time), or a desired state that looked at every grant.
    private mutating func reportEveryGrant(
        _ pass: Pass, previous: borrowing Previous, settings: Settings, seen: Seen
    ) {
        phases.reserveCapacity(pass.catalog.grants.count)
        var reported = 0
        for grant in pass.catalog.grants {
            let phase = previous.phases[grant.name]
            if look(at: grant, phase: phase, pass: pass, previous: previous, settings: settings, seen: seen) {
                reported += 1
            }
        }
        for (name, problem) in pass.rejected.sorted(by: { $0.key < $1.key }) {
            reportInvalid(name, problem, previous: previous.statuses[name])
        }
        let present = Set(pass.catalog.grants.map(\.name)).union(pass.rejected.keys)
        if inputs.count > reported { inputs = inputs.filter { present.contains($0.key) } }
        // By name first: copying every status to look at its phase cost more than the rest of the report.
        for name in previous.statuses.keys where !present.contains(name) {
            guard let before = previous.statuses[name], before.phase == .active else { continue }
            reportDeletion(name, previous: before, removalFailed: pass.writes.errors[name] != nil)
        }
    }

    /// What the pass did that every grant's look needs.
    private struct Seen {
        /// Grants written, failing, refused or waiting this pass.
        var written: Set<String>
        /// Files fallen back to their last valid content, by path.
        var fallbacks: [String: DecodedFile]
        /// The checkout's provenance is the last report's.
        var sameClaims: Bool
    }

    /// One valid grant's status (`phase`: its phase in the last report); returns whether it was reported (it has an
    /// outcome).
    @discardableResult
    private mutating func look(
        at grant: AccessGrant, phase: Phase?, pass: Pass, previous: borrowing Previous, settings: Settings, seen: Seen
    ) -> Bool {
        let fallback = seen.fallbacks.isEmpty ? nil : seen.fallbacks[grant.metadata.location.file]
        // Decided as last pass, with nothing written, waiting or fallen back then or now: last pass's status, at
        // the cost of a few lookups.
        if seen.sameClaims, !seen.written.contains(grant.name),
            let phase, let before = inputs[grant.name], before.isQuiet,
            before.decision == pass.desired.decisionNumbers[grant.name], fallback == nil,
            !settings.sendsNotices || phase != .active
        {
            phases[grant.name] = phase
            noisy.remove(grant.name)
            return true
        }
        guard let decision = pass.desired.outcomes[grant.name] else { return false }
        let input = Input(
            decision: pass.desired.decisionNumbers[grant.name], changes: pass.writes.changes[grant.name],
            error: pass.writes.errors[grant.name], refusal: pass.writes.refusals[grant.name],
            blocked: pass.writes.blocked[grant.name]?.message, fallback: fallback?.errors.first?.message,
            claim: pass.provenance?.claim(for: grant.name))
        if input.isQuiet { noisy.remove(grant.name) } else { noisy.insert(grant.name) }
        let (before, last) = (previous.statuses[grant.name], inputs.updateValue(input, forKey: grant.name))
        // Made of the same as last pass's, the status is last pass's: not built, compared or written again.
        // An active grant with expiry notices to send is looked at each pass: its marks come due with time.
        if let before, last == input, !settings.sendsNotices || decision.phase != .active {
            phases[grant.name] = before.phase
            return true
        }
        report(grant, decision, pass: pass, previous: before, fallback: fallback)
        return true
    }

    /// A valid grant's status; a new phase is logged, audited and perhaps notified.
    private mutating func report(
        _ grant: AccessGrant, _ decision: DesiredState.GrantOutcome, pass: Pass, previous: GrantStatus?,
        fallback: DecodedFile?
    ) {
        var (status, reason) = Self.status(of: grant, decision, pass: pass, previous: previous)
        if let fallback {
            status.message +=
                "; the file fails to parse (\(fallback.errors.first?.message ?? "")), its last valid content is in force"
        }
        let generation = Self.generation(of: grant)
        status.conditions = Self.conditions(
            status, reason: reason, previous: previous, generation: generation, now: now)
        (status.commit, status.pullRequest) = Self.provenance(
            previous: previous, generation: generation, claim: pass.provenance?.claim(for: grant.name))
        if previous?.phase != status.phase {
            var change = PhaseChange(
                grant.name, to: status, from: previous?.phase, reason: reason,
                level: status.phase == .denied ? .warning : .info)
            if !decision.reasons.isEmpty { change.fields["reasons"] = decision.reasons.joined(separator: "; ") }
            phaseChanges.append(change)
            events.append(Self.decision(grant, status: status, catalog: pass.catalog, now: now))
            if let notice = policy.phaseNotice(
                status, previous: previous, reasons: decision.reasons,
                removalFailed: pass.writes.errors[grant.name] != nil, now: now)
            {
                notices.append(notice)
            }
        }
        if let notice = policy.expiryNotice(&status, previous: previous, now: now) { notices.append(notice) }
        statuses.append(status)
    }

    /// A grant left out for its errors: `Invalid`, granting nothing.
    private mutating func reportInvalid(
        _ name: String, _ problem: (file: String, error: String), previous: GrantStatus?
    ) {
        var status =
            previous
            ?? GrantStatus(
                name: name, file: problem.file, subject: "", access: [], phase: .invalid, message: "",
                activatedAt: nil, startsAt: nil, expiresAt: nil, policies: [], conditions: [], changes: [],
                lastError: nil)
        status.phase = .invalid
        status.message = "the grant has errors and grants nothing: \(problem.error)"
        status.lastError = problem.error
        status.conditions = Self.conditions(status, reason: .invalidSpec, previous: previous, generation: "", now: now)
        if previous?.phase != .invalid {
            phaseChanges.append(
                PhaseChange(name, to: status, from: previous?.phase, reason: .invalidSpec, level: .warning))
            var event = AuditEvent(time: now, event: "grant.invalid", grant: name, outcome: "Invalid")
            event.file = problem.file
            event.error = problem.error
            events.append(event)
        }
        statuses.append(status)
    }

    /// An active grant whose file is gone: its access was revoked, so it is `Expired`.
    private mutating func reportDeletion(_ name: String, previous: GrantStatus, removalFailed: Bool) {
        var gone = previous
        gone.phase = .expired
        gone.message = "the grant file was deleted; its access was revoked"
        gone.conditions = Self.conditions(
            gone, reason: .revokedByDeletion, previous: previous, generation: "", now: now)
        statuses.append(gone)
        phaseChanges.append(PhaseChange(name, to: gone, from: previous.phase, reason: .revokedByDeletion, level: .info))
        var event = AuditEvent(time: now, event: "grant.revokedByDeletion", grant: name, outcome: "revoked")
        event.file = previous.file
        event.subject = previous.subject
        events.append(event)
        notices.append(policy.deletionNotice(gone, removalFailed: removalFailed, now: now))
    }

    /// A grant's status as its decision makes it, unless Grafana refused it, it waits on an object, or a change
    /// failed; with the reason its condition gives.
    private static func status(
        of grant: AccessGrant, _ decision: DesiredState.GrantOutcome, pass: Pass, previous: GrantStatus?
    ) -> (GrantStatus, Reason) {
        let writes = pass.writes
        var status = GrantStatus(
            name: grant.name, file: grant.metadata.location.file, subject: grant.subject.description,
            access: pass.catalog.accessItems(of: grant).map(\.summary), phase: decision.phase,
            message: decision.message, activatedAt: decision.activatedAt, startsAt: decision.window?.start,
            expiresAt: decision.window?.end, policies: decision.policies, conditions: previous?.conditions ?? [],
            changes: writes.changes[grant.name] ?? previous?.changes ?? [], lastError: writes.errors[grant.name])
        var reason = decision.reason
        if let refusal = writes.refusals[grant.name] {
            (status.phase, status.message, reason) = (.failed, refusal, .applyFailed)
        } else if let blocked = writes.blocked[grant.name], decision.phase == .active {
            (status.phase, status.message, reason) = (.failed, blocked.message, blocked.reason)
        } else if let failure = writes.errors[grant.name], decision.phase == .active {
            (status.phase, status.message, reason) = (.failed, "a change failed: \(failure)", .applyFailed)
        }
        return (status, reason)
    }

    /// The commit that brought this version of the grant: kept while the content stays the same.
    private static func provenance(
        previous: GrantStatus?, generation: String, claim: (commit: String, pullRequest: Int?)?
    ) -> (commit: String?, pullRequest: Int?) {
        if let previous, previous.conditions.first?.observedGeneration == generation, previous.commit != nil,
            previous.commit != Provenance.uncommitted
        {
            return (previous.commit, previous.pullRequest)
        }
        guard let claim else { return (nil, nil) }
        return (claim.commit, claim.pullRequest)
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

extension StatusReport.PhaseChange {
    /// `grant` moved from `previous` (`none`: no status before) to `status`'s phase, for `reason`.
    init(_ grant: String, to status: GrantStatus, from previous: Phase?, reason: Reason, level: Logger.Level) {
        self.init(
            level: level,
            fields: [
                "grant": grant, "phase": status.phase.rawValue, "previous": previous?.rawValue ?? "none",
                "reason": reason.rawValue, "message": status.message,
            ])
    }
}
