import Foundation
import YAML

extension DecodingContext {
    private static let policyFields: Set<String> = [
        "subjects", "dataSources", "teams", "permissions", "teamRoles", "maxDuration", "approval", "autoApprove",
        "activeHours", "requireOnCall", "requireIncident", "orgRoles", "folders", "folderPermissions",
        "serviceAccounts", "serviceAccountRoles", "grafana", "org", "standingAccess",
    ]

    mutating func policy(_ spec: ObjectNode, metadata: ResourceMetadata) -> AccessPolicy? {
        rejectUnknownFields(of: spec, known: Self.policyFields)
        let subjects = field("subjects", of: spec, isRequired: true) { context, node, path -> SubjectSelector? in
            guard let selector = context.subjectSelector(node, at: path) else { return nil }
            guard !selector.isEmpty else {
                context.report(
                    .invalidValue(path, problem: "must name at least one user or team", at: context.location(node.mark))
                )
                return nil
            }
            return selector
        }
        let dataSources = field("dataSources", of: spec) { $0.list($1, at: $2) { $0.dataSourceSelector($1, at: $2) } }
        let teams = field("teams", of: spec) { $0.list($1, at: $2) { $0.nonEmptyString($1, at: $2) } }
        let resourceFields = ["dataSources", "teams", "orgRoles", "folders", "serviceAccounts"]
        if !resourceFields.contains(where: spec.has) {
            report(.missingOneOf(resourceFields.map { spec.path.child($0) }, at: location(spec.mark)))
        }
        let folders = field("folders", of: spec) { $0.list($1, at: $2) { $0.folderSelector($1, at: $2) } }
        let folderPermissions: [FolderPermission]? = field(
            "folderPermissions", of: spec, isRequired: spec.has("folders")
        ) { $0.list($1, at: $2) { $0.oneOf($1, at: $2) } }
        let serviceAccounts = field("serviceAccounts", of: spec) {
            $0.list($1, at: $2) { $0.nonEmptyString($1, at: $2) }
        }
        let serviceAccountRoles: [OrgRole]? = field("serviceAccountRoles", of: spec) {
            $0.list($1, at: $2) { $0.oneOf($1, at: $2) }
        }
        let orgRoles: [OrgRole]? = field("orgRoles", of: spec) { $0.list($1, at: $2) { $0.oneOf($1, at: $2) } }
        let permissions: [Permission]? = field("permissions", of: spec, isRequired: spec.has("dataSources")) {
            $0.list($1, at: $2) { $0.oneOf($1, at: $2) }
        }
        let teamRoles: [TeamRole]? = field("teamRoles", of: spec) { $0.list($1, at: $2) { $0.oneOf($1, at: $2) } }
        let maxDuration = field("maxDuration", of: spec, isRequired: true) { context, node, path -> Duration? in
            guard let duration = context.duration(node, at: path) else { return nil }
            if let ceiling = context.maxGrantDuration, duration > ceiling {
                context.report(
                    .invalidValue(
                        path,
                        problem: "\(duration.text) is above the controller's ceiling of \(ceiling.text) "
                            + "(--max-grant-duration)", at: context.location(node.mark)))
                return nil
            }
            return duration
        }
        let approval = field("approval", of: spec) { $0.approval($1, at: $2) }
        let autoApprove = field("autoApprove", of: spec) { $0.autoApprove($1, at: $2) }
        let activeHours = field("activeHours", of: spec) { $0.activeHours($1, at: $2) }
        let requireOnCall = field("requireOnCall", of: spec) { $0.onCallSchedules($1, at: $2) }
        let requireIncident = field("requireIncident", of: spec) { $0.bool($1, at: $2) }
        let standingAccess: StandingAccessMode? = field("standingAccess", of: spec) { $0.oneOf($1, at: $2) }
        let placement = placement(spec)
        guard let subjects, let maxDuration else { return nil }
        var policy = AccessPolicy(
            metadata: metadata, subjects: subjects, dataSources: dataSources ?? [],
            teams: (teams ?? []).map { Glob($0) }, permissions: permissions ?? [], teamRoles: teamRoles ?? [.member],
            maxDuration: maxDuration, approval: approval, autoApprove: autoApprove,
            requireIncident: requireIncident ?? false, requireOnCall: requireOnCall, activeHours: activeHours)
        policy.orgRoles = orgRoles ?? []
        policy.folders = folders ?? []
        policy.folderPermissions = folderPermissions ?? []
        policy.serviceAccounts = (serviceAccounts ?? []).map { Glob($0) }
        policy.serviceAccountRoles = serviceAccountRoles ?? [.viewer]
        policy.placement = placement
        policy.standingAccess = standingAccess ?? .report
        return policy
    }

