import AccessModel

/// Why no policy allows a request, said as the requester would ask it: what no policy covers at all, or else what
/// the nearest policy would need changed ("prod-datasources allows at most 8h; you asked 12h").
enum NearestMiss {
    static func sentences(for fits: [PolicyFit], of grant: AccessGrant, items: [AccessItem]) -> [String] {
        let uncovered = items.filter { item in fits.allSatisfy { $0.causes.contains(.notCovered(item.target)) } }
        if !uncovered.isEmpty { return uncovered.map { noPolicy(covers: $0.target, for: grant.subject) } }
        let complete = fits.filter { fit in !fit.causes.contains { if case .notCovered = $0 { true } else { false } } }
        guard let nearest = complete.map(\.distance).min() else {
            return [splitAcross(fits, items: items)]
        }
        return complete.filter { $0.distance == nearest }.prefix(3).flatMap { fit in
            fit.causes.map { words($0, policy: fit.policy, grant: grant) }
        }
    }

    /// `no policy lets alice@example.com join team dbas`.
    static func noPolicy(covers target: AccessItem.Target, for subject: Subject) -> String {
        switch target {
        case .dataSource(let reference, _): "no policy covers data source \(reference)"
        case .folder(let reference, _): "no policy covers folder \(reference)"
        case .team(let name, _): "no policy lets \(who(subject)) join team \(name)"
        case .orgRole(let role): "no policy lets \(who(subject)) become \(role.rawValue) of the organization"
        case .serviceAccountToken(let account, _): "no policy hands out tokens of service account \(account)"
        }
    }

    /// Each item is covered by some policy, but none covers them all.
    private static func splitAcross(_ fits: [PolicyFit], items: [AccessItem]) -> String {
        let parts = items.map { item in
            let names = fits.filter { !$0.causes.contains(.notCovered(item.target)) }.map(\.policy.name)
            return "\(item.summary) only under \(names.joined(separator: " or "))"
        }
        return "no one policy covers all of it (\(parts.joined(separator: "; "))); request them in separate grants"
    }

    static func words(_ cause: DenialCause, policy: AccessPolicy, grant: AccessGrant) -> String {
        let name = policy.name
        switch cause {
        case .missingPolicy(let missing): return "no policy is named \(missing)"
        case .notCovered(let target): return "\(name) does not cover \(AccessItem(target).summary)"
        case .levelAbove(let target, let ceiling?): return "\(target.level) is above \(possessive(name)) \(ceiling)"
        case .levelAbove(let target, nil): return "\(name) allows no level for \(AccessItem(target).summary)"
        case .subject(let subject):
            return "\(name) is for \(subjects(policy.subjects)), not \(subject)"
        case .duration(let window, let maxDuration):
            return "\(name) allows at most \(maxDuration.text); you asked \(window.text)"
        case .approval(let approved, let required):
            let from = policy.approval.map { subjects($0.approvers) } ?? "its approvers"
            var counted = approved == 0 ? "" : " (\(approved) of those you named count)"
            if case .user(let requester) = grant.subject,
                grant.approvedBy.contains(where: { $0.lowercased() == requester.lowercased() })
            {
                counted += " (\(requester) cannot approve their own grant)"
            }
            return "\(name) needs \(required) approval\(required == 1 ? "" : "s") from \(from)\(counted); "
                + "name \(required == 1 ? "one" : "them") with --approver"
        case .onCall(let schedules):
            return "\(name) allows it only while \(who(grant.subject)) is on call in "
                + "\(schedules.joined(separator: " or ")), and they are not"
        case .incident:
            return grant.incident.map { "incident \($0) is not active, and \(name) requires an active one" }
                ?? "\(name) requires an incident: name it with --incident"
        }
    }

    /// `users *@example.com or members of team sre`.
    static func subjects(_ selector: SubjectSelector) -> String {
        var parts: [String] = []
        if !selector.users.isEmpty { parts.append("users " + selector.users.map(\.pattern).joined(separator: ", ")) }
        if !selector.teams.isEmpty {
            parts.append("members of team " + selector.teams.map(\.pattern).joined(separator: ", "))
        }
        return parts.isEmpty ? "nobody" : parts.joined(separator: " or ")
    }

    private static func who(_ subject: Subject) -> String {
        switch subject {
        case .user(let user): user
        case .team(let team): "team \(team)"
        }
    }

    /// `prod-datasources'`, `org-editors'`, `incident-team's`.
    private static func possessive(_ name: String) -> String { name.hasSuffix("s") ? name + "'" : name + "'s" }
}

extension PolicyFit {
    var causes: [DenialCause] {
        guard case .denied(let denials) = verdict else { return [] }
        return denials.compactMap(\.cause)
    }

    /// How far the policy is from allowing it: the wrong subject is farthest, a level above its ceiling next;
    /// the duration, an approval or an incident are one flag away.
    var distance: Int {
        causes.reduce(0) { total, cause in
            switch cause {
            case .missingPolicy, .notCovered, .subject: total + 10
            case .levelAbove: total + 3
            case .duration, .approval, .onCall, .incident: total + 1
            }
        }
    }
}

extension AccessItem {
    /// An item without a place, for wording.
    init(_ target: Target) {
        self.init(target, field: FieldPath(""), location: .start(of: RequestReview.requestPath))
    }
}

extension AccessItem.Target {
    /// The level asked for, as written.
    var level: String {
        switch self {
        case .dataSource(_, let permission): permission.rawValue
        case .folder(_, let permission): permission.rawValue
        case .team(_, let role): role.rawValue
        case .orgRole(let role), .serviceAccountToken(_, let role): role.rawValue
        }
    }
}
