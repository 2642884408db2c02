import AccessModel
import AccessRequests
import Foundation

/// `request`'s intent flags, turned into an `AccessRequest`; every bad value is a usage error naming its flag.
struct RequestOptions {
    static let specs: [OptionSpec] = [
        .value("user", "LOGIN", help: "Who gets the access: a Grafana login or email."),
        .value("team", "NAME", help: "Or a Grafana team as the grantee (instead of --user)."),
        .repeatable(
            "data-source", "REF", help: "A data source by uid or name (uid:X, name:X to say which); repeatable."),
        .value("permission", "LEVEL", help: "The level on every --data-source: Query (default), Edit or Admin."),
        .repeatable("folder", "REF", help: "A folder by uid or title (uid:X, title:X); repeatable."),
        .value("folder-permission", "LEVEL", help: "The level on every --folder: View (default), Edit or Admin."),
        .repeatable("join-team", "NAME", help: "A team the user joins; repeatable."),
        .value("team-role", "ROLE", help: "The role in every --join-team: Member (default) or Admin."),
        .value("org-role", "ROLE", help: "Raise the user's organization role: Viewer, Editor or Admin."),
        .repeatable(
            "service-account-token", "NAME", help: "A temporary token of this service account; repeatable."),
        .value(
            "token-role", "ROLE", help: "The highest role of those service accounts: Viewer (default), Editor, Admin."),
        .value("bundle", "NAME", help: "An AccessBundle from --policies whose items the grant adds."),
        .value("for", "DURATION", help: "How long, like 4h or 1h30m (or --until)."),
        .value("until", "TIME", help: "Or when it ends, an RFC 3339 time."),
        .value("starts-at", "TIME", help: "When it starts, an RFC 3339 time (default: when the controller sees it)."),
        .value("reason", "TEXT", help: "Why, in words reviewers and auditors read (required)."),
        .value("ticket", "ID", help: "The ticket or incident id; names the grant (else the start date does)."),
        .repeatable("approver", "LOGIN", help: "Who approves it (spec.approvedBy); repeatable."),
        .value("incident", "ID", help: "A Grafana Incident id the access lasts no longer than (spec.incident)."),
        .value("policy", "NAME", help: "The policy to request under (default: the one that fits best)."),
    ]

    /// Checks the flags into a request; `maxGrantDuration` is `--max-grant-duration`, above which no policy reaches.
    static func request(_ arguments: ParsedArguments, maxGrantDuration: Duration, now: Date) throws(UsageError)
        -> AccessRequest
    {
        let subject = try subject(arguments)
        var access: [AccessItem.Target] = []
        let dataSources = arguments.all("data-source")
        let permission: Permission = try level(
            "permission", arguments, default: .query, for: dataSources, of: "data-source")
        access += dataSources.map { .dataSource($0, permission) }
        let folders = arguments.all("folder")
        let folderPermission: FolderPermission = try level(
            "folder-permission", arguments, default: .view, for: folders, of: "folder")
        access += folders.map { .folder($0, folderPermission) }
        let teams = arguments.all("join-team")
        let teamRole: TeamRole = try level("team-role", arguments, default: .member, for: teams, of: "join-team")
        access += teams.map { .team($0, teamRole) }
        if let role: OrgRole = try level("org-role", arguments) { access.append(.orgRole(role)) }
        let accounts = arguments.all("service-account-token")
        let tokenRole: OrgRole = try level(
            "token-role", arguments, default: .viewer, for: accounts, of: "service-account-token")
        access += accounts.map { .serviceAccountToken($0, tokenRole) }
        let bundle = arguments.value("bundle")
        guard !access.isEmpty || bundle != nil else {
            throw .missingArgument(
                "some access: --data-source, --folder, --join-team, --org-role, --service-account-token or --bundle",
                command: RequestCommand.name)
        }
        guard let reason = arguments.value("reason") else {
            throw .missingArgument("--reason TEXT", command: RequestCommand.name)
        }
        let startsAt = try arguments.time("starts-at")
        let end = try end(arguments, start: startsAt ?? now, now: now, maxGrantDuration: maxGrantDuration)
        if let startsAt, case .after(let duration) = end, startsAt + TimeInterval(duration.wholeSeconds) <= now {
            // Such a grant would be expired on arrival, and its name with it.
            throw .invalidValue(
                option: "starts-at", value: startsAt.rfc3339, expected: "a start whose window has not ended by now")
        }
        var request = AccessRequest(subject: subject, access: access, bundle: bundle, end: end, reason: reason)
        request.startsAt = startsAt
        request.ticket = arguments.value("ticket")
        request.approvers = arguments.all("approver")
        request.incident = arguments.value("incident")
        request.policy = arguments.value("policy")
        return request
    }

    private static func subject(_ arguments: ParsedArguments) throws(UsageError) -> Subject {
        switch (arguments.value("user"), arguments.value("team")) {
        case (let user?, nil): return .user(user)
        case (nil, let team?): return .team(team)
        case (.some, .some):
            throw .conflictingOptions("--team", with: "--user", why: "a grant has one subject, a user or a team")
        case (nil, nil): throw .missingArgument("--user LOGIN or --team NAME", command: RequestCommand.name)
        }
    }

    /// A level flag's value; refused when given without the items it applies to.
    private static func level<Level: RawRepresentable & CaseIterable>(
        _ option: String, _ arguments: ParsedArguments, default fallback: Level, for items: [String],
        of itemOption: String
    ) throws(UsageError) -> Level where Level.RawValue == String {
        guard let level: Level = try level(option, arguments) else { return fallback }
        guard !items.isEmpty else {
            throw .missingArgument("--\(itemOption) for --\(option) to apply to", command: RequestCommand.name)
        }
        return level
    }

    private static func level<Level: RawRepresentable & CaseIterable>(_ option: String, _ arguments: ParsedArguments)
        throws(UsageError) -> Level? where Level.RawValue == String
    {
        guard let text = arguments.value(option) else { return nil }
        guard let level = Level(rawValue: text) else {
            throw .invalidValue(
                option: option, value: text,
                expected: "one of " + Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return level
    }

    /// `--for` or `--until`, exactly one; never above `--max-grant-duration`, which no policy may exceed.
    private static func end(_ arguments: ParsedArguments, start: Date, now: Date, maxGrantDuration: Duration)
        throws(UsageError) -> AccessGrant.End
    {
        switch (arguments.value("for"), try arguments.time("until")) {
        case (let text?, nil):
            guard let duration = Duration(text: text) else {
                throw .invalidValue(option: "for", value: text, expected: "a duration like 4h or 1h30m")
            }
            guard duration <= maxGrantDuration else {
                throw .invalidValue(
                    option: "for", value: text,
                    expected: "at most \(maxGrantDuration.text), the --max-grant-duration no policy may exceed")
            }
            return .after(duration)
        case (nil, let until?):
            guard until > max(start, now) else {
                throw .invalidValue(
                    option: "until", value: until.rfc3339, expected: "a time after the start (--starts-at) and now")
            }
            guard Duration.seconds(until.timeIntervalSince(start)) <= maxGrantDuration else {
                throw .invalidValue(
                    option: "until", value: until.rfc3339,
                    expected: "at most \(maxGrantDuration.text) after the start, the --max-grant-duration")
            }
            return .at(until)
        case (.some, .some):
            throw .conflictingOptions("--until", with: "--for", why: "a grant ends after a duration or at a time")
        case (nil, nil): throw .missingArgument("--for DURATION or --until TIME", command: RequestCommand.name)
        }
    }
}
