/// The marks a reviewer looks for on a grant, in the order the review lists them.
struct ReviewFlags {
    var names: [String] = []

    init(_ grant: GrantReview) {
        if grant.breakGlass { names.append("breakGlass") }
        if grant.onCallWaiver { names.append("onCallWaiver") }
        if grant.isLate { names.append("revokedLate") }
        if grant.heldLongerThanAsked { names.append("heldLongerThanAsked") }
        if grant.failedRevocations > 0 { names.append("failedRevocation") }
        if grant.heldRevocations > 0 { names.append("revocationHeld") }
    }
}
