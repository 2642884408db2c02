import AccessModel

/// Why a change is made, in one word for its log lines (`reason=expired`): the kind of change, and for a removal,
/// what became of the grants that held the access.
package enum ChangeCause: String, Sendable {
    case granted, drift, standingAccess, grantEnded
    case expired, fileDeleted, invalidFile, policyDenies, offShift, incidentResolved, windowClosed, notStarted
    case failedInGrafana, grantChanged

    /// `invalid` names grants left out for their errors this pass.
    package init(of change: Change, desired: DesiredState, invalid: Set<String>) {
        switch change.kind {
        case .grant, .raise: self = .granted
        case .driftCorrect: self = .drift
        case .removeStanding: self = .standingAccess
        case .lower: self = .grantEnded
        case .revoke:
            self = change.grants.lazy.map { Self(ending: $0, desired: desired, invalid: invalid) }.first ?? .grantEnded
        }
    }

    private init(ending grant: String, desired: DesiredState, invalid: Set<String>) {
        guard let outcome = desired.outcomes[grant] else {
            self = invalid.contains(grant) ? .invalidFile : .fileDeleted
            return
        }
        switch (outcome.phase, outcome.reason) {
        case (.expired, _): self = .expired
        case (.pending, .outsideActiveHours): self = .windowClosed
        case (.pending, _): self = .notStarted
        case (.failed, _): self = .failedInGrafana
        case (.denied, _):
            let reasons = outcome.reasons.joined(separator: " ")
            self =
                reasons.contains("on call")
                ? .offShift : reasons.contains("incident") ? .incidentResolved : .policyDenies
        default: self = .grantChanged
        }
    }
}
