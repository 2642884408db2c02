import YAML

extension DecodingContext {
    private static let policyFields: Set<String> = [
        "subjects", "dataSources", "teams", "permissions", "teamRoles", "maxDuration", "approval", "autoApprove",
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
        if !spec.has("dataSources") && !spec.has("teams") {
            report(.missingOneOf([spec.path.child("dataSources"), spec.path.child("teams")], at: location(spec.mark)))
        }
        let permissions: [Permission]? = field("permissions", of: spec, isRequired: spec.has("dataSources")) {
            $0.list($1, at: $2) { $0.oneOf($1, at: $2) }
        }
        let teamRoles: [TeamRole]? = field("teamRoles", of: spec) { $0.list($1, at: $2) { $0.oneOf($1, at: $2) } }
        let maxDuration = field("maxDuration", of: spec, isRequired: true) { $0.duration($1, at: $2) }
        let approval = field("approval", of: spec) { $0.approval($1, at: $2) }
        let autoApprove = field("autoApprove", of: spec) { $0.autoApprove($1, at: $2) }
        guard let subjects, let maxDuration else { return nil }
        return AccessPolicy(
            metadata: metadata, subjects: subjects, dataSources: dataSources ?? [],
            teams: (teams ?? []).map { Glob($0) }, permissions: permissions ?? [], teamRoles: teamRoles ?? [.member],
            maxDuration: maxDuration, approval: approval, autoApprove: autoApprove)
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

    private mutating func autoApprove(_ node: YAMLNode, at path: FieldPath) -> AutoApprove? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["onCall"])
        let onCall = field("onCall", of: object, isRequired: true) { context, node, path -> [String]? in
            guard let onCall = context.object(node, at: path) else { return nil }
            context.rejectUnknownFields(of: onCall, known: ["schedules"])
            return context.field("schedules", of: onCall, isRequired: true) {
                $0.list($1, at: $2) { $0.nonEmptyString($1, at: $2) }
            }
        }
        return onCall.map { AutoApprove(onCallSchedules: $0) }
    }
}
