import Foundation
import GrafanaAPI
import TestSupport

@testable import Controller

extension Reconciler {
    /// A reconciler over `directory/repo`, with its state in `directory/state` and its audit trail in
    /// `directory/audit.jsonl`, logging errors only (to nowhere unless a logger is given).
    static func testing(
        in directory: TemporaryDirectory, grafana: any GrafanaAPI, clock: any WallClock, logger: Logger? = nil,
        onCall: (any OnCallAPI)? = nil, notifier: Notifier? = nil,
        configure: (inout ReconcilerConfiguration) -> Void = { _ in }
    ) -> Reconciler {
        let fileSystem = LocalFileSystem()
        var configuration = ReconcilerConfiguration(
            grants: [directory.path + "/repo"], stateDirectory: directory.path + "/state")
        configure(&configuration)
        return Reconciler(
            configuration: configuration, grafana: grafana, fileSystem: fileSystem, clock: clock,
            logger: logger ?? Logger(minimumLevel: .error, clock: clock) { _ in },
            audit: AuditLog(destination: .file(directory.path + "/audit.jsonl"), fileSystem: fileSystem),
            onCall: onCall, notifier: notifier)
    }
}
