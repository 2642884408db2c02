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

    package init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    package var description: String { "\(location): \(message)" }
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
