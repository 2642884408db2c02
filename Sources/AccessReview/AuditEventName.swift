/// The audit event names the review reads (docs/operations.md, "Read the audit trail"); others are passed over.
enum AuditEventName: String, Sendable {
    case grantActivated = "grant.activated"
    case grantDenied = "grant.denied"
    case grantExpired = "grant.expired"
    case grantPending = "grant.pending"
    case grantFailed = "grant.failed"
    case grantInvalid = "grant.invalid"
    case grantChanged = "grant.changed"
    case grantRevokedByDeletion = "grant.revokedByDeletion"
    case permissionGranted = "permission.granted"
    case permissionRaised = "permission.raised"
    case permissionDriftCorrected = "permission.driftCorrected"
    case permissionLowered = "permission.lowered"
    case permissionRevoked = "permission.revoked"
    case permissionRestored = "permission.restored"
    case permissionStandingRemoved = "permission.standingRemoved"
    case tokenCreated = "token.created"
    case tokenDeleted = "token.deleted"
    /// A revocation the safety brake held back (grant files vanished at once).
    case revocationHeld = "revocation.held"

    /// A decision about the grant as a whole (its phase changed).
    var isDecision: Bool { rawValue.hasPrefix("grant.") }

    /// Access given or put back: the subject holds the resource from then.
    var opensAccess: Bool {
        [.permissionGranted, .permissionRaised, .permissionDriftCorrected, .tokenCreated].contains(self)
    }

    /// Access taken back to what was there before the grant: the spell ends.
    var closesAccess: Bool { [.permissionRevoked, .permissionRestored, .tokenDeleted].contains(self) }

    /// A removal, whole or partial, which a failure leaves in force.
    var isRemoval: Bool { closesAccess || self == .permissionLowered }
}

/// The outcome values the controller writes on permission events.
enum AuditOutcome {
    static let success = "success"
    static let failure = "failure"
}
