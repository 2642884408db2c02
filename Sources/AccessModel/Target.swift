/// Where one controller acts: a Grafana instance and an org in it, among every configured one. Grants and policies
/// say where they belong with `spec.grafana` and `spec.org`; what they leave out takes the defaults.
package struct Target: Sendable, Equatable, CustomStringConvertible {
    package var grafana: String
    /// nil: the org the credentials belong to (no `X-Grafana-Org-Id`).
    package var org: Int?
    /// The instance grants without `spec.grafana` go to.
    package var defaultGrafana: String
    /// Each configured instance's orgs, its default first; empty: only the credentials' own org.
    package var orgs: [String: [Int]]

    package init(grafana: String, org: Int?, defaultGrafana: String, orgs: [String: [Int]]) {
        self.grafana = grafana
        self.org = org
        self.defaultGrafana = defaultGrafana
        self.orgs = orgs
    }

    /// One Grafana, one org: what a controller without a configuration file governs.
    package static func single(org: Int?) -> Target {
        Target(grafana: "default", org: org, defaultGrafana: "default", orgs: ["default": org.map { [$0] } ?? []])
    }

    /// The default instance's default org: where grants naming an unknown instance or org are reported.
    package var isDefault: Bool { grafana == defaultGrafana && org == orgs[grafana]?.first }

    package var description: String { org.map { "\(grafana)/org \($0)" } ?? grafana }

    /// Where a grant's placement lands, or why it cannot.
    package func resolve(_ placement: Placement) -> Result<(grafana: String, org: Int?), PlacementError> {
        let name = placement.grafana ?? defaultGrafana
        guard let known = orgs[name] else {
            return .failure(.unknownGrafana(name, known: orgs.keys.sorted()))
        }
        guard let org = placement.org else { return .success((name, known.first)) }
        guard known.contains(org) else { return .failure(.unknownOrg(org, grafana: name, known: known)) }
        return .success((name, org))
    }

    /// Whether a grant or policy placed so belongs here.
    func holds(_ placement: Placement) -> Bool {
        guard case .success(let place) = resolve(placement) else { return false }
        return place.grafana == grafana && place.org == org
    }

    /// Policies without a placement apply everywhere; a named instance or org limits them.
    func applies(_ placement: Placement) -> Bool {
        (placement.grafana.map { $0 == grafana } ?? true) && (placement.org.map { $0 == org } ?? true)
    }
}

/// A placement no configured Grafana matches.
package enum PlacementError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownGrafana(String, known: [String])
    case unknownOrg(Int, grafana: String, known: [Int])

    var isUnknownGrafana: Bool {
        if case .unknownGrafana = self { true } else { false }
    }

    package var description: String {
        switch self {
        case .unknownGrafana(let name, let known):
            "spec.grafana: no Grafana instance named \(name) is configured (known: \(known.joined(separator: ", ")))"
        case .unknownOrg(let org, let grafana, let known):
            "spec.org: org \(org) is not configured for Grafana \(grafana) (configured: "
                + (known.isEmpty
                    ? "none; set --org-id or orgs in --config" : known.map(String.init).joined(separator: ", "))
                + ")"
        }
    }
}
