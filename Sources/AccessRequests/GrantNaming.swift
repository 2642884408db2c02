import AccessModel
import Foundation

/// The documented name of a requested grant, also its file name: `<subject>-<resource>-<ticket>`, or the start
/// date in place of a ticket (`alice-prod-logs-inc-4711`, `team-sre-staging-logs-2026-12-06`). Lowercase letters,
/// digits and single hyphens, at most 63 characters, so it is a valid `metadata.name` and file name everywhere.
package enum GrantNaming {
    package static let maxLength = 63

    /// `date` is when the grant starts; it names grants without a ticket.
    package static func name(for request: AccessRequest, startingOn date: Date) -> String {
        let subject: String
        switch request.subject {
        case .user(let user): subject = slug(user.split(separator: "@", maxSplits: 1).first.map(String.init) ?? user)
        case .team(let team): subject = "team-" + slug(team)
        }
        let ticket = request.ticket.map(slug) ?? ""
        let suffix = ticket.isEmpty ? String(date.rfc3339.prefix(10)) : ticket
        let resources = (request.bundle.map { [$0] } ?? []) + request.access.map(resource)
        var resource = slug(resources.first ?? "access")
        if resources.count > 1 { resource += "-and-\(resources.count - 1)-more" }
        let room = maxLength - subject.count - suffix.count - 2
        let kept = String(resource.prefix(max(room, 0))).trimmingCharacters(in: ["-"])
        let name = [subject, kept, suffix].filter { !$0.isEmpty }.joined(separator: "-")
        return String(name.prefix(maxLength)).trimmingCharacters(in: ["-"])
    }

    /// The word an access item contributes: the object it names (without a `uid:` or `name:` prefix).
    private static func resource(_ target: AccessItem.Target) -> String {
        switch target {
        case .dataSource(let reference, _), .folder(let reference, _): ObjectReference(reference).value
        case .team(let name, _): name
        case .orgRole(let role): "org-\(role.rawValue)"
        case .serviceAccountToken(let account, _): "\(account)-token"
        }
    }

    /// Lowercase ASCII letters and digits; every other run of characters becomes one hyphen.
    static func slug(_ text: String) -> String {
        var slug = ""
        for character in text.lowercased() {
            if character.isASCII && (character.isLetter || character.isNumber) {
                slug.append(character)
            } else if !slug.isEmpty && !slug.hasSuffix("-") {
                slug.append("-")
            }
        }
        return slug.trimmingCharacters(in: ["-"])
    }
}
