import Foundation
import GrafanaAPI

/// Keeps each grant's temporary service-account token: created when the grant becomes active, expiring in Grafana at
/// the grant's end, written to one 0600 file per grant, deleted (token and file) when the grant ends. The key is only
/// ever in the file: never in the ledger, logs, status or audit. Each grant's token is a key of its own
/// (`ReconcileKey.token`): a failure sets only its backoff and fails only its grant. Works on the ledger the
/// Reconciler lends it.
struct TokenKeeper: LedgerStage, Sendable {
    /// Listings and deletions go through a retrier; a creation goes to `writer` once, and a failed one is retried on
    /// the token key's backoff.
    let grafana: any GrafanaAPI
    let writer: any GrafanaAPI
    let clock: any WallClock
    let logger: Logger
    let audit: AuditLog
    let fileSystem: any FileSystem
    let storage: any StateStorage
    /// Where the token files go, one per grant.
    let secretsDirectory: String
    var ledger = Ledger()

    /// Retires the tokens checked that are no longer current and creates those missing. A start, resync, retry or
    /// request (`checkingAll`) checks every token and lists the service accounts' tokens, which finds one deleted by
    /// hand; an event checks only those whose grant wants another token or none, whose creation's outcome is
    /// unknown, or whose retry is due (`retrying`). Tokens of the grants in `waiting` are left alone until their
    /// retry is due. Every step that changes Grafana saves the ledger first or right after; the pass saves it once
    /// more at its end.
    mutating func keep(
        _ desired: [String: DesiredToken], checkingAll: Bool, retrying: Set<String>, leaving waiting: Set<String>,
        into outcome: inout ExecutionOutcome
    ) async throws {
        let now = clock.now()
        let checked = Self.tokensToCheck(
            desired: desired, records: ledger.tokens, checkingAll: checkingAll, retrying: retrying, leaving: waiting)
        // Only a token that would be kept needs Grafana's word that it still exists; an event checks such a token
        // only when its retry is due.
        let kept = checked.compactMap { grant in
            ledger.tokens[grant].flatMap { $0.tokenID != nil && $0.serves(desired[grant]) ? $0 : nil }
        }
        let live = await liveTokenIDs(of: Set(kept.map(\.serviceAccountID)))
        for grant in checked {
            if let record = ledger.tokens[grant], !isCurrent(grant, record, want: desired[grant], live: live, &outcome)
            {
                await retire(grant, record, into: &outcome, now: now)
            }
            if ledger.tokens[grant] == nil, let want = desired[grant] {
                await create(grant, want, into: &outcome, now: now)
            }
            outcome.settle(tokenOf: grant, .done)
        }
        // A failed creation or deletion is audited too: the trail shows every attempt on Grafana.
        try await audit.record(outcome.failedTokenEvents)
    }

    /// The grants whose token a pass checks, in order: all but the waiting ones when `checkingAll`; else those whose
    /// desired token and ledger record disagree (a token appears, disappears, or changes account or end), whose
    /// creation's outcome is unknown, or whose retry is due.
    static func tokensToCheck(
        desired: [String: DesiredToken], records: [String: TokenRecord], checkingAll: Bool, retrying: Set<String>,
        leaving waiting: Set<String>
    ) -> [String] {
        Set(desired.keys).union(records.keys).subtracting(waiting).filter { grant in
            guard !checkingAll, !retrying.contains(grant), let record = records[grant] else { return true }
            return record.tokenID == nil || !record.serves(desired[grant])
        }.sorted()
    }

    /// The recorded token is the one wanted, its file is there, and Grafana still has it (when its account was
    /// listed). A listing that failed leaves the token as it is and fails its key: whether it exists is unknown.
    private func isCurrent(
        _ grant: String, _ record: TokenRecord, want: DesiredToken?, live: [Int: Result<Set<Int>, GrafanaAPIError>],
        _ outcome: inout ExecutionOutcome
    ) -> Bool {
        guard let tokenID = record.tokenID, record.serves(want), fileSystem.exists(secretPath(grant)) else {
            return false
        }
        switch live[record.serviceAccountID] {
        case nil: return true
        case .success(let ids): return ids.contains(tokenID)
        case .failure(let error):
            var failure = KeyFailure(error)
            failure.message = "listing the tokens of \(record.serviceAccountName): \(failure.message)"
            tokenFailure(grant, record, failure, into: &outcome)
            return true
        }
    }

    /// One listing per service account asked for: which of its tokens still exist (someone may have deleted one by
    /// hand).
    private func liveTokenIDs(of accounts: Set<Int>) async -> [Int: Result<Set<Int>, GrafanaAPIError>] {
        var live: [Int: Result<Set<Int>, GrafanaAPIError>] = [:]
        for account in accounts.sorted() {
            do throws(GrafanaAPIError) {
                live[account] = .success(Set(try await grafana.serviceAccountTokens(serviceAccount: account).map(\.id)))
            } catch {
                live[account] = .failure(error)
            }
        }
        return live
    }

