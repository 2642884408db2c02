/// The controller's durable memory of one Grafana instance and org: the ledger (what it wrote, each grant's window,
/// its tokens) and each grant's status. The reconciler knows only this protocol; the file backend (`STATE/`) is one
/// shape of it, and a shared database for replicas with leader election would be another.
package protocol StateStorage: Sendable {
    /// The ledger as last saved; with `maintaining` (only the holder of the state's lock), the storage may also
    /// migrate or compact what it holds.
    func loadLedger(maintaining: Bool) async throws(LedgerError) -> Ledger
    /// Saves durably what differs from the last save, before any write that depends on it is made.
    func saveLedger(_ ledger: Ledger) async throws(LedgerError)
    func loadStatuses() async -> [String: GrantStatus]
    /// Saves the statuses whose content changed.
    func saveStatuses(_ statuses: [GrantStatus]) async throws(FileSystemError)
}

/// The state folder: `ledger.journal` (and 0.2's `ledger.json`), `status/NAME.json`.
package struct FileStateStorage: StateStorage {
    private let ledger: LedgerStore
    private let statuses: StatusStore

    package init(directory: String, fileSystem: any FileSystem) {
        ledger = LedgerStore(directory: directory, fileSystem: fileSystem)
        statuses = StatusStore(stateDirectory: directory, fileSystem: fileSystem)
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
}
