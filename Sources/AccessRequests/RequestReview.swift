import AccessModel
import Foundation

/// Checks a request as the grant file it becomes, against the policies `--policies` holds: decodes the exact text
/// (so what is written is what was checked), gives each policy's verdict with the evaluator `validate` and the
/// controller use, and chooses the policy, or explains the nearest miss. Pure: files, facts and time come in.
package struct RequestReview: Sendable {
    /// The `--policies` files, already placed (a grant found there is an error, as for `validate`).
    package var policyFiles: [DecodedFile]
    package var facts: AccessFacts
    package var now: Date
    package var decoder: ResourceDecoder

    /// The path the request's own problems are reported against.
    package static let requestPath = "request"

    package init(policyFiles: [DecodedFile], facts: AccessFacts, now: Date, decoder: ResourceDecoder) {
        self.policyFiles = policyFiles
        self.facts = facts
        self.now = now
        self.decoder = decoder
    }

    package func decide(_ request: AccessRequest, name: String) -> RequestDecision {
        let base: GrantDraft
        switch draft(request, name: name, policy: request.policy) {
        case .success(let draft): base = draft
        case .failure(let problems): return .invalid(problems.errors)
        }
        guard base.catalog.hasPolicies else {
            return .refused(["no policy was found in the --policies paths, and without one every grant is denied"])
        }
        let names = request.policy.map { [$0] } ?? base.catalog.policyNames
        let fits = names.compactMap { name -> PolicyFit? in
            guard let policy = base.catalog.policies[name] else { return nil }
            var grant = base.grant
            grant.policy = name
            let verdict = PolicyEvaluator(catalog: base.catalog, facts: facts).evaluate(grant, now: now).verdict
            return PolicyFit(policy: policy, verdict: verdict)
        }
        let possible = fits.filter { !$0.isDenied }
        guard let fewest = possible.map(\.openConditions.count).min() else {
            return .refused(
                NearestMiss.sentences(for: fits, of: base.grant, items: base.catalog.accessItems(of: base.grant)))
        }
        let best = possible.filter { $0.openConditions.count == fewest }
        guard best.count == 1, let chosen = best.first else { return .choosePolicy(best) }
        switch draft(request, name: name, policy: chosen.policy.name) {
        case .success(let final):
            let verdict = PolicyEvaluator(catalog: final.catalog, facts: facts).evaluate(final.grant, now: now).verdict
            var proposal = Proposal(draft: final, fit: PolicyFit(policy: chosen.policy, verdict: verdict))
            if facts.knowsGrafana {
                proposal.offlineVerdict =
                    PolicyEvaluator(catalog: final.catalog, facts: .offline).evaluate(final.grant, now: now).verdict
            }
            return .ready(proposal)
        case .failure(let problems):
            return .invalid(problems.errors)
        }
    }

    /// The grant text with `policy`, decoded beside the policies and bundles as `validate` would.
    package func draft(_ request: AccessRequest, name: String, policy: String?) -> Result<GrantDraft, DraftProblems> {
        let text = GrantDocument.text(of: request, name: name, policy: policy)
        let file = decoder.decode(Array(text.utf8), path: Self.requestPath).placed(in: .grants)
        let catalog = ResourceCatalog(files: policyFiles + [file])
        let problems = catalog.errors.filter { $0.location.file == Self.requestPath }
        guard problems.isEmpty, let grant = catalog.grants.first(where: { $0.name == name }) else {
            return .failure(DraftProblems(errors: problems))
        }
        return .success(GrantDraft(name: name, text: text, grant: grant, catalog: catalog))
    }
}

/// What `request` does with a request.
package enum RequestDecision: Sendable {
    /// One policy allows it (or will, given what only run time knows): write it.
    case ready(Proposal)
    /// Several policies allow it with as few open conditions; the requester chooses with `--policy`.
    case choosePolicy([PolicyFit])
    /// No policy allows it; the nearest misses, in words.
    case refused([String])
    /// The request makes an invalid grant (a bad reference, a reason too long, a missing bundle).
    case invalid([ResourceError])
}

/// The grant to write, under the policy chosen, with the verdict `validate` will give it.
package struct Proposal: Sendable {
    package var draft: GrantDraft
    package var fit: PolicyFit
    /// What `validate` will say offline, when the verdict above used Grafana's facts.
    package var offlineVerdict: GrantVerdict?
}

/// A grant's text and what it decodes to, with the catalog it was checked in.
package struct GrantDraft: Sendable {
    package var name: String
    package var text: String
    package var grant: AccessGrant
    package var catalog: ResourceCatalog
}

/// Why a draft did not decode: the request's own errors.
package struct DraftProblems: Error, Sendable {
    package var errors: [ResourceError]
}

/// One policy's verdict on the request.
package struct PolicyFit: Sendable {
    package var policy: AccessPolicy
    package var verdict: GrantVerdict

    var isDenied: Bool {
        if case .denied = verdict { true } else { false }
    }

    /// What stays to be decided when the controller runs, or limits the access then: fewer is a better fit.
    package var openConditions: [String] {
        var conditions: [String] = []
        if case .undecided(let notes) = verdict { conditions += notes.map { Self.withoutField($0.message) } }
        if let hours = policy.activeHours { conditions.append("active only \(hours.summary) (policy \(policy.name))") }
        return conditions
    }
}

extension ActiveHours {
    /// `Mon, Tue, Wed, Thu, Fri 08:00-18:00 Europe/Berlin`.
    var summary: String {
        let days = days.sorted().map { Self.dayNames[$0 - 1] }.joined(separator: ", ")
        func clock(_ minutes: Int) -> String { String(format: "%02d:%02d", minutes / 60, minutes % 60) }
        return "\(days) \(clock(from))-\(clock(to)) \(timeZone.identifier)"
    }
}

extension PolicyFit {
    /// `spec.approvedBy: whether ...` → `whether ...`: the requester wrote flags, not fields.
    private static func withoutField(_ message: String) -> String {
        guard message.hasPrefix("spec."), let colon = message.range(of: ": ") else { return message }
        return String(message[colon.upperBound...])
    }

    /// Whom to ask: `users bob@example.com or members of team security, 1 approval`, with any on-call waiver.
    package var approvers: String {
        guard let approval = policy.approval, approval.isRequired else {
            return "none required by \(policy.name): the pull request review is the approval"
        }
        var text =
            NearestMiss.subjects(approval.approvers)
            + ", \(approval.minApprovals) approval\(approval.minApprovals == 1 ? "" : "s") (policy \(policy.name))"
        if let schedules = policy.autoApprove?.onCallSchedules {
            text += "; none while the subject is on call in \(schedules.joined(separator: " or "))"
        }
        return text
    }
}