    /// Removes the file first (the secret must stop being handed out), then the token in Grafana; a creation whose
    /// answer was lost is found by its name. The entry stays until Grafana confirms, and is retried on the token
    /// key's backoff.
    private mutating func retire(
        _ grant: String, _ record: TokenRecord, into outcome: inout ExecutionOutcome, now: Date
    ) async {
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
            try await storage.save(&ledger)
            if record.tokenID != nil {
                try await audit.record([tokenEvent("token.deleted", grant: grant, record, now: now)])
                outcome.changes[grant, default: []].append("token \(record.tokenName) deleted")
            }
            logger.log(.info, .tokenDeleted, ["grant": grant, "token": record.tokenName])
        } catch {
            let failure = KeyFailure(anyError: error)
            tokenFailure(grant, record, failure, into: &outcome)
            // Only a token known to exist was audited as created: only its deletion is audited as failing.
            if record.tokenID != nil {
                outcome.failedTokenEvents.append(
                    tokenEvent("token.deleted", grant: grant, record, now: now, error: failure.message))
            }
        }
    }

    /// Write-ahead, then create with `secondsToLive` up to the grant's end, then the file. A file that cannot be
    /// written makes the token useless: it is deleted at once.
    private mutating func create(
        _ grant: String, _ want: DesiredToken, into outcome: inout ExecutionOutcome, now: Date
    ) async {
        var record = TokenRecord(
            serviceAccountID: want.serviceAccountID, serviceAccountName: want.serviceAccountName,
            tokenName: "grafana-jit-\(grant)-\(Int(now.timeIntervalSince1970))", tokenID: nil, expiresAt: want.end,
            subjectName: want.subjectName)
        do {
            ledger.tokens[grant] = record
            try await storage.save(&ledger)
            let seconds = max(1, Int(want.end.timeIntervalSince(now).rounded(.down)))
            let created = try await writer.createServiceAccountToken(
                serviceAccount: want.serviceAccountID, name: record.tokenName, secondsToLive: seconds)
            record.tokenID = created.id
            record.expiresAt = now.addingTimeInterval(TimeInterval(seconds))
            ledger.tokens[grant] = record
            try await storage.save(&ledger)
            try fileSystem.createDirectories(secretsDirectory)
            try fileSystem.writeAtomically(Array((created.key + "\n").utf8), to: secretPath(grant))
            try await audit.record([tokenEvent("token.created", grant: grant, record, now: now)])
            outcome.changes[grant, default: []].append(
                "token \(record.tokenName) of \(want.serviceAccountName) until \(record.expiresAt.rfc3339)")
            outcome.applied += 1
            logger.log(.info, .tokenCreated, ["grant": grant, "token": record.tokenName, "file": secretPath(grant)])
        } catch {
            let failure = KeyFailure(anyError: error)
            tokenFailure(grant, record, failure, into: &outcome)
            outcome.failedTokenEvents.append(
                tokenEvent("token.created", grant: grant, record, now: now, error: failure.message))
            if record.tokenID != nil {
                await retire(grant, record, into: &outcome, now: now)
            } else if case .invalidRequest = error as? GrafanaAPIError {
                // Refused outright (a lifetime above Grafana's api_key_max_seconds_to_live): nothing was created, so
                // nothing is kept; the grant fails with Grafana's words and is tried again once its key is due.
                outcome.refusals[grant] = "token of \(want.serviceAccountName) refused by Grafana: \(error)"
                ledger.tokens[grant] = nil
                do {
                    try await storage.save(&ledger)
                } catch {
                    logger.log(.error, .tokenFailed, ["grant": grant, "error": "\(error)"])
                }
            }
        }
    }

    /// Fails the grant's token key (its own backoff) and the grant, with the token's name and why.
    private func tokenFailure(
        _ grant: String, _ record: TokenRecord, _ failure: KeyFailure, into outcome: inout ExecutionOutcome
    ) {
        logger.log(.error, .tokenFailed, ["grant": grant, "token": record.tokenName, "error": failure.message])
        var failure = failure
        failure.message = "token \(record.tokenName): \(failure.message)"
        outcome.failed += 1
        outcome.errors[grant] = failure.message
        outcome.settle(tokenOf: grant, .failed(failure))
    }

    /// A failed token's message says when it is tried again, known once the pass's results are recorded in `backoff`.
    static func sayWhenTokensRetry(in outcome: inout ExecutionOutcome, backoff: KeyBackoff) {
        for (grant, result) in outcome.tokenResults {
            guard case .failed = result, let due = backoff.waiting[.token(grant: grant)]?.due else { continue }
            outcome.errors[grant]? += "; retried at \(due.rfc3339)"
            outcome.refusals[grant]? += "; retried at \(due.rfc3339)"
        }
    }

    private func tokenEvent(
        _ name: String, grant: String, _ record: TokenRecord, now: Date, error: String? = nil
    ) -> AuditEvent {
        var event = AuditEvent(time: now, event: name, grant: grant, outcome: error == nil ? "success" : "failure")
        event.subject = record.subjectName
        event.resource = "service account \(record.serviceAccountName), token \(record.tokenName)"
        event.permission = "until \(record.expiresAt.rfc3339)"
        event.error = error
        return event
    }

    private func secretPath(_ grant: String) -> String {
        secretsDirectory + "/" + grant + ".token"
    }
}

extension TokenRecord {
    /// This is the token `want` asks for: the same service account, expiring no later than the grant's end (a
    /// second's rounding allowed).
    func serves(_ want: DesiredToken?) -> Bool {
        guard let want else { return false }
        return want.serviceAccountID == serviceAccountID && expiresAt <= want.end.addingTimeInterval(1)
    }
}
