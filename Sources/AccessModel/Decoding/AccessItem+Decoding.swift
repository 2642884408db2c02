import YAML

extension DecodingContext {
    /// `{dataSource, permission}`, `{folder, permission}`, `{team, role}` or `{orgRole}`; for grants and bundles.
    mutating func accessItem(_ node: YAMLNode, at path: FieldPath) -> AccessItem? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(
            of: object, known: ["dataSource", "folder", "permission", "team", "role", "orgRole", "serviceAccountToken"])
        let errorCount = errors.count
        let itemLocation = location(node.mark)
        guard let key = exactlyOne(of: ["dataSource", "folder", "team", "orgRole", "serviceAccountToken"], in: object)
        else { return nil }
        let target: AccessItem.Target?
        if key == "serviceAccountToken" {
            rejectMisplaced("permission", in: object, because: "applies to data-source and folder items")
            rejectMisplaced("role", in: object, because: "goes inside serviceAccountToken")
            target = field("serviceAccountToken", of: object) { $0.serviceAccountToken($1, at: $2) }
        } else if key == "orgRole" {
            rejectMisplaced("permission", in: object, because: "applies to data-source items; orgRole stands alone")
            rejectMisplaced("role", in: object, because: "applies to team items; orgRole stands alone")
            let role: OrgRole? = field("orgRole", of: object) { $0.oneOf($1, at: $2) }
            target = role.map { .orgRole($0) }
        } else if key == "folder" {
            rejectMisplaced("role", in: object, because: "applies to team items; a folder takes permission")
            let reference = field("folder", of: object) { $0.literalName($1, at: $2) }
            let permission: FolderPermission? = field("permission", of: object, isRequired: true) {
                $0.oneOf($1, at: $2)
            }
            target = reference.flatMap { reference in permission.map { .folder(reference, $0) } }
        } else if key == "dataSource" {
            rejectMisplaced("role", in: object, because: "applies to team items; a data source takes permission")
            let reference = field("dataSource", of: object) { $0.literalName($1, at: $2) }
            let permission: Permission? = field("permission", of: object, isRequired: true) { $0.oneOf($1, at: $2) }
            target = reference.flatMap { reference in permission.map { .dataSource(reference, $0) } }
        } else {
            rejectMisplaced("permission", in: object, because: "applies to data-source items; a team takes role")
            let name = field("team", of: object) { $0.literalName($1, at: $2) }
            let role: TeamRole? = field("role", of: object) { $0.oneOf($1, at: $2) }
            let roleIsValid = role != nil || !object.has("role")
            target = roleIsValid ? name.map { .team($0, role ?? .member) } : nil
        }
        guard let target, errors.count == errorCount else { return nil }
        return AccessItem(target, field: path, location: itemLocation)
    }

    /// `{serviceAccount: <name>, role: Viewer|Editor|Admin}`; the role defaults to Viewer.
    private mutating func serviceAccountToken(_ node: YAMLNode, at path: FieldPath) -> AccessItem.Target? {
        guard let object = object(node, at: path) else { return nil }
        rejectUnknownFields(of: object, known: ["serviceAccount", "role"])
        let name = field("serviceAccount", of: object, isRequired: true) { $0.literalName($1, at: $2) }
        let role: OrgRole? = field("role", of: object) { $0.oneOf($1, at: $2) }
        guard let name, role != nil || !object.has("role") else { return nil }
        return .serviceAccountToken(name, role ?? .viewer)
    }

    /// A name an access item gives: one data source, folder, team or service account, never a pattern (globs are
    /// for policies' selectors, so a grant cannot reach more than it names).
    private mutating func literalName(_ node: YAMLNode, at path: FieldPath) -> String? {
        guard let name = nonEmptyString(node, at: path) else { return nil }
        guard !name.contains("*"), !name.contains("?") else {
            report(
                .invalidValue(
                    path, problem: "names one resource; * and ? are for policy selectors, not grants",
                    at: location(node.mark)))
            return nil
        }
        if let problem = ObjectReference.problem(with: name) {
            report(.invalidValue(path, problem: problem, at: location(node.mark)))
            return nil
        }
        return name
    }

    /// The one key of `keys` present in `object`; reports none or several.
    mutating func exactlyOne(of keys: [String], in object: ObjectNode) -> String? {
        let present = object.entries.filter { keys.contains($0.key) }
        guard let first = present.first else {
            report(.missingOneOf(keys.map { object.path.child($0) }, at: location(object.mark)))
            return nil
        }
        for extra in present.dropFirst() {
            let path = object.path.child(extra.key)
            report(.conflictingFields(path, with: object.path.child(first.key), at: location(extra.keyMark)))
        }
        return present.count == 1 ? first.key : nil
    }

    mutating func rejectMisplaced(_ key: String, in object: ObjectNode, because problem: String) {
        guard let mark = object.keyMark(key) else { return }
        report(.invalidValue(object.path.child(key), problem: problem, at: location(mark)))
    }
}
