import Foundation

/// The outcome of evaluating one grant against the policies.
package enum GrantVerdict: Sendable, Equatable {
    /// Every item is allowed; each names the policy that allows it.
    case allowed([ItemAllowance])
    /// At least one item is denied; every reason, in plain words.
    case denied([Denial])
    /// Nothing denies it, but a fact only Grafana or OnCall can supply is missing (offline validation).
    case undecided([Denial])
}

/// The policy that allows one access item.
package struct ItemAllowance: Sendable, Equatable {
    package var item: AccessItem
    package var policy: String
}

/// A reason, with the place in the grant it is about.
package struct Denial: Sendable, Hashable, CustomStringConvertible {
    package var message: String
    package var location: SourceLocation
    /// What the reason is about, for tools that say it in other words; nil where nothing reads it.
    package var cause: DenialCause?

    package init(_ message: String, at location: SourceLocation, cause: DenialCause? = nil) {
        self.message = message
        self.location = location
        self.cause = cause
    }

    package var description: String { "\(location): \(message)" }
}

/// What one policy condition a denial is about, with the figures in it: `request` explains a nearest miss from it.
package enum DenialCause: Sendable, Hashable {
    /// The grant names a policy that does not exist.
    case missingPolicy(String)
    /// The policy does not select this resource, or no policy does.
    case notCovered(AccessItem.Target)
    /// The level asked for is above the policy's highest; nil: it allows no level of that kind.
    case levelAbove(AccessItem.Target, ceiling: String?)
    /// The subject is not among the policy's subjects.
    case subject(Subject)
    /// The window is longer than the policy's `maxDuration`.
    case duration(window: Duration, maxDuration: Duration)
    /// Fewer distinct approvers than the policy requires.
    case approval(approved: Int, required: Int)
    /// The policy requires the subject to be on call in one of these schedules.
    case onCall([String])
    /// The policy requires an incident and the grant names none, or it is not active.
    case incident
}

/// When a grant's access starts and ends.
package struct GrantWindow: Sendable, Equatable {
    package var start: Date
    package var end: Date

    package init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    package var length: Duration { .seconds(end.timeIntervalSince(start)) }

    package func phase(at now: Date) -> WindowPhase {
        if now < start { return .pending }
        return now < end ? .active : .expired
    }
}

/// Where `now` falls in a window.
package enum WindowPhase: String, Sendable {
    case pending = "Pending"
    case active = "Active"
    case expired = "Expired"
}

/// A grant's verdict and window, as of the evaluation time.
package struct GrantEvaluation: Sendable, Equatable {
    package var grant: String
    package var verdict: GrantVerdict
    package var window: GrantWindow
}
