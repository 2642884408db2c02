/// The controller's durable memory of one Grafana instance and org: the ledger (what it wrote, each grant's window,
/// its tokens), each grant's status and the audit trail. The reconciler knows only this protocol; the file backend
/// (`STATE/`) is one shape of it, and a shared database for replicas with leader election would be another.
package protocol StateStorage: Sendable {
    /// The ledger as last saved; with `maintaining` (only the holder of the state's lock), the storage may also
    /// migrate or compact what it holds.
    func loadLedger(maintaining: Bool) async throws(LedgerError) -> Ledger
    /// Saves durably what differs from the last save, before any write that depends on it is made.
    func saveLedger(_ ledger: Ledger) async throws(LedgerError)
    func loadStatuses() async -> [String: GrantStatus]
    /// Saves the statuses whose content changed.
    func saveStatuses(_ statuses: [GrantStatus]) async throws(FileSystemError)
    /// Appends the events, in order, durably before it returns: the trail is only ever added to. Each event names
    /// its instance and org, so several controllers' trails may share one place.
    func appendAudit(_ events: [AuditEvent]) async throws(FileSystemError)
}

/// The state folder: `ledger.journal` (and 0.2's `ledger.json`), `status/NAME.json`, and the audit trail, which is
/// `audit.jsonl` in it unless `audit` names another file (`--audit-log`; with `--config`, one file above every
/// instance's folder) or standard output.
package struct FileStateStorage: StateStorage {
    private let ledger: LedgerStore
    private let statuses: StatusStore
    private let audit: AuditStore

    package init(directory: String, audit: AuditStore.Destination? = nil, fileSystem: any FileSystem) {
        ledger = LedgerStore(directory: directory, fileSystem: fileSystem)
        statuses = StatusStore(stateDirectory: directory, fileSystem: fileSystem)
        self.audit = AuditStore(
            destination: audit ?? .file(directory + "/" + AuditStore.fileName), fileSystem: fileSystem)
    }

    package func loadLedger(maintaining: Bool) async throws(LedgerError) -> Ledger {
        try await ledger.load(maintaining: maintaining)
    }

    package func saveLedger(_ ledger: Ledger) async throws(LedgerError) {
        try await self.ledger.save(ledger)
    }

    package func loadStatuses() async -> [String: GrantStatus] {
        await statuses.load()
    }

    package func saveStatuses(_ statuses: [GrantStatus]) async throws(FileSystemError) {
        try await self.statuses.save(statuses)
    }

    package func appendAudit(_ events: [AuditEvent]) async throws(FileSystemError) {
        try await audit.append(events)
    }
}

extension StateStorage {
    /// Saves the ledger and marks it saved, so the next save of it compares only what changed since.
    func save(_ ledger: inout Ledger) async throws(LedgerError) {
        try await saveLedger(ledger)
        ledger.markSaved()
    }
}
