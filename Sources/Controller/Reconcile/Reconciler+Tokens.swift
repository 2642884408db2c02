import Foundation
import GrafanaAPI

/// Temporary service-account tokens: created when a grant becomes active, expiring in Grafana at the grant's end,
/// written to one 0600 file per grant, deleted (token and file) when the grant ends. The key is only ever in the
/// file: never in the ledger, logs, status or audit.
extension Reconciler {
    /// Every step that changes Grafana saves the ledger first or right after; the pass saves it once more at its end.
    func keepTokens(_ desired: [String: DesiredToken], into outcome: inout ExecutionOutcome) async {
        let now = clock.now()
        let live = await liveTokenIDs()
        for (grant, record) in ledger.tokens.sorted(by: { $0.key < $1.key }) {
            let want = desired[grant]
            let isCurrent =
                want?.serviceAccountID == record.serviceAccountID && record.tokenID != nil
                && want.map { record.expiresAt <= $0.end.addingTimeInterval(1) } == true
                && fileSystem.exists(secretPath(grant))
                && live[record.serviceAccountID].map { ids in record.tokenID.map(ids.contains) ?? false } != false
            guard !isCurrent else { continue }
            await retire(grant, record, into: &outcome, now: now)
        }
        for (grant, want) in desired.sorted(by: { $0.key < $1.key }) where ledger.tokens[grant] == nil {
            await create(grant, want, into: &outcome, now: now)
        }
    }

    /// One listing per service account with recorded tokens: which of them still exist (someone may have deleted
    /// one by hand). A listing that fails says nothing; the entries are then trusted for this pass.
    private func liveTokenIDs() async -> [Int: Set<Int>] {
        var live: [Int: Set<Int>] = [:]
        for account in Set(ledger.tokens.values.map(\.serviceAccountID)).sorted() {
            do throws(GrafanaAPIError) {
                live[account] = Set(try await grafana.serviceAccountTokens(serviceAccount: account).map(\.id))
            } catch {
                logger.log(.warning, .tokenFailed, ["serviceAccount": String(account), "error": error.description])
            }
        }
        return live
    }

    /// Removes the file first (the secret must stop being handed out), then the token in Grafana; a creation whose
    /// answer was lost is found by its name. The entry stays until Grafana confirms, and is retried next pass.
    private func retire(_ grant: String, _ record: TokenRecord, into outcome: inout ExecutionOutcome, now: Date) async {
        do {
            try fileSystem.removeFile(secretPath(grant))
            var tokenID = record.tokenID
            if tokenID == nil {
                tokenID = try await grafana.serviceAccountTokens(serviceAccount: record.serviceAccountID)
                    .first { $0.name == record.tokenName }?.id
            }
            if let tokenID {
                _ = try await grafana.deleteServiceAccountToken(serviceAccount: record.serviceAccountID, token: tokenID)
            }
            ledger.tokens[grant] = nil
            try await saveLedger()
            if record.tokenID != nil {
                try await auditToken("token.deleted", grant: grant, record, now: now)
                outcome.changes[grant, default: []].append("token \(record.tokenName) deleted")
            }
            logger.log(.info, .tokenDeleted, ["grant": grant, "token": record.tokenName])
        } catch {
            tokenFailure(grant, record, error: "\(error)", into: &outcome)
        }
    }

    /// Write-ahead, then create with `secondsToLive` up to the grant's end, then the file. A file that cannot be
    /// written makes the token useless: it is deleted at once.
    private func create(_ grant: String, _ want: DesiredToken, into outcome: inout ExecutionOutcome, now: Date) async {
        var record = TokenRecord(
            serviceAccountID: want.serviceAccountID, serviceAccountName: want.serviceAccountName,
            tokenName: "grafana-jit-\(grant)-\(Int(now.timeIntervalSince1970))", tokenID: nil, expiresAt: want.end,
            subjectName: want.subjectName)
        do {
            ledger.tokens[grant] = record
            try await saveLedger()
            let seconds = max(1, Int(want.end.timeIntervalSince(now).rounded(.down)))
            let created = try await writer.createServiceAccountToken(
                serviceAccount: want.serviceAccountID, name: record.tokenName, secondsToLive: seconds)
            record.tokenID = created.id
            record.expiresAt = now.addingTimeInterval(TimeInterval(seconds))
            ledger.tokens[grant] = record
            try await saveLedger()
            try fileSystem.createDirectories(configuration.secretsDirectory)
            try fileSystem.writeAtomically(Array((created.key + "\n").utf8), to: secretPath(grant))
            try await auditToken("token.created", grant: grant, record, now: now)
            outcome.changes[grant, default: []].append(
                "token \(record.tokenName) of \(want.serviceAccountName) until \(record.expiresAt.rfc3339)")
            outcome.applied += 1
            logger.log(.info, .tokenCreated, ["grant": grant, "token": record.tokenName, "file": secretPath(grant)])
        } catch {
            tokenFailure(grant, record, error: "\(error)", into: &outcome)
            if record.tokenID != nil {
                await retire(grant, record, into: &outcome, now: now)
            } else if case .invalidRequest = error as? GrafanaAPIError {
                // Refused outright (a lifetime above Grafana's api_key_max_seconds_to_live): nothing was created, so
                // nothing is kept; the grant fails with Grafana's words and is tried again on a later pass.
                outcome.refusals[grant] = "token of \(want.serviceAccountName) refused by Grafana: \(error)"
                ledger.tokens[grant] = nil
                do {
                    try await saveLedger()
                } catch {
                    logger.log(.error, .tokenFailed, ["grant": grant, "error": "\(error)"])
                }
            }
        }
    }

    private func tokenFailure(
        _ grant: String, _ record: TokenRecord, error: String, into outcome: inout ExecutionOutcome
    ) {
        outcome.failed += 1
        outcome.tokensFailed += 1
        outcome.errors[grant] = "token \(record.tokenName): \(error)"
        logger.log(.error, .tokenFailed, ["grant": grant, "token": record.tokenName, "error": error])
    }

    private func auditToken(_ name: String, grant: String, _ record: TokenRecord, now: Date) async throws {
        var event = AuditEvent(time: now, event: name, grant: grant, outcome: "success")
        event.subject = record.subjectName
        event.resource = "service account \(record.serviceAccountName), token \(record.tokenName)"
        event.permission = "until \(record.expiresAt.rfc3339)"
        try await audit.record([event])
    }

    func secretPath(_ grant: String) -> String {
        configuration.secretsDirectory + "/" + grant + ".token"
    }
}
