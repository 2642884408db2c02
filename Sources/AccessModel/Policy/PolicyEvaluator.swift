import Foundation

/// Decides each grant against the policies: deny by default; every access item must be allowed by one policy
/// whose subjects, resources, levels, maximum duration and approval rules all hold. Pure: the caller supplies
/// the catalog, the facts and the time, so the controller and `validate` reach the same verdict.
package struct PolicyEvaluator: Sendable {
    package var catalog: ResourceCatalog
    package var facts: AccessFacts

    package init(catalog: ResourceCatalog, facts: AccessFacts) {
        self.catalog = catalog
        self.facts = facts
    }

    /// `firstSeen` is when the controller first saw a grant without `startsAt` (its window starts then).
    package func evaluate(_ grant: AccessGrant, now: Date, firstSeen: Date? = nil) -> GrantEvaluation {
        let window = window(of: grant, startingBy: firstSeen ?? now)
        return GrantEvaluation(grant: grant.name, verdict: verdict(for: grant, window: window), window: window)
    }

    package func window(of grant: AccessGrant, startingBy defaultStart: Date) -> GrantWindow {
        let start = grant.startsAt ?? defaultStart
        switch grant.end {
        case .after(let duration): return GrantWindow(start: start, end: start + TimeInterval(duration.wholeSeconds))
        case .at(let end): return GrantWindow(start: start, end: end)
        }
    }

    private func verdict(for grant: AccessGrant, window: GrantWindow) -> GrantVerdict {
        let policies: [AccessPolicy]
        if let name = grant.policy {
            guard let policy = catalog.policies[name] else {
                return .denied([
                    Denial(
                        "spec.policy: policy \(name) does not exist", at: grant.location(of: "spec.policy"),
                        cause: .missingPolicy(name))
                ])
            }
            policies = [policy]
        } else {
            policies = catalog.policyNames.compactMap { catalog.policies[$0] }
        }
        var allowances: [ItemAllowance] = []
        var denials: [Denial] = []
        var unknowns: [Denial] = []
        for item in catalog.accessItems(of: grant) {
            switch decide(item, of: grant, window: window, among: policies) {
            case .allowed(let policy): allowances.append(ItemAllowance(item: item, policy: policy))
            case .denied(let reasons): denials += reasons
            case .undecided(let notes): unknowns += notes
            }
        }
        // Grant-wide reasons (window, subject, approval) come once per item; say each once.
        if !denials.isEmpty { return .denied(denials.uniqued()) }
        if !unknowns.isEmpty { return .undecided(unknowns.uniqued()) }
        return .allowed(allowances)
    }

    private enum ItemDecision {
        case allowed(policy: String)
        case denied([Denial])
        case undecided([Denial])
    }

    private func decide(
        _ item: AccessItem, of grant: AccessGrant, window: GrantWindow, among policies: [AccessPolicy]
    ) -> ItemDecision {
        var failures: [Denial] = []
        var unknowns: [Denial] = []
        var isCovered = false
        for policy in policies {
            let coverage = covers(policy, item)
            if case .failed = coverage { continue }
            isCovered = true
            let checks = [coverage] + conditions(of: policy, for: item, in: grant, window: window)
            let failed = checks.compactMap { if case .failed(let denial) = $0 { denial } else { nil } }
            let unknown = checks.compactMap { if case .unknown(let denial) = $0 { denial } else { nil } }
            if failed.isEmpty && unknown.isEmpty { return .allowed(policy: policy.name) }
            if failed.isEmpty { unknowns += unknown } else { failures += failed }
        }
        if !unknowns.isEmpty { return .undecided(unknowns) }
        if !isCovered {
            let scope = grant.policy.map { "policy \($0) does not allow" } ?? "no policy allows"
            return .denied([Denial("\(item.summary): \(scope) it", at: item.location, cause: .notCovered(item.target))])
        }
        return .denied(failures)
    }

    /// Everything but coverage: level, subject, duration, approval.
    private func conditions(
        of policy: AccessPolicy, for item: AccessItem, in grant: AccessGrant, window: GrantWindow
    ) -> [PolicyCheck] {
        var checks = [level(policy, item), subject(policy, grant)]
        if window.length > policy.maxDuration {
            let field = grant.end.isDuration ? "spec.duration" : "spec.expiresAt"
            checks.append(
                .failed(
                    Denial(
                        "\(field): the window of \(window.length.text) exceeds maxDuration \(policy.maxDuration.text) of policy "
                            + "\(policy.name)", at: grant.location(of: field),
                        cause: .duration(window: window.length, maxDuration: policy.maxDuration))))
        }
        checks.append(approval(policy, grant))
        if let schedules = policy.requireOnCall { checks.append(onCall(grant, in: schedules, policy: policy)) }
        if let check = incident(of: grant, policy: policy) { checks.append(check) }
        return checks
    }

    private func covers(_ policy: AccessPolicy, _ item: AccessItem) -> PolicyCheck {
        switch item.target {
        case .dataSource(let reference, _):
            let notCovered = Denial("\(item.summary): not selected by policy \(policy.name)", at: item.location)
            return .any(policy.dataSources.map { selects($0, reference, item: item) }, otherwise: notCovered)
        case .team(let name, _):
            let covered = policy.teams.contains { $0.matches(name) }
            return covered ? .met : .failed(Denial("\(item.summary): not allowed by \(policy.name)", at: item.location))
        case .orgRole:
            return policy.orgRoles.isEmpty
                ? .failed(Denial("\(item.summary): not allowed by \(policy.name)", at: item.location)) : .met
        case .serviceAccountToken(let name, _):
            let covered = policy.serviceAccounts.contains { $0.matches(name) }
            return covered ? .met : .failed(Denial("\(item.summary): not allowed by \(policy.name)", at: item.location))
        case .folder(let reference, _):
            let notCovered = Denial("\(item.summary): not selected by policy \(policy.name)", at: item.location)
            return .any(policy.folders.map { selects($0, reference, item: item) }, otherwise: notCovered)
        }
    }

    private func selects(_ selector: DataSourceSelector, _ reference: String, item: AccessItem) -> PolicyCheck {
        let known = facts.dataSources[reference].map { (uid: $0.uid, name: $0.name, type: Optional($0.type)) }
        return selects(name: selector.name, uid: selector.uid, type: selector.type, known: known, reference, item: item)
    }

    private func selects(_ selector: FolderSelector, _ reference: String, item: AccessItem) -> PolicyCheck {
        let known = facts.folders[reference].map { (uid: $0.uid, name: $0.title, type: String?.none) }
        return selects(name: selector.title, uid: selector.uid, type: nil, known: known, reference, item: item)
    }

    /// A selector (name glob, uid, type) against a data source or folder: exact with Grafana's facts; offline, the
    /// reference as written.
    private func selects(
        name: Glob?, uid: String?, type: String?, known: (uid: String, name: String, type: String?)?,
        _ reference: String, item: AccessItem
    ) -> PolicyCheck {
        if facts.knowsGrafana {
            guard let known else { return .failed(Denial("", at: item.location)) }
            let matches = DataSourceSelector(name: name, uid: uid, type: type).matches(
                uid: known.uid, name: known.name, type: known.type)
            return matches ? .met : .failed(Denial("", at: item.location))
        }
        // Offline, the reference is matched as written: a name (or title) against name globs, a uid against uids;
        // whatever the form does not say is decided at run time.
        let written = ObjectReference(reference)
        if let name {
            switch written.form {
            case .uidOrName, .name:
                if !name.matches(written.value) { return .failed(Denial("", at: item.location)) }
            case .uid:
                return .unknown(Denial("\(item.summary): whether its name matches \(name.pattern)", at: item.location))
            }
        }
        if let uid, name != nil || uid != written.value || written.form == .name {
            if written.form == .uid { return .failed(Denial("", at: item.location)) }
            return .unknown(Denial("\(item.summary): whether its uid is \(uid)", at: item.location))
        }
        if let type {
            return .unknown(Denial("\(item.summary): whether its type is \(type)", at: item.location))
        }
        return .met
    }

    /// A grant naming an incident holds only while the incident is active; a policy may require one.
    private func incident(of grant: AccessGrant, policy: AccessPolicy) -> PolicyCheck? {
        let location = grant.location(of: "spec.incident")
        guard let id = grant.incident else {
            guard policy.requireIncident else { return nil }
            return .failed(
                Denial(
                    "spec.incident: policy \(policy.name) requires an incident", at: grant.metadata.location,
                    cause: .incident))
        }
        return .known(
            facts.knowsIncidents ? facts.incidents[id] ?? false : nil,
            failed: Denial("spec.incident: incident \(id) is not active", at: location, cause: .incident),
            unknown: Denial("spec.incident: whether incident \(id) is active", at: location))
    }

    private func level(_ policy: AccessPolicy, _ item: AccessItem) -> PolicyCheck {
        let ceiling: String?
        switch item.target {
        case .dataSource(_, let permission):
            if let max = policy.maxPermission, permission <= max { return .met }
            ceiling = policy.maxPermission?.rawValue
        case .team(_, let role):
            if let max = policy.maxTeamRole, role <= max { return .met }
            ceiling = policy.maxTeamRole?.rawValue
        case .orgRole(let role):
            if let max = policy.orgRoles.max(), role <= max { return .met }
            ceiling = policy.orgRoles.max()?.rawValue
        case .folder(_, let permission):
            if let max = policy.folderPermissions.max(), permission <= max { return .met }
            ceiling = policy.folderPermissions.max()?.rawValue
        case .serviceAccountToken(_, let role):
            if let max = policy.serviceAccountRoles.max(), role <= max { return .met }
            ceiling = policy.serviceAccountRoles.max()?.rawValue
        }
        let limit = ceiling.map { "allows at most \($0)" } ?? "allows no level"
        return .failed(
            Denial(
                "\(item.summary): policy \(policy.name) \(limit)", at: item.location,
                cause: .levelAbove(item.target, ceiling: ceiling)))
    }

}

extension [Denial] {
    fileprivate func uniqued() -> [Denial] {
        var seen = Set<Denial>()
        return filter { seen.insert($0).inserted }
    }
}

extension AccessGrant.End {
    var isDuration: Bool {
        if case .after = self { true } else { false }
    }
}
