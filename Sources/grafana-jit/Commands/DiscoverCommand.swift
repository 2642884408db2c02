import AccessModel
import Controller
import Foundation

/// `grafana-jit discover`: who holds access to the governed data sources, teams and folders, marked granted,
/// built-in or standing; `--as-grants` writes AccessGrant skeletons for the standing entries.
struct DiscoverCommand: Command {
    static let name = "discover"
    static let abstract = "List Grafana's resources and who holds access: granted, built-in or standing."
    static let usage =
        "--grafana-url URL [--policies PATH] [--grants PATH] [--state DIR] [--output table|json|yaml] [--as-grants DIR]"
    static let summary = """
        Reads data sources, teams and folders, and for every one a policy in --policies governs (every one, without \
        --policies) who holds access. Entries the ledger in --state records are "granted" (with their grants), rows \
        from built-in roles or inherited from a parent folder are "built-in", the rest are "standing": access the \
        just-in-time model is meant to remove.
        """
    static let options: [OptionSpec] =
        ControllerOptions.readingSpecs.filter { $0.name != "brake-share" } + [
            .value(
                "output", "FORMAT", environment: "GRAFANA_JIT_OUTPUT", help: "table (default), json or yaml."),
            .value(
                "as-grants", "DIR", environment: "GRAFANA_JIT_AS_GRANTS",
                help: "Write an AccessGrant skeleton per standing entry into this folder."),
        ]

    func run(_ arguments: ParsedArguments, console: any Console) async throws -> ExitCode {
        let output = arguments.value("output") ?? "table"
        guard ["table", "json", "yaml"].contains(output) else {
            throw UsageError.invalidValue(option: "output", value: output, expected: "table, json or yaml")
        }
        guard let reports = try await Self.reports(arguments, console: console, command: Self.name) else {
            return .findings
        }
        switch output {
        case "json": console.write(try Self.json(reports.map(\.report), pretty: true) + "\n")
        case "yaml":
            console.write(
                YAMLText.render(
                    try JSONSerialization.jsonObject(with: Data(Self.json(reports.map(\.report), pretty: false).utf8))))
        default:
            console.write(
                reports.map { Self.table($0.report, target: reports.count > 1 ? $0.target : nil) }.joined(
                    separator: "\n"))
        }
        if let folder = arguments.value("as-grants") {
            let written = try GrantSkeletons.write(
                reports.flatMap(\.report.standing), resources: reports.flatMap(\.report.resources), to: folder,
                now: Date())
            console.writeError("grafana-jit: wrote \(written) grant skeleton(s) to \(folder)\n")
        }
        return .success
    }

    /// Discovery in every Grafana the options name; nil, after saying why, when one fails. Without policies every
    /// resource is governed; without a state folder nothing is marked granted.
    static func reports(_ arguments: ParsedArguments, console: any Console, command: String) async throws
        -> [(target: Target, report: DiscoveryReport)]?
    {
        var arguments = arguments
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("grafana-jit-discover-\(getpid())")
        defer {
            // A scratch folder left behind is harmless; it only ever holds empty folders.
            try? FileManager.default.removeItem(at: scratch)
        }
        for name in ["grants", "state"] where arguments.value(name) == nil {
            let folder = scratch.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            arguments.values[name] = folder
            if name == "grants" { arguments.lists[name] = [folder] }
        }
        let options = try ControllerOptions(
            arguments, environment: ProcessInfo.processInfo.environment, command: command)
        var reports: [(target: Target, report: DiscoveryReport)] = []
        for controller in options.makeReconcilers(console: console) {
            do {
                try await controller.reconciler.start(exclusive: false)
                reports.append((controller.settings.target, try await controller.reconciler.discover()))
            } catch {
                console.writeError("grafana-jit: error: discovery in \(controller.settings.target) failed: \(error)\n")
                return nil
            }
        }
        return reports
    }

    private static func json(_ reports: [DiscoveryReport], pretty: Bool) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys]
        let data = reports.count == 1 ? try encoder.encode(reports[0]) : try encoder.encode(reports)
        return String(decoding: data, as: UTF8.self)
    }

    static func table(_ report: DiscoveryReport, target: Target?) -> String {
        var text = target.map { "Grafana \($0):\n" } ?? ""
        text += columns(
            [["KIND", "ID", "NAME", "TYPE", "GOVERNED"]]
                + report.resources.map { [$0.kind, $0.id, $0.name, $0.type ?? "-", $0.governed ? "yes" : "no"] })
        text += "\n"
        text += columns(
            [["RESOURCE", "WHO", "LEVEL", "SOURCE"]]
                + report.entries.map { entry in
                    let source =
                        entry.source == .granted
                        ? "granted (\((entry.grants ?? []).joined(separator: ", ")))" : entry.source.rawValue
                    return [
                        "\(entry.resourceKind) \(entry.resource)", "\(entry.principalKind) \(entry.principal)",
                        entry.level, source,
                    ]
                })
        for problem in report.problems { text += "problem: \(problem)\n" }
        text += "\(report.standing.count) standing entr\(report.standing.count == 1 ? "y" : "ies")\n"
        return text
    }

}

/// Rows as aligned columns, two spaces apart; the last column is not padded (it is free text). Cells come from files
/// and Grafana, so their control characters are escaped: a row is always one line.
func columns(_ rows: [[String]]) -> String {
    let rows = rows.map { $0.map(\.inert) }
    let last = rows[0].count - 1
    let widths = (0..<last).map { column in rows.map { $0[column].count }.max() ?? 0 }
    return rows.map { row in
        ((0..<last).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) } + [row[last]])
            .joined(separator: "  ")
    }.joined(separator: "\n") + "\n"
}