    private mutating func subjectSelector(_ node: YAMLNode, at path: FieldPath) -> SubjectSelector? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["users", "teams"])
        let users = field("users", of: object) { $0.list($1, at: $2) { $0.nonEmptyString($1, at: $2) } }
        let teams = field("teams", of: object) { $0.list($1, at: $2) { $0.nonEmptyString($1, at: $2) } }
        return SubjectSelector(
            users: (users ?? []).map { Glob($0, ignoresCase: true) }, teams: (teams ?? []).map { Glob($0) })
    }

    private mutating func dataSourceSelector(_ node: YAMLNode, at path: FieldPath) -> DataSourceSelector? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["name", "uid", "type"])
        guard object.has("name") || object.has("uid") || object.has("type") else {
            report(.missingOneOf(["name", "uid", "type"].map { path.child($0) }, at: location(node.mark)))
            return nil
        }
        let name = field("name", of: object) { $0.nonEmptyString($1, at: $2) }
        let uid = field("uid", of: object) { $0.nonEmptyString($1, at: $2) }
        let type = field("type", of: object) { $0.nonEmptyString($1, at: $2) }
        return DataSourceSelector(name: name.map { Glob($0) }, uid: uid, type: type)
    }

    private mutating func folderSelector(_ node: YAMLNode, at path: FieldPath) -> FolderSelector? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["title", "uid"])
        guard object.has("title") || object.has("uid") else {
            report(.missingOneOf(["title", "uid"].map { path.child($0) }, at: location(node.mark)))
            return nil
        }
        let title = field("title", of: object) { $0.nonEmptyString($1, at: $2) }
        let uid = field("uid", of: object) { $0.nonEmptyString($1, at: $2) }
        return FolderSelector(title: title.map { Glob($0) }, uid: uid)
    }

    private mutating func approval(_ node: YAMLNode, at path: FieldPath) -> Approval? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["required", "approvers", "minApprovals"])
        let isRequired = field("required", of: object, isRequired: true) { $0.bool($1, at: $2) }
        let approvers = field("approvers", of: object, isRequired: isRequired == true) {
            $0.subjectSelector($1, at: $2)
        }
        if isRequired == true, let approvers, approvers.isEmpty, let mark = object.value("approvers")?.mark {
            report(
                .invalidValue(
                    path.child("approvers"), problem: "must name at least one user or team", at: location(mark)))
        }
        let minApprovals = field("minApprovals", of: object) { $0.positiveInt($1, at: $2) }
        guard let isRequired else { return nil }
        return Approval(
            isRequired: isRequired, approvers: approvers ?? SubjectSelector(), minApprovals: minApprovals ?? 1)
    }

    /// `{schedules: [...]}`, as `autoApprove.onCall` and `requireOnCall` write it.
    private mutating func onCallSchedules(_ node: YAMLNode, at path: FieldPath) -> [String]? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["schedules"])
        return field("schedules", of: object, isRequired: true) {
            $0.list($1, at: $2) { $0.nonEmptyString($1, at: $2) }
        }
    }

    private mutating func activeHours(_ node: YAMLNode, at path: FieldPath) -> ActiveHours? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["days", "from", "to", "timeZone"])
        let days = field("days", of: object, isRequired: true) { context, node, path -> Set<Int>? in
            guard let lists = context.list(node, at: path, { $0.weekdays($1, at: $2) }) else { return nil }
            return lists.reduce(into: Set<Int>()) { $0.formUnion($1) }
        }
        let from = field("from", of: object, isRequired: true) { $0.timeOfDay($1, at: $2) }
        let to = field("to", of: object, isRequired: true) { $0.timeOfDay($1, at: $2) }
        let timeZone = field("timeZone", of: object, isRequired: true) { context, node, path -> TimeZone? in
            guard let name = context.string(node, at: path) else { return nil }
            guard ActiveHours.zoneNames.contains(name), let zone = TimeZone(identifier: name) else {
                context.report(
                    .invalidValue(
                        path, problem: "\"\(name)\" is not a time zone name like Europe/Berlin or UTC",
                        at: context.location(node.mark)))
                return nil
            }
            return zone
        }
        if let from, let to, from == to, let mark = object.value("to")?.mark {
            report(.invalidValue(path.child("to"), problem: "must differ from from", at: location(mark)))
            return nil
        }
        guard let days, let from, let to, let timeZone else { return nil }
        return ActiveHours(days: days, from: from, to: to, timeZone: timeZone)
    }

    /// `Mon`, or a range `Mon-Fri` (wrapping ranges like `Fri-Mon` allowed).
    private mutating func weekdays(_ node: YAMLNode, at path: FieldPath) -> Set<Int>? {
        guard let text = string(node, at: path) else { return nil }
        let names = ActiveHours.dayNames
        let bounds = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let indices = bounds.compactMap { names.firstIndex(of: $0) }
        guard (1...2).contains(bounds.count), indices.count == bounds.count else {
            report(
                .invalidValue(
                    path, problem: "\"\(text)\" is not a day like Mon or a range like Mon-Fri", at: location(node.mark))
            )
            return nil
        }
        var days = Set<Int>()
        var day = indices[0]
        while true {
            days.insert(day + 1)
            if day == indices[indices.count - 1] { break }
            day = (day + 1) % 7
        }
        return days
    }

    /// `HH:MM` from 00:00 to 24:00, in minutes.
    private mutating func timeOfDay(_ node: YAMLNode, at path: FieldPath) -> Int? {
        guard let text = string(node, at: path) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let hour = Int(parts[0]),
            let minute = Int(parts[1]),
            (0...23).contains(hour) && (0...59).contains(minute) || hour == 24 && minute == 0
        else {
            report(.invalidValue(path, problem: "\"\(text)\" is not a time of day like 08:00", at: location(node.mark)))
            return nil
        }
        return hour * 60 + minute
    }

    private mutating func autoApprove(_ node: YAMLNode, at path: FieldPath) -> AutoApprove? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["onCall"])
        let onCall = field("onCall", of: object, isRequired: true) { $0.onCallSchedules($1, at: $2) }
        return onCall.map { AutoApprove(onCallSchedules: $0) }
    }
}
