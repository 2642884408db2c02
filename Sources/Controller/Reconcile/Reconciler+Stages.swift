/// A stage that works on the ledger: the Reconciler moves its ledger in for the length of the stage's work.
protocol LedgerStage: Sendable {
    var ledger: Ledger { get set }
}

/// The stages that do Grafana I/O on the ledger, built from the Reconciler's seams and settings, and lent its ledger
/// while they work.
extension Reconciler {
    var executor: Executor {
        Executor(
            grafana: grafana, writer: writer, clock: clock, logger: logger, audit: audit, metrics: metrics,
            storage: storage,
            settings: Executor.Settings(retry: configuration.retry, writeDeadline: configuration.writeDeadline))
    }

    var tokenKeeper: TokenKeeper {
        TokenKeeper(
            grafana: grafana, writer: writer, clock: clock, logger: logger, audit: audit, fileSystem: fileSystem,
            storage: storage, secretsDirectory: configuration.secretsDirectory)
    }

    /// Moves the ledger into `stage` for the length of `work`, and back however `work` ends: the write-ahead entries
    /// a stage saved before it failed stay in memory. Moved, not copied, so that its dictionaries stay uniquely
    /// referenced and are changed in place.
    func lendingLedger<Stage: LedgerStage, Value: Sendable>(
        to stage: Stage, _ work: (inout Stage) async throws -> Value
    ) async throws -> Value {
        assert(ledgerWaiters == nil, "the ledger is lent to one stage at a time")
        var stage = stage
        swap(&stage.ledger, &ledger)
        ledgerWaiters = []
        defer {
            swap(&stage.ledger, &ledger)
            for waiter in ledgerWaiters ?? [] { waiter.resume() }
            ledgerWaiters = nil
        }
        return try await work(&stage)
    }

    /// The ledger as no stage is holding it: a reader outside the pass (`discover`) waits for the stage's work to end
    /// rather than see the ledger empty while it is lent.
    func settledLedger() async -> Ledger {
        while ledgerWaiters != nil {
            await withCheckedContinuation { ledgerWaiters?.append($0) }
        }
        return ledger
    }
}