/// AccessGrant files for standing entries, so a team can move them under just-in-time access by pull request.
enum GrantSkeletons {
    static func write(
        _ entries: [DiscoveryReport.Entry], resources: [DiscoveryReport.Resource], to folder: String, now: Date
    ) throws -> Int {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let byID = Dictionary(resources.map { ($0.kind + "/" + $0.id, $0) }) { first, _ in first }
        var names: Set<String> = []
        for entry in entries {
            let resource = byID[entry.resourceKind + "/" + entry.resource]
            guard let text = skeleton(entry, resource: resource, now: now) else { continue }
            var name = fileName(entry)
            var suffix = 2
            while !names.insert(name).inserted {
                name = String(fileName(entry).prefix(60)) + "-\(suffix)"
                suffix += 1
            }
            try text.replacingOccurrences(of: "NAME", with: name).write(
                toFile: folder + "/\(name).yaml", atomically: true, encoding: .utf8)
        }
        return names.count
    }

    /// Nil for entries a grant cannot express (a team as a member of a team, a built-in role).
    static func skeleton(_ entry: DiscoveryReport.Entry, resource: DiscoveryReport.Resource?, now: Date) -> String? {
        let subject: String
        switch entry.principalKind {
        case "user": subject = "{user: \(YAMLText.quoted(entry.email ?? entry.principal))}"
        case "team" where entry.resourceKind != "team": subject = "{team: \(YAMLText.quoted(entry.principal))}"
        default: return nil
        }
        let item: String
        switch entry.resourceKind {
        case "datasource":
            item = "{dataSource: \(YAMLText.quoted(reference(entry, resource))), permission: \(entry.level)}"
        case "folder": item = "{folder: \(YAMLText.quoted(reference(entry, resource))), permission: \(entry.level)}"
        case "team": item = "{team: \(YAMLText.quoted(entry.resource)), role: \(entry.level)}"
        default: return nil
        }
        let day = String(now.rfc3339.prefix(10))
        return """
            # Standing access found by `grafana-jit discover` on \(day): \(entry.principalKind) \(entry.principal) \
            holds \(entry.level) on \(entry.resourceKind) \(entry.resource).
            # Review the duration and reason, merge it through a pull request, then remove the standing entry in Grafana.
            apiVersion: grafana-jit.io/v1alpha1
            kind: AccessGrant
            metadata: {name: NAME}
            spec:
              subject: \(subject)
              access: [\(item)]
              duration: 8h
              reason: "moved under just-in-time access from standing access found on \(day)"

            """
    }

    /// The reference policies' selectors match, never ambiguous: a data source by `name:`, a top-level folder by
    /// `title:`, a nested folder by `uid:` (titles are only looked up among top-level folders).
    static func reference(_ entry: DiscoveryReport.Entry, _ resource: DiscoveryReport.Resource?) -> String {
        guard let resource else { return "uid:" + entry.resource }
        switch resource.kind {
        case "datasource": return "name:" + resource.name
        case "folder" where resource.parent == nil: return "title:" + resource.name
        default: return "uid:" + entry.resource
        }
    }

    /// `standing-<kind>-<resource>-<principal>`, as a DNS-1123 name of at most 63 characters.
    static func fileName(_ entry: DiscoveryReport.Entry) -> String {
        let raw = "standing-\(entry.resourceKind)-\(entry.resource)-\(entry.principal)".lowercased()
        var name = ""
        for character in raw {
            let allowed = character.isASCII && (character.isLetter || character.isNumber)
            if allowed {
                name.append(character)
            } else if !name.hasSuffix("-") {
                name.append("-")
            }
        }
        return String(name.prefix(63)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
    }

}

/// JSON-compatible values as block YAML, strings double-quoted with JSON's escaping (valid YAML).
enum YAMLText {
    static func render(_ value: Any, indent: String = "") -> String {
        switch value {
        case let object as [String: Any]:
            guard !object.isEmpty else { return indent + "{}\n" }
            return object.keys.sorted().map { key in
                let child = object[key]!
                if isScalar(child) { return "\(indent)\(key): \(scalar(child))\n" }
                if isEmptyCollection(child) { return "\(indent)\(key): \(child is [Any] ? "[]" : "{}")\n" }
                return "\(indent)\(key):\n" + render(child, indent: indent + "  ")
            }.joined()
        case let array as [Any]:
            guard !array.isEmpty else { return indent + "[]\n" }
            return array.map { element in
                if isScalar(element) { return "\(indent)- \(scalar(element))\n" }
                let nested = render(element, indent: indent + "  ")
                return indent + "- " + nested.dropFirst(indent.count + 2)
            }.joined()
        default:
            return indent + scalar(value) + "\n"
        }
    }

    /// A YAML double-quoted scalar (JSON's escaping is valid there).
    static func quoted(_ text: String) -> String {
        // Encoding a plain string cannot fail; the empty string is only a guard.
        let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    private static func isScalar(_ value: Any) -> Bool { !(value is [String: Any]) && !(value is [Any]) }

    private static func isEmptyCollection(_ value: Any) -> Bool {
        (value as? [Any])?.isEmpty ?? (value as? [String: Any])?.isEmpty ?? false
    }

    private static func scalar(_ value: Any) -> String {
        switch value {
        case let text as String: return quoted(text)
        // corelibs' JSONSerialization gives native Bool, Int and Double, so a Bool is never read as a number.
        case let flag as Bool: return flag ? "true" : "false"
        case let number as Int: return String(number)
        case let number as Double: return String(number)
        case is NSNull: return "null"
        default: return "\"\(value)\""
        }
    }
}
