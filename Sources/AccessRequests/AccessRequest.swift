import AccessModel
import Foundation

/// What a requester asks for, before it is a grant file: who, what, for how long and why. `request` turns it into
/// the grant text and checks that text exactly as `validate` and the controller will.
package struct AccessRequest: Sendable, Equatable {
    package var subject: Subject
    package var access: [AccessItem.Target]
    package var bundle: String?
    package var end: AccessGrant.End
    package var startsAt: Date?
    package var reason: String
    package var ticket: String?
    package var approvers: [String]
    package var incident: String?
    /// The policy the requester chose with `--policy`; nil lets `request` choose.
    package var policy: String?

    package init(
        subject: Subject, access: [AccessItem.Target], bundle: String? = nil, end: AccessGrant.End,
        reason: String
    ) {
        self.subject = subject
        self.access = access
        self.bundle = bundle
        self.end = end
        self.reason = reason
        approvers = []
    }
}
