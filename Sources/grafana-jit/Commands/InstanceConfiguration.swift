import Foundation
import GrafanaAPI
import HTTPClient
import YAML

/// `--config FILE`: the Grafana instances and orgs one controller governs. Every mistake names the file, line,
/// column and field.
///
/// ```yaml
/// default: main
/// instances:
///   - name: main
///     url: https://grafana.example.com
///     tokenFile: /etc/grafana-jit/main.token
///     orgs: [1, {id: 2, tokenFile: /etc/grafana-jit/main-org2.token}]
///     oncall: {url: https://oncall.example.com/oncall, tokenFile: /etc/grafana-jit/oncall.token}
///     incident: {url: https://grafana.example.com/api/plugins/grafana-irm-app/resources}
/// ```
struct InstanceConfiguration {
    struct Instance {
        var name: String
        var url: URL
        var credentials: GrafanaConnection.Credentials
        /// Org ids with their own credentials where given (a service-account token belongs to one org); empty:
        /// the org the credentials belong to.
        var orgs: [(id: Int, credentials: GrafanaConnection.Credentials?)]
        var onCall: (url: URL, token: String)?
        /// The Incident token defaults to the instance's Grafana token.
        var incident: (url: URL, token: String?)?
        /// TLS for this instance's Grafana, OnCall and Incident; nil: the command line's.
        var tls: TLSSettings?
    }

    var defaultName: String
    var instances: [Instance]

    static func load(path: String) throws(UsageError) -> InstanceConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidValue(option: "config", value: path, expected: "a readable configuration file")
        }
        var reader = Reader(path: path)
        do throws(ConfigurationError) {
            let documents: [YAMLDocument]
            do {
                documents = try YAMLParser().documents(in: Array(data))
            } catch {
                throw ConfigurationError(path: path, mark: error.mark, field: "", message: error.description)
            }
            guard let root = documents.first?.root, !root.isNull else {
                throw ConfigurationError(
                    path: path, mark: YAMLMark(line: 1, column: 1), field: "instances", message: "is required")
            }
            return try reader.configuration(root)
        } catch {
            throw .invalidConfiguration(error.description)
        }
    }
}

/// A configuration mistake, where it is.
struct ConfigurationError: Error, CustomStringConvertible {
    var path: String
    var mark: YAMLMark
    var field: String
    var message: String

    var description: String { "\(path):\(mark): \(field.isEmpty ? "" : field + ": ")\(message)" }
}

private struct Reader {
    let path: String

    func fail(_ node: YAMLNode, _ field: String, _ message: String) -> ConfigurationError {
        ConfigurationError(path: path, mark: node.mark, field: field, message: message)
    }

    func mapping(_ node: YAMLNode, _ field: String, allowed: Set<String>) throws(ConfigurationError) -> [String:
        YAMLNode]
    {
        guard case .mapping(let entries) = node.content else {
            throw fail(node, field, "expected a mapping, found \(node.typeName)")
        }
        var result: [String: YAMLNode] = [:]
        for entry in entries {
            guard allowed.contains(entry.key) else {
                throw ConfigurationError(
                    path: path, mark: entry.keyMark, field: field.isEmpty ? entry.key : field + "." + entry.key,
                    message: "unknown field (allowed: \(allowed.sorted().joined(separator: ", ")))")
            }
            result[entry.key] = entry.value
        }
        return result
    }

    func text(_ node: YAMLNode?, _ field: String, in parent: YAMLNode) throws(ConfigurationError) -> String {
        guard let node else { throw fail(parent, field, "required field is missing") }
        guard let scalar = node.scalar, scalar.value != .null, !scalar.text.isEmpty else {
            throw fail(node, field, "expected a non-empty string, found \(node.typeName)")
        }
        return scalar.text
    }

