import AccessModel
import Controller

/// `--grants`, `--policies` and `--max-grant-duration`, shared by `run`, `plan`, `validate` and `discover`: where each
/// kind may come from, so CI and the controller read the same files the same way.
struct SourceOptions {
    static let specs: [OptionSpec] = [
        .repeatable(
            "grants", "PATH", environment: "GRAFANA_JIT_GRANTS",
            help: "File or folder of grants (repeatable). Policies and bundles found here are errors, never loaded."),
        .repeatable(
            "policies", "PATH", environment: "GRAFANA_JIT_POLICIES",
            help:
                "File or folder of policies and bundles (repeatable). Without any, no policy exists and every grant "
                + "is denied."),
        .value(
            "max-grant-duration", "DURATION", environment: "GRAFANA_JIT_MAX_GRANT_DURATION",
            help: "The longest maxDuration a policy may set; a policy above it is an error (default 30d)."),
    ]

    let sources: ResourceSources
    let maxGrantDuration: Duration

    init(_ arguments: ParsedArguments, command: String, requiringGrants: Bool = true) throws(UsageError) {
        let grants = arguments.all("grants")
        let policies = arguments.all("policies")
        if requiringGrants, grants.isEmpty { throw .missingArgument("--grants", command: command) }
        let trimmed = Set(grants.map(ResourceFiles.trimmingTrailingSlashes))
        if let both = policies.first(where: { trimmed.contains(ResourceFiles.trimmingTrailingSlashes($0)) }) {
            throw .conflictingOptions(
                "--policies \(both)", with: "--grants \(both)",
                why: "one path cannot hold both; give the policies folder and the grants folder separately")
        }
        sources = ResourceSources(grants: grants, policies: policies)
        guard let text = arguments.value("max-grant-duration") else {
            maxGrantDuration = ResourceDecoder.defaultMaxGrantDuration
            return
        }
        guard let duration = Duration(text: text) else {
            throw .invalidValue(option: "max-grant-duration", value: text, expected: "a duration like 30d or 12h")
        }
        maxGrantDuration = duration
    }

    /// The decoder with the ceiling on policies' `maxDuration`.
    func decoder(_ base: ResourceDecoder = ResourceDecoder()) -> ResourceDecoder {
        var decoder = base
        decoder.maxGrantDuration = maxGrantDuration
        return decoder
    }
}
