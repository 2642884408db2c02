/// What one key's result and backoff are about: a Grafana object, or a grant's service-account token. Kept apart
/// from `Binding.Resource`, which the ledger stores and the planner plans on: no binding is ever on a token.
package enum ReconcileKey: Sendable, Hashable {
    /// A data source's or folder's permissions, a team's members, or the org users' roles.
    case object(Binding.Resource)
    /// The service-account token a grant holds while it is active.
    case token(grant: String)

    /// The key as a message names it.
    var words: String {
        switch self {
        case .object(let resource): resource.words
        case .token(let grant): "the service-account token of \(grant)"
        }
    }
}

extension Dictionary where Key == ReconcileKey {
    /// The entries about Grafana objects, by object.
    var objects: [Binding.Resource: Value] {
        var result: [Binding.Resource: Value] = [:]
        for case (.object(let resource), let value) in self { result[resource] = value }
        return result
    }

    /// The entries about tokens, by grant.
    var tokens: [String: Value] {
        var result: [String: Value] = [:]
        for case (.token(let grant), let value) in self { result[grant] = value }
        return result
    }
}

extension Binding.Resource {
    /// The object as a message names it.
    var words: String {
        switch self {
        case .dataSource(let uid): "data source \(uid)"
        case .folder(let uid): "folder \(uid)"
        case .team(let id): "team \(id)"
        case .orgRole: "the organization's users"
        }
    }
}
