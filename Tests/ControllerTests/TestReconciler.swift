import Foundation
import GrafanaAPI
import TestSupport

@testable import Controller

extension Reconciler {
    /// A reconciler with grants under `directory/repo` and policies under `directory/repo/policies`, its state in
    /// `directory/state` and its audit trail in `directory/audit.jsonl`, logging errors only (to nowhere unless a
    /// logger is given).
    static func testing(
        in directory: TemporaryDirectory, grafana: any GrafanaAPI, clock: any WallClock, logger: Logger? = nil,
        onCall: (any OnCallAPI)? = nil, notifier: Notifier? = nil,
        configure: (inout ReconcilerConfiguration) -> Void = { _ in }
    ) -> Reconciler {
        let fileSystem = LocalFileSystem()
        var configuration = ReconcilerConfiguration(
            sources: ResourceSources(grants: [directory.path + "/repo"], policies: [directory.path + "/repo/policies"]),
            stateDirectory: directory.path + "/state")
        configure(&configuration)
        return Reconciler(
            configuration: configuration, grafana: grafana, fileSystem: fileSystem, clock: clock,
            logger: logger ?? Logger(minimumLevel: .error, clock: clock) { _ in },
            onCall: onCall, notifier: notifier,
            storage: FileStateStorage(
                directory: configuration.stateDirectory, audit: .file(directory.path + "/audit.jsonl"),
                fileSystem: fileSystem))
    }
}

extension TemporaryDirectory {
    /// Writes a multi-document text where the controller reads it: grants to `repo/NAME`, policies and bundles to
    /// `repo/policies/NAME`.
    func writeResources(_ text: String, named name: String) throws {
        let documents = text.components(separatedBy: "\n---\n")
        let grants = documents.filter { $0.contains("kind: AccessGrant") }
        let policies = documents.filter { !$0.contains("kind: AccessGrant") }
        if !grants.isEmpty { try write("repo/" + name, grants.joined(separator: "\n---\n")) }
        if !policies.isEmpty { try write("repo/policies/" + name, policies.joined(separator: "\n---\n")) }
    }
}