    func url(_ node: YAMLNode?, _ field: String, in parent: YAMLNode) throws(ConfigurationError) -> URL {
        let value = try text(node, field, in: parent)
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? "") else {
            throw fail(node ?? parent, field, "\"\(value)\" is not an http or https URL")
        }
        return url
    }

    func token(_ node: YAMLNode?, _ field: String, in parent: YAMLNode) throws(ConfigurationError) -> String? {
        guard let node else { return nil }
        let file = try text(node, field, in: parent)
        guard let data = FileManager.default.contents(atPath: file) else {
            throw fail(node, field, "cannot read \(file)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw fail(node, field, "\(file) is empty") }
        return token
    }

    mutating func configuration(_ root: YAMLNode) throws(ConfigurationError) -> InstanceConfiguration {
        let fields = try mapping(root, "", allowed: ["default", "instances"])
        guard let list = fields["instances"], case .sequence(let nodes) = list.content, !nodes.isEmpty else {
            throw fail(fields["instances"] ?? root, "instances", "expected a non-empty list of Grafana instances")
        }
        var instances: [InstanceConfiguration.Instance] = []
        for (index, node) in nodes.enumerated() {
            let instance = try self.instance(node, "instances[\(index)]")
            guard !instances.contains(where: { $0.name == instance.name }) else {
                throw fail(node, "instances[\(index)].name", "\(instance.name) is defined twice")
            }
            instances.append(instance)
        }
        let defaultName = try fields["default"].map { node throws(ConfigurationError) in
            let name = try text(node, "default", in: root)
            guard instances.contains(where: { $0.name == name }) else {
                throw fail(node, "default", "no instance named \(name)")
            }
            return name
        }
        return InstanceConfiguration(defaultName: defaultName ?? instances[0].name, instances: instances)
    }

    private func instance(_ node: YAMLNode, _ field: String) throws(ConfigurationError)
        -> InstanceConfiguration
        .Instance
    {
        let fields = try mapping(
            node, field, allowed: ["name", "url", "tokenFile", "orgs", "oncall", "incident", "tls"])
        let name = try text(fields["name"], field + ".name", in: node)
        let isLabel =
            name.count <= 63 && name.first?.isLetter == true
            && name.allSatisfy { ($0.isLowercase || $0.isNumber || $0 == "-") && $0.isASCII } && name.last != "-"
        guard isLabel else {
            throw fail(fields["name"] ?? node, field + ".name", "\"\(name)\" is not a name like main or eu-west")
        }
        guard let token = try self.token(fields["tokenFile"], field + ".tokenFile", in: node) else {
            throw fail(node, field + ".tokenFile", "required field is missing")
        }
        var orgs: [(id: Int, credentials: GrafanaConnection.Credentials?)] = []
        if let list = fields["orgs"] {
            guard case .sequence(let items) = list.content, !items.isEmpty else {
                throw fail(list, field + ".orgs", "expected a non-empty list of org ids")
            }
            for (index, item) in items.enumerated() {
                let path = "\(field).orgs[\(index)]"
                let org = try self.org(item, path)
                guard !orgs.contains(where: { $0.id == org.id }) else { throw fail(item, path, "org \(org.id) twice") }
                orgs.append(org)
            }
        }
        var onCall: (url: URL, token: String)?
        if let node = fields["oncall"] {
            let service = try mapping(node, field + ".oncall", allowed: ["url", "tokenFile"])
            let url = try url(service["url"], field + ".oncall.url", in: node)
            guard let token = try self.token(service["tokenFile"], field + ".oncall.tokenFile", in: node) else {
                throw fail(node, field + ".oncall.tokenFile", "required field is missing")
            }
            onCall = (url, token)
        }
        var incident: (url: URL, token: String?)?
        if let node = fields["incident"] {
            let service = try mapping(node, field + ".incident", allowed: ["url", "tokenFile"])
            incident = (
                try url(service["url"], field + ".incident.url", in: node),
                try self.token(service["tokenFile"], field + ".incident.tokenFile", in: node)
            )
        }
        return InstanceConfiguration.Instance(
            name: name, url: try url(fields["url"], field + ".url", in: node), credentials: .token(token), orgs: orgs,
            onCall: onCall, incident: incident,
            tls: try fields["tls"].map { node throws(ConfigurationError) in
                try tls(node, field + ".tls")
            })
    }

    /// `{caFile, caFileOnly, clientCert, clientKey, insecureSkipVerify}`, checked as the options are.
    private func tls(_ node: YAMLNode, _ field: String) throws(ConfigurationError) -> TLSSettings {
        let fields = try mapping(
            node, field, allowed: ["caFile", "caFileOnly", "clientCert", "clientKey", "insecureSkipVerify"])
        func flag(_ name: String) throws(ConfigurationError) -> Bool {
            guard let value = fields[name] else { return false }
            guard let text = value.scalar?.text, ["true", "false"].contains(text) else {
                throw fail(value, field + "." + name, "expected true or false")
            }
            return text == "true"
        }
        func path(_ name: String) throws(ConfigurationError) -> String? {
            guard let value = fields[name] else { return nil }
            return try text(value, field + "." + name, in: node)
        }
        let names = [
            "ca-file": "caFile", "ca-file-only": "caFileOnly", "client-cert": "clientCert", "client-key": "clientKey",
            "insecure-skip-verify": "insecureSkipVerify",
        ]
        let (caFile, caFileOnly) = (try path("caFile"), try flag("caFileOnly"))
        let (certificate, key, skips) = (try path("clientCert"), try path("clientKey"), try flag("insecureSkipVerify"))
        do throws(UsageError) {
            return try TLSOptions.settings(
                caFile: caFile, caFileOnly: caFileOnly, clientCertificate: certificate, clientKey: key,
                skipsVerification: skips, naming: { field + "." + (names[$0] ?? $0) })
        } catch {
            throw fail(node, field, "\(error)")
        }
    }

    /// `1`, or `{id: 2, tokenFile: FILE}` for an org whose service account has its own token.
    private func org(_ node: YAMLNode, _ field: String) throws(ConfigurationError) -> (
        id: Int, credentials: GrafanaConnection.Credentials?
    ) {
        if case .int(let id) = node.scalar?.value {
            guard id > 0 else { throw fail(node, field, "must be at least 1, found \(id)") }
            return (id, nil)
        }
        let fields = try mapping(node, field, allowed: ["id", "tokenFile"])
        guard let idNode = fields["id"], case .int(let id) = idNode.scalar?.value, id > 0 else {
            throw fail(fields["id"] ?? node, field + ".id", "expected an org id of at least 1")
        }
        return (id, try token(fields["tokenFile"], field + ".tokenFile", in: node).map { .token($0) })
    }
}
