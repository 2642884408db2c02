/// Who may hold access and who may approve it: user globs, team membership, self-approval, the on-call waiver.
extension PolicyEvaluator {
    func subject(_ policy: AccessPolicy, _ grant: AccessGrant) -> PolicyCheck {
        let location = grant.location(of: "spec.subject")
        switch grant.subject {
        case .team(let team):
            let isNamed = policy.subjects.teams.contains { $0.matches(team) }
            return isNamed
                ? .met
                : .failed(
                    Denial(
                        "spec.subject: team \(team) is not a subject of policy \(policy.name)", at: location,
                        cause: .subject(grant.subject)))
        case .user(let reference):
            return .known(
                isSelected(reference, by: policy.subjects),
                failed: Denial(
                    "spec.subject: user \(reference) is not a subject of policy \(policy.name)", at: location,
                    cause: .subject(grant.subject)),
                unknown: Denial(
                    "spec.subject: whether user \(reference) is in team \(policy.subjects.teams.map(\.pattern).joined(separator: ", ")) "
                        + "(policy \(policy.name))", at: location))
        }
    }

    /// Whether a user matches a selector's globs or teams; nil when that needs Grafana.
    func isSelected(_ reference: String, by selector: SubjectSelector) -> Bool? {
        let user = facts.user(reference)
        let identities = [reference] + (user?.identities ?? [])
        if selector.users.contains(where: { glob in identities.contains { glob.matches($0) } }) { return true }
        guard !selector.teams.isEmpty else { return false }
        guard let user else { return facts.knowsGrafana ? false : nil }
        return selector.teams.contains { glob in user.teams.contains { glob.matches($0) } }
    }

    func approval(_ policy: AccessPolicy, _ grant: AccessGrant) -> PolicyCheck {
        guard let rule = policy.approval, rule.isRequired else { return .met }
        let location = grant.location(of: "spec.approvedBy")
        var approved: [String] = []
        var undecided: [String] = []
        var selfApprovals: [String] = []
        var seen = Set<String>()
        for approver in grant.approvedBy {
            let user = facts.user(approver)
            // One person counts once however they are written; with Grafana's facts, a name that is no
            // Grafana user approves nothing.
            guard seen.insert(user.map { "#\($0.id)" } ?? approver.lowercased()).inserted,
                user != nil || !facts.knowsGrafana
            else { continue }
            switch (isRequester(approver, of: grant), isSelected(approver, by: rule.approvers)) {
            case (true?, _): selfApprovals.append(approver)
            case (false?, true?): approved.append(approver)
            case (false?, false?): continue
            default: undecided.append(approver)
            }
        }
        if approved.count >= rule.minApprovals { return .met }
        let waiver = onCallWaiver(policy, grant)
        if waiver == true { return .met }
        if approved.count + undecided.count >= rule.minApprovals || (waiver == nil && policy.autoApprove != nil) {
            var who =
                undecided.isEmpty
                ? "whether the subject is on call" : "whether \(undecided.joined(separator: ", ")) may approve"
            if !selfApprovals.isEmpty {
                who +=
                    "; \(selfApprovals.joined(separator: ", ")) cannot approve their own grant, so that approval does "
                    + "not count"
            }
            return .unknown(Denial("spec.approvedBy: \(who) (policy \(policy.name))", at: location))
        }
        var message =
            "spec.approvedBy: \(approved.count) of \(rule.minApprovals) approvals required by policy \(policy.name)"
        if !selfApprovals.isEmpty {
            message += "; \(selfApprovals.joined(separator: ", ")) cannot approve their own grant"
        }
        return .failed(
            Denial(message, at: location, cause: .approval(approved: approved.count, required: rule.minApprovals)))
    }

    /// Whether `approver` is the grant's subject (or a member of the subject team); nil when that needs Grafana.
    private func isRequester(_ approver: String, of grant: AccessGrant) -> Bool? {
        switch grant.subject {
        case .user(let reference):
            if approver.lowercased() == reference.lowercased() { return true }
            if let approving = facts.user(approver), let requesting = facts.user(reference) {
                return approving.id == requesting.id
            }
            if facts.knowsGrafana { return false }
            // Offline, `alice` and `alice@example.com` may be one person; the same form twice cannot be.
            return approver.contains("@") == reference.contains("@") ? false : nil
        case .team(let team):
            if let user = facts.user(approver) { return user.teams.contains(team) }
            return facts.knowsGrafana ? false : nil
        }
    }

    /// True while the user subject is on call in one of the policy's auto-approve schedules.
    private func onCallWaiver(_ policy: AccessPolicy, _ grant: AccessGrant) -> Bool? {
        guard let schedules = policy.autoApprove?.onCallSchedules else { return false }
        return isOnCall(grant, in: schedules)
    }

    /// `requireOnCall`: the access holds only while the subject is on call in one of the schedules.
    func onCall(_ grant: AccessGrant, in schedules: [String], policy: AccessPolicy) -> PolicyCheck {
        .known(
            isOnCall(grant, in: schedules),
            failed: Denial(
                "spec.subject: \(grant.subject) is not on call in \(schedules.joined(separator: ", ")) (policy \(policy.name))",
                at: grant.location(of: "spec.subject"), cause: .onCall(schedules)),
            unknown: Denial(
                "spec.subject: whether \(grant.subject) is on call in \(schedules.joined(separator: ", ")) (policy \(policy.name))",
                at: grant.location(of: "spec.subject")))
    }

    /// Nil when on-call is not known; a team subject is never on call.
    private func isOnCall(_ grant: AccessGrant, in schedules: [String]) -> Bool? {
        guard case .user(let reference) = grant.subject else { return false }
        guard facts.knowsOnCall else { return nil }
        let identities = facts.identities(of: reference)
        return schedules.contains { !(facts.onCall[$0] ?? []).isDisjoint(with: identities) }
    }
}
