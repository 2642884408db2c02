/// One condition's answer: met, failed with a reason, or not knowable without a missing fact.
enum PolicyCheck: Equatable {
    case met
    case failed(Denial)
    case unknown(Denial)

    /// Met if any is met; otherwise unknown if any is unknown; otherwise the first failure.
    static func any(_ checks: [PolicyCheck], otherwise failure: Denial) -> PolicyCheck {
        if checks.contains(.met) { return .met }
        if let unknown = checks.first(where: { if case .unknown = $0 { true } else { false } }) { return unknown }
        return .failed(failure)
    }

    /// Three-valued `matches` for a fact that may be missing.
    static func known(_ value: Bool?, failed: Denial, unknown: Denial) -> PolicyCheck {
        switch value {
        case true?: .met
        case false?: .failed(failed)
        case nil: .unknown(unknown)
        }
    }
}
