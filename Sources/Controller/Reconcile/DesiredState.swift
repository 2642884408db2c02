import AccessModel
import Foundation
import GrafanaAPI

/// Turns the catalog into the bindings active grants require at `now`, and each grant's phase. Pure: the
/// snapshot, ledger and time come in as values. Also fixes windows in the ledger's grant records.
package struct DesiredState: Sendable {
    package var bindings: [Binding: DesiredBinding] = [:]
    /// Grant name → the service-account token it holds now (one per grant).
    package var tokens: [String: DesiredToken] = [:]
    package var outcomes: [String: GrantOutcome] = [:]
    /// The ledger's grant records after this pass (first seen, first activated, fixed window, expired).
    package var records: [String: GrantRecord]

    /// How many grants were decided afresh (the others' decisions were reused from the memo).
    package private(set) var decided = 0
    /// How many grants were looked at: every one, or only those changed or due (`Memo`).
    package private(set) var looked = 0
    /// The grants decided afresh or gone since the last report (`Memo.reported`): every other grant's decision is
    /// the one it reported. Nil when unknown (every grant was looked at since, or nothing was reported yet).
    package private(set) var redecided: Set<String>?
    /// Whether some grant's record differs from the ledger's (first seen, activated, its window changed, expired).
    package private(set) var changesRecords = false
    /// Each grant's decision by number: a grant whose number is the same as in an earlier pass has the same content
    /// and outcome as then.
    package private(set) var decisionNumbers: [String: UInt64] = [:]
    /// The bindings whose desired entry (level, grants, names) differs from the previous pass's, or that are no
    /// longer desired: the only keys whose desired state this pass changed. Every binding when nothing came before.
    package private(set) var changedBindings: Set<Binding> = []
    /// The earliest start, end, active-hours or shift change, or expiring-soon mark after now, with whose it is and
    /// which edge.
    package private(set) var nextDeadline: (date: Date, grant: String, edge: String)?
    private var deadlines = Deadlines()

    /// Some grant names a user, team, data source, folder or service account the facts lack.
    var namesUnknownObjects: Bool { outcomes.values.contains { $0.reason == .notFoundInGrafana } }

    /// A grant's phase and the facts status and audit report.
    package struct GrantOutcome: Sendable, Equatable {
        package var phase: Phase
        package var reason: Reason
        package var message: String
        package var window: GrantWindow?
        package var activatedAt: Date?
        package var policies: [String]
        package var bindings: [Binding]
        /// When the access changes because a policy's active hours start or end.
        package var nextChange: Date?
        /// A denial's findings, one each.
        package var reasons: [String] = []
    }

    package init(
        catalog: ResourceCatalog, snapshot: GrafanaSnapshot, records: [String: GrantRecord], now: Date,
        noticeLeads: [Duration] = []
    ) {
        var memo = Memo()
        self.init(
            catalog: catalog, snapshot: snapshot, records: records, now: now, memo: &memo, remembering: false,
            noticeLeads: noticeLeads)
    }

    /// What each grant came to in earlier passes, reused while nothing it was decided on has changed: the grant,
    /// its ledger record, the policies and bundles, the facts (by generation), on-call and incidents, and no edge
    /// of its own (start, end, active-hours change, shift end) has passed. Deciding is pure, so a reused decision
    /// is the one deciding again would make. A resync whose read of Grafana finds the same facts keeps them too.
    /// It also keeps the previous pass's desired state, which the next pass patches grant by grant: an event that
    /// decides one grant again costs that grant, not the repository.
    package struct Memo: Sendable {
        /// What an active grant holds now.
        fileprivate struct Holding: Sendable {
            var bindings: [(binding: Binding, level: Level, resourceName: String)] = []
            var token: DesiredToken?

            /// The highest level the grant asks on `binding` (its own items and its bundle's may both name it),
            /// with the first item's resource name, as `add` sums them.
            func level(on binding: Binding) -> (Level, String)? {
                let items = bindings.filter { $0.binding == binding }
                guard let first = items.first, let level = items.map(\.level).max() else { return nil }
                return (level, first.resourceName)
            }
        }

        /// A class: 10,000 of them are looked up every pass, and a lookup then costs one reference, not a copy.
        fileprivate final class Decision: Sendable {
            let grant: AccessGrant
            /// The ledger's record it was decided on, and the record deciding left.
            let record: GrantRecord
            let decided: GrantRecord
            let outcome: GrantOutcome
            let holding: Holding
            let decidedAt: Date
            let validUntil: Date?
            let number: UInt64
            /// The context (policies, bundles, facts, on-call, incidents) it was decided in.
            let context: UInt64

            init(
                grant: AccessGrant, record: GrantRecord, decided: GrantRecord, outcome: GrantOutcome,
                holding: Holding, decidedAt: Date, validUntil: Date?, number: UInt64, context: UInt64
            ) {
                (self.grant, self.record, self.decided, self.outcome) = (grant, record, decided, outcome)
                (self.holding, self.decidedAt, self.validUntil) = (holding, decidedAt, validUntil)
                (self.number, self.context) = (number, context)
            }

            func holds(at now: Date) -> Bool { decidedAt <= now && validUntil.map { now < $0 } ?? true }
        }

        fileprivate var policies: [String: AccessPolicy] = [:]
        fileprivate var bundles: [String: AccessBundle] = [:]
        fileprivate var facts: UInt64 = 0
        fileprivate var onCall: [String: Set<String>]?
        fileprivate var shiftEnds: [String: [String: Date]] = [:]
        fileprivate var incidents: [String: Bool]?
        fileprivate var leads: [Duration] = []
        /// Bumped when the context changes or is forgotten: decisions made before are decided again, but still
        /// tell what their grants held, for the patch.
        fileprivate var context: UInt64 = 0
        fileprivate var decisions: [String: Decision] = [:]
        fileprivate var lastNumber: UInt64 = 0
        /// The facts as policies see them, built once per context (5,000 users take a while).
        fileprivate var accessFacts: AccessFacts?
        /// The previous pass's desired state, patched by the next.
        fileprivate var last: DesiredState?
        /// The grants it was decided from (sorted by name), and when: the next pass looks again only at the grants
        /// that are not the very same values, those whose decision stops holding by then (`expiries`), and those
        /// whose record their decision changed (`unsettled`), while the context, the records and time go on alike.
        fileprivate var lastGrants: [AccessGrant]?
        fileprivate var lastNow: Date?
        fileprivate var expiries = Deadlines()
        fileprivate var unsettled: Set<String> = []
        /// The ledger's revision of the grant records the last desired state was decided on or left (0: unknown).
        fileprivate var recordsRevision: UInt64 = 0
        /// The grants decided afresh or gone since the last report (nil: unknown).
        fileprivate var unreported: Set<String>?

        package init() {}

        /// Decides each grant afresh at the next pass, every one looked at; numbers are never given twice.
        package mutating func forget() {
            context += 1
            lastGrants = nil
        }

        /// The ledger now holds the grant records the last desired state left, as this revision.
        package mutating func recordsSaved(revision: UInt64) {
            recordsRevision = revision
        }

        /// The last desired state's decisions were all reported.
        package mutating func reported() {
            unreported = []
        }

        /// A memo for a new context, numbering on from an earlier one so that no number is given twice.
        fileprivate init(numberedAfter number: UInt64) {
            lastNumber = number
        }

        /// Whether decisions made in this context still hold in that one.
        fileprivate func holds(for catalog: ResourceCatalog, _ snapshot: GrafanaSnapshot, leads: [Duration]) -> Bool {
            snapshot.generation != 0 && facts == snapshot.generation && onCall == snapshot.onCall
                && shiftEnds == snapshot.shiftEnds && incidents == snapshot.incidents && policies == catalog.policies
                && bundles == catalog.bundles && self.leads == leads
        }
    }

    /// As `init(catalog:snapshot:records:now:)`, deciding again only the grants whose decision in `memo` no
    /// longer holds and patching the previous pass's bindings, tokens, outcomes and deadlines with what changed.
    /// Leaves in `memo` the decisions of this pass unless `remembering` is false (a pass with no pass after it,
    /// such as `run --once`, need not hold 10,000 decisions).
    /// `recordsRevision` is the ledger's revision of `records` (0: unknown, every grant is looked at).
    package init(
        catalog: ResourceCatalog, snapshot: GrafanaSnapshot, records: [String: GrantRecord], now: Date,
        memo: inout Memo, remembering: Bool = true, noticeLeads: [Duration] = [], recordsRevision: UInt64 = 0
    ) {
        self.records = records
        if !remembering { memo = Memo(numberedAfter: memo.lastNumber) }
        let sameContext = memo.holds(for: catalog, snapshot, leads: noticeLeads)
        if !sameContext {
            (memo.policies, memo.bundles, memo.facts) = (catalog.policies, catalog.bundles, snapshot.generation)
            (memo.onCall, memo.shiftEnds, memo.incidents) = (snapshot.onCall, snapshot.shiftEnds, snapshot.incidents)
            memo.leads = noticeLeads
            memo.accessFacts = nil
            memo.context += 1
        }
        // Taken out of the memo so that this state is its only holder, and patching it does not copy it.
        if let last = memo.last {
            (bindings, tokens, outcomes) = (last.bindings, last.tokens, last.outcomes)
            (decisionNumbers, deadlines) = (last.decisionNumbers, last.deadlines)
            memo.last = nil
        }
        var patch = Patch()
        var evaluator: PolicyEvaluator?
        var present: Set<String>?
        var matched = 0
        let leads = noticeLeads.map(\.timeInterval)
        let looked: (grants: [AccessGrant], gone: [String])?
        if sameContext, recordsRevision != 0, recordsRevision == memo.recordsRevision,
            let lastNow = memo.lastNow, lastNow <= now, let lastGrants = memo.lastGrants
        {
            looked = Self.toLookAt(catalog, since: lastGrants, now: now, memo: &memo)
            assertLooksAtEveryChange(looked?.grants ?? [], catalog: catalog, records: records, now: now, memo: memo)
        } else {
            // Every grant is looked at: what is unsettled is found again.
            (looked, memo.unsettled) = (nil, [])
        }
        self.looked = looked?.grants.count ?? catalog.grants.count
        redecided = looked == nil ? nil : []
        for grant in looked?.grants ?? catalog.grants {
            let known = records[grant.name]
            let earlier = memo.decisions[grant.name]
            if earlier != nil { matched += 1 }
            if let earlier, earlier.context == memo.context, earlier.grant == grant, let known,
                earlier.record == known, earlier.holds(at: now)
            {
                if known != earlier.decided {
                    changesRecords = true
                    self.records[grant.name] = earlier.decided
                }
                if remembering, earlier.decided != earlier.record { memo.unsettled.insert(grant.name) }
                continue
            }
            let key = Self.contentKey(of: grant, catalog: catalog)
            if known == nil, present == nil { present = Set(catalog.grants.map(\.name)) }
            var record =
                known ?? Self.renamed(key, records: records, present: present ?? []) ?? GrantRecord(firstSeen: now)
            record.contentKey = key
            decided += 1
            if memo.accessFacts == nil { memo.accessFacts = snapshot.facts }
            let judge = evaluator ?? PolicyEvaluator(catalog: catalog, facts: memo.accessFacts ?? snapshot.facts)
            evaluator = judge
            var (decided, holding) = (record, Memo.Holding())
            let outcome = decide(
                grant, catalog: catalog, evaluator: judge, snapshot: snapshot, record: &decided, into: &holding,
                now: now)
            // It changes at its next edge; until then, or until what it was decided on changes, it holds. A record
            // made afresh (first seen, or renamed) is not the ledger's yet: decided again until it is.
            let edge = [outcome.window?.start, outcome.window?.end, outcome.nextChange].compactMap { $0 }
                .filter { $0 > now }.min()
            memo.lastNumber += 1
            let decision = Memo.Decision(
                grant: grant, record: known ?? record, decided: decided, outcome: outcome, holding: holding,
                decidedAt: now, validUntil: known == nil ? now : edge, number: memo.lastNumber, context: memo.context)
            replace(earlier, with: decision, patch: &patch, leads: leads)
            if remembering {
                memo.decisions[grant.name] = decision
                if let until = decision.validUntil {
                    memo.expiries.insert([.init(date: until, grant: grant.name, edge: "", decision: decision.number)])
                }
                if decision.decided != decision.record { memo.unsettled.insert(grant.name) }
            }
        }
        if let gone = looked?.gone {
            for name in gone {
                replace(memo.decisions[name], with: nil, patch: &patch, leads: leads)
                memo.decisions[name] = nil
            }
        } else if matched < memo.decisions.count {
            // Grants the memo knows that the catalog no longer holds: their files were deleted or broke.
            let present = present ?? Set(catalog.grants.map(\.name))
            for (name, gone) in memo.decisions where !present.contains(name) {
                replace(gone, with: nil, patch: &patch, leads: leads)
                memo.decisions[name] = nil
            }
        }
        finish(patch, decisions: memo.decisions)
        let current = decisionNumbers
        if let next = deadlines.next(after: now, grants: current.count, current: { current[$0] }) {
            nextDeadline = (next.date, next.grant, next.edge)
        }
        if remembering {
            // Decided since the last report, however many passes failed before theirs.
            memo.unreported = redecided.flatMap { mine in memo.unreported?.union(mine) }
            redecided = memo.unreported
            memo.last = self
            (memo.lastGrants, memo.lastNow) = (catalog.grants, now)
            memo.recordsRevision = changesRecords ? 0 : recordsRevision
            if memo.expiries.count > 64 + 4 * memo.decisions.count {
                let numbers = memo.decisions.mapValues(\.number)
                var kept = Deadlines()
                for (name, decision) in memo.decisions {
                    guard let until = decision.validUntil else { continue }
                    kept.insert([.init(date: until, grant: name, edge: "", decision: numbers[name] ?? 0)])
                }
                memo.expiries = kept
            }
        } else {
            (memo.lastGrants, redecided) = (nil, nil)
        }
    }

    /// The grants to look at when the context, the records and time go on as in the last pass: those that are not
    /// the very same values as then (changed, added), those whose decision stops holding by `now`, and those whose
    /// decision changed their record; and the names of those gone. Both lists are sorted by name. The very same
    /// value has the same name, so most grants are passed over without a name compared or hashed.
    private static func toLookAt(_ catalog: ResourceCatalog, since last: [AccessGrant], now: Date, memo: inout Memo)
        -> (grants: [AccessGrant], gone: [String])
    {
        let (grants, decisions) = (catalog.grants, memo.decisions)
        let due = memo.unsettled.union(memo.expiries.takeDue(atOrBefore: now) { decisions[$0]?.number })
        memo.unsettled = []
        var (looked, gone) = ([AccessGrant](), [String]())
        var (old, new) = (0, 0)
        while old < last.count || new < grants.count {
            if old < last.count, new < grants.count, grants[new].isIdentical(to: last[old]) {
                (old, new) = (old + 1, new + 1)
            } else if new == grants.count || (old < last.count && last[old].name < grants[new].name) {
                gone.append(last[old].name)
                old += 1
            } else {
                // Added, or the same name with another value.
                if old < last.count, grants[new].name == last[old].name { old += 1 }
                looked.append(grants[new])
                new += 1
            }
        }
        let changed = Set(looked.map(\.name))
        let dueGrants = due.subtracting(changed).compactMap(catalog.grant(named:))
        guard !dueGrants.isEmpty else { return (looked, gone) }
        return ((looked + dueGrants).sorted { $0.name < $1.name }, gone)
    }

    /// Every grant the memo would not reuse (the check of every pass before `toLookAt`) is looked at: checked in
    /// debug builds, which every test runs.
    private func assertLooksAtEveryChange(
        _ looked: [AccessGrant], catalog: ResourceCatalog, records: [String: GrantRecord], now: Date, memo: Memo
    ) {
        #if DEBUG
            let names = Set(looked.map(\.name))
            for grant in catalog.grants where !names.contains(grant.name) {
                let earlier = memo.decisions[grant.name]
                assert(
                    earlier?.context == memo.context && earlier?.grant == grant && records[grant.name] != nil
                        && earlier?.record == records[grant.name] && earlier?.holds(at: now) == true,
                    "the desired state skipped \(grant.name), which changed")
            }
        #endif
    }

    /// Counts what `earlier`, computed in the same pass on facts since read again, changed as changed here too.
    mutating func include(changesOf earlier: DesiredState) {
        changedBindings.formUnion(earlier.changedBindings)
        if let theirs = earlier.redecided { redecided?.formUnion(theirs) } else { redecided = nil }
    }

    /// The bindings a patch touched: each one's entry before it, and those that lost a grant (their level and
    /// names are worked out again from the grants left).
    private struct Patch {
        var before: [Binding: DesiredBinding?] = [:]
        var reduced: Set<Binding> = []
    }

    /// Puts one grant's new decision (nil: the grant is gone) in place of its earlier one.
    private mutating func replace(
        _ earlier: Memo.Decision?, with decision: Memo.Decision?, patch: inout Patch, leads: [TimeInterval]
    ) {
        guard let name = earlier?.grant.name ?? decision?.grant.name else { return }
        redecided?.insert(name)
        for held in earlier?.holding.bindings ?? [] {
            if patch.before[held.binding] == nil { patch.before[held.binding] = .some(bindings[held.binding]) }
            guard var entry = bindings[held.binding] else { continue }
            entry.grants.removeAll { $0 == name }
            bindings[held.binding] = entry.grants.isEmpty ? nil : entry
            if !entry.grants.isEmpty { patch.reduced.insert(held.binding) }
        }
        tokens[name] = decision?.holding.token
        outcomes[name] = decision?.outcome
        decisionNumbers[name] = decision?.number
        guard let decision else { return }
        if records[name] != decision.decided {
            changesRecords = true
            records[name] = decision.decided
        }
        for held in decision.holding.bindings {
            if patch.before[held.binding] == nil { patch.before[held.binding] = .some(bindings[held.binding]) }
            add(held.binding, level: held.level, grant: decision.grant, resourceName: held.resourceName)
        }
        deadlines.insert(Deadlines.edges(of: name, decision.outcome, decision: decision.number, leads: leads))
    }

    /// Works out again the bindings that lost a grant, from the grants that still hold them, and says which
    /// bindings came out different.
    private mutating func finish(_ patch: Patch, decisions: [String: Memo.Decision]) {
        for binding in patch.reduced {
            guard let entry = bindings[binding] else { continue }
            var rebuilt: DesiredBinding?
            for grant in entry.grants {
                guard let decision = decisions[grant], let (level, resourceName) = decision.holding.level(on: binding)
                else { continue }
                guard var found = rebuilt else {
                    rebuilt = DesiredBinding(
                        level: level, grants: entry.grants, subjectName: decision.grant.subject.name,
                        resourceName: resourceName)
                    continue
                }
                found.level = max(found.level, level)
                rebuilt = found
            }
            bindings[binding] = rebuilt
        }
        for (binding, before) in patch.before where bindings[binding] != before { changedBindings.insert(binding) }
    }

    /// What a start knows before it reads a file: these grants, each expired by the window the ledger recorded,
    /// and nothing desired.
    init(ended records: [String: GrantRecord]) {
        self.records = records
        for (grant, record) in records {
            outcomes[grant] = GrantOutcome(
                phase: .expired, reason: .windowEnded,
                message: "expired at \(record.end?.rfc3339 ?? "an earlier time") while the controller was stopped",
                window: nil, activatedAt: record.activatedAt, policies: [], bindings: [], nextChange: nil)
        }
    }

    /// The grant's outcome at `now`; the bindings and token it holds go into `holding`.
    private func decide(
        _ grant: AccessGrant, catalog: ResourceCatalog, evaluator: PolicyEvaluator, snapshot: GrafanaSnapshot,
        record: inout GrantRecord, into holding: inout Memo.Holding, now: Date
    ) -> GrantOutcome {
        if record.isExpired {
            return outcome(
                .expired, .windowEnded,
                "expired at \(record.end?.rfc3339 ?? "an earlier time"); the name stays expired", record: record)
        }
        // What Grafana does not have is a failure to report, not a policy verdict: check it first.
        let resolved: [Resolved]
        switch resolve(grant, items: catalog.accessItems(of: grant), snapshot: snapshot) {
        case .success(let bindings): resolved = bindings
        case .failure(let problem): return outcome(.failed, problem.reason, problem.description, record: record)
        }
        var evaluation = evaluator.evaluate(grant, now: now, firstSeen: record.firstSeen)
        if case .undecided = evaluation.verdict, record.activatedAt != nil {
            // OnCall or Incident is unreachable: access already granted runs to its normal end (new access is not
            // granted). With Grafana's facts complete, only those two can leave a verdict undecided.
            let assumed = evaluator.facts.assumingContext(for: grant, catalog: catalog)
            evaluation = PolicyEvaluator(catalog: catalog, facts: assumed).evaluate(
                grant, now: now, firstSeen: record.firstSeen)
        }
        let allowances: [ItemAllowance]
        // A denial comes from the policy the grant names, or from every policy it was checked against.
        let judges = grant.policy.map { [$0] } ?? catalog.policyNames
        switch evaluation.verdict {
        case .denied(let denials):
            var result = outcome(
                .denied, .policyDenied, denials.map(\.message).joined(separator: "; "), policies: judges,
                record: record)
            result.reasons = denials.map(\.message)
            return result
        case .undecided(let notes):
            // Facts the controller cannot get (on-call) deny: it fails closed.
            var result = outcome(
                .denied, .policyDenied, "cannot be decided: " + notes.map(\.message).joined(separator: "; "),
                policies: judges, record: record)
            result.reasons = notes.map { "cannot be decided: " + $0.message }
            return result
        case .allowed(let allowed):
            allowances = allowed
        }
        let window = fixedWindow(evaluation.window, allowances: allowances, catalog: catalog, record: record)
        let policies = Array(Set(allowances.map(\.policy))).sorted()
        switch window.phase(at: now) {
        case .pending:
            return outcome(
                .pending, .scheduled, "starts at \(window.start.rfc3339)", window: window, policies: policies,
                record: record)
        case .expired:
            record.isExpired = true
            record.end = window.end
            return outcome(
                .expired, .windowEnded, "expired at \(window.end.rfc3339)", window: window, policies: policies,
                record: record)
        case .active:
            break
        }
        if record.activatedAt == nil {
            record.activatedAt = now
            record.start = window.start
        }
        record.end = window.end
        // Items whose policy limits its hours count only inside them; the rest of the window still runs.
        var inside: [Binding] = []
        var insideCount = 0
        var nextChange: Date?
        for (item, allowance) in zip(resolved, allowances) {
            let hours = catalog.policies[allowance.policy]?.activeHours
            if let change = hours?.nextChange(after: now), change < window.end {
                nextChange = min(nextChange ?? change, change)
            }
            guard hours?.contains(now) ?? true else { continue }
            insideCount += 1
            switch item {
            case .binding(let binding, let level, let resourceName):
                holding.bindings.append((binding, level, resourceName))
                inside.append(binding)
            case .token(let account):
                holding.token = DesiredToken(
                    serviceAccountID: account.id, serviceAccountName: account.name, subjectName: grant.subject.name,
                    end: window.end)
            }
        }
        // Access that needs its subject on call ends with the shift: wake up then, not at the next resync.
        let shiftEnd = Self.shiftEnd(
            of: grant, allowances: allowances, catalog: catalog, snapshot: snapshot, facts: evaluator.facts)
        if let shiftEnd, shiftEnd < window.end { nextChange = min(nextChange ?? shiftEnd, shiftEnd) }
        guard insideCount > 0 else {
            let again = nextChange.map { "; active again at \($0.rfc3339)" } ?? ""
            var result = outcome(
                .pending, .outsideActiveHours,
                "outside the active hours of policy \(policies.joined(separator: ", "))\(again)",
                window: window, policies: policies, record: record)
            result.nextChange = nextChange
            return result
        }
        let paused = insideCount < resolved.count ? "; some access waits for its policy's active hours" : ""
        let shift = shiftEnd.map { "; on call until \($0.rfc3339)" } ?? ""
        var result = outcome(
            .active, .applied, "active until \(window.end.rfc3339)\(shift)\(paused)", window: window,
            policies: policies,
            record: record, bindings: inside)
        result.nextChange = nextChange
        return result
    }

    /// When the subject's on-call duty for this grant ends: the latest end of its current shifts in the
    /// schedules its policies' `requireOnCall` name. Nil when none is required, or when some schedule it is on
    /// call in does not say.
    static func shiftEnd(
        of grant: AccessGrant, allowances: [ItemAllowance], catalog: ResourceCatalog, snapshot: GrafanaSnapshot,
        facts: AccessFacts
    ) -> Date? {
        guard case .user(let reference) = grant.subject, snapshot.onCall != nil else { return nil }
        let identities = facts.identities(of: reference)
        let schedules = Set(allowances.flatMap { catalog.policies[$0.policy]?.requireOnCall ?? [] })
        var latest: Date?
        // The facts hold the roster already resolved to accounts.
        for schedule in schedules where !(facts.onCall[schedule] ?? []).isDisjoint(with: identities) {
            let ends = (snapshot.shiftEnds[schedule] ?? [:]).filter {
                !snapshot.accounts([$0.key]).isDisjoint(with: identities)
            }
            guard let end = ends.values.max() else { return nil }
            latest = max(latest ?? end, end)
        }
        return latest
    }

    /// Subject and access items, sorted: the same request under whatever name.
    static func contentKey(of grant: AccessGrant, catalog: ResourceCatalog) -> String {
        ([grant.subject.description] + catalog.accessItems(of: grant).map(\.summary).sorted()).joined(separator: "|")
    }

    /// The record of a grant whose name is gone but whose content matches: the same grant, renamed. Of several, the
    /// first seen, then the first by name (never the dictionary's order, which differs from one copy to the next).
    private static func renamed(_ key: String, records: [String: GrantRecord], present: Set<String>) -> GrantRecord? {
        records.filter { !present.contains($0.key) && $0.value.contentKey == key }
            .min { ($0.value.firstSeen, $0.key) < ($1.value.firstSeen, $1.key) }?.value
    }

    /// Once active, a window may shrink but never outgrow the strictest `maxDuration` from its first activation,
    /// whatever later edits to `duration`, `startsAt` or `expiresAt` say.
    private func fixedWindow(
        _ window: GrantWindow, allowances: [ItemAllowance], catalog: ResourceCatalog, record: GrantRecord
    ) -> GrantWindow {
        guard let activatedAt = record.activatedAt else { return window }
        let maxDuration = allowances.compactMap { catalog.policies[$0.policy]?.maxDuration.timeInterval }.min() ?? 0
        let start = record.start ?? window.start
        return GrantWindow(start: start, end: min(window.end, activatedAt.addingTimeInterval(maxDuration)))
    }

    /// An access item in Grafana's terms: a binding at a level (with the resource's name), or a token to create.
    private enum Resolved {
        case binding(Binding, Level, String)
        case token(GrafanaServiceAccount)
    }

    private func resolve(_ grant: AccessGrant, items: [AccessItem], snapshot: GrafanaSnapshot)
        -> Result<[Resolved], ReferenceProblem>
    {
        let principal: Binding.Principal
        switch grant.subject {
        case .user(let reference):
            switch snapshot.user(reference) {
            case .success(let user): principal = .user(user.id)
            case .failure(let problem): return .failure(problem)
            }
        case .team(let name):
            guard let team = snapshot.teams[name] else {
                return .failure(.missing("team \(name) does not exist in Grafana"))
            }
            principal = .team(team.id)
        }
        var resolved: [Resolved] = []
        for item in items {
            switch item.target {
            case .dataSource(let reference, let permission):
                let source: GrafanaDataSource
                switch snapshot.dataSource(reference) {
                case .success(let found): source = found
                case .failure(let problem): return .failure(problem)
                }
                resolved.append(
                    .binding(Binding(principal, on: .dataSource(source.uid)), Level(permission), source.name))
            case .team(let name, let role):
                guard let team = snapshot.teams[name] else {
                    return .failure(.missing("team \(name) does not exist in Grafana"))
                }
                resolved.append(.binding(Binding(principal, on: .team(team.id)), Level(role), name))
            case .orgRole(let role):
                resolved.append(.binding(Binding(principal, on: .orgRole), Level(role), "organization"))
            case .folder(let reference, let permission):
                let folder: GrafanaFolder
                switch snapshot.folder(reference) {
                case .success(let found): folder = found
                case .failure(let problem): return .failure(problem)
                }
                resolved.append(.binding(Binding(principal, on: .folder(folder.uid)), Level(permission), folder.title))
            case .serviceAccountToken(let name, let role):
                guard let account = snapshot.serviceAccounts[name] else {
                    return .failure(.missing("service account \(name) does not exist in Grafana"))
                }
                // A token acts with its account's role: an account above the role asked for would hand out more.
                guard let held = OrgRole(rawValue: account.role), held <= role, !account.isDisabled else {
                    let state =
                        account.isDisabled ? "is disabled" : "has the \(account.role) role, above \(role.rawValue)"
                    return .failure(.missing("service account \(name) \(state)"))
                }
                resolved.append(.token(account))
            }
        }
        return .success(resolved)
    }

    /// Adds one grant's binding: the highest level any grant asks, every grant that asks, and the names as the
    /// first grant by name writes them (so that the result does not depend on the order grants come in).
    private mutating func add(_ binding: Binding, level: Level, grant: AccessGrant, resourceName: String) {
        guard var entry = bindings[binding] else {
            bindings[binding] = DesiredBinding(
                level: level, grants: [grant.name], subjectName: grant.subject.name, resourceName: resourceName)
            return
        }
        entry.level = max(entry.level, level)
        let index = entry.grants.firstIndex { $0 >= grant.name } ?? entry.grants.endIndex
        if index == entry.grants.endIndex || entry.grants[index] != grant.name {
            entry.grants.insert(grant.name, at: index)
            if index == 0 { (entry.subjectName, entry.resourceName) = (grant.subject.name, resourceName) }
        }
        bindings[binding] = entry
    }

    private func outcome(
        _ phase: Phase, _ reason: Reason, _ message: String, window: GrantWindow? = nil, policies: [String] = [],
        record: GrantRecord, bindings: [Binding] = []
    ) -> GrantOutcome {
        GrantOutcome(
            phase: phase, reason: reason, message: message, window: window, activatedAt: record.activatedAt,
            policies: policies, bindings: bindings, nextChange: nil)
    }
}

/// A service-account token a grant holds while it is active.
package struct DesiredToken: Sendable, Equatable {
    package var serviceAccountID: Int
    package var serviceAccountName: String
    package var subjectName: String
    /// The grant's end: the token's expiry in Grafana too.
    package var end: Date
}

extension Subject {
    /// The login, email or team name, as written.
    package var name: String {
        switch self {
        case .user(let reference): reference
        case .team(let name): name
        }
    }
}

extension AccessFacts {
    /// These facts with what OnCall and Incident could not tell assumed in the grant's favour (its subject on call
    /// everywhere, its incident active): for keeping access already granted while they cannot be asked.
    func assumingContext(for grant: AccessGrant, catalog: ResourceCatalog) -> AccessFacts {
        var facts = self
        if !knowsIncidents, let incident = grant.incident {
            facts.knowsIncidents = true
            facts.incidents[incident] = true
        }
        guard !knowsOnCall, case .user(let reference) = grant.subject else { return facts }
        facts.knowsOnCall = true
        let identities = self.identities(of: reference)
        for schedule in GrafanaSnapshot.schedules(in: catalog) {
            facts.onCall[schedule, default: []].formUnion(identities)
        }
        return facts
    }
}
