import AccessModel
import AccessRequests
import Foundation

/// What `request` tells the requester: the verdict it predicts, whom to ask, where the file went and the git
/// commands for the pull request; or why it refused. With `--print` the grant goes to stdout and all else to stderr.
struct RequestReport {
    let console: any Console
    let printsGrant: Bool

    private func say(_ text: String) {
        if printsGrant { console.writeError(text + "\n") } else { console.write(text + "\n") }
    }

    func warn(_ text: String) { console.writeError("grafana-jit: warning: \(text)\n") }

    func note(_ text: String) { say("note: \(text)") }

    func refuse(_ reasons: [String]) {
        for reason in reasons { console.writeError("refused: \(reason)\n") }
        console.writeError("nothing written\n")
    }

    /// Prints and writes what the review decided; the exit code follows from it.
    func decided(_ decision: RequestDecision, path: String) -> ExitCode {
        switch decision {
        case .ready(let proposal):
            return write(proposal, path: path)
        case .choosePolicy(let fits):
            console.writeError(
                "grafana-jit: error: \(fits.count) policies allow it equally well; choose one with --policy:\n")
            for fit in fits {
                let conditions = fit.openConditions.isEmpty ? "" : ": " + fit.openConditions.joined(separator: "; ")
                console.writeError("  \(fit.policy.name)\(conditions)\n")
            }
            return .usage
        case .refused(let reasons):
            refuse(reasons)
            return .findings
        case .invalid(let errors):
            for error in errors {
                console.writeError("grafana-jit: error: the grant would be invalid: \(error.message)\n")
            }
            return .usage
        }
    }

    private func write(_ proposal: Proposal, path: String) -> ExitCode {
        let fit = proposal.fit
        switch fit.verdict {
        case .allowed: say("verdict: \(fit.verdict.name) by policy \(fit.policy.name)")
        case .undecided: say("verdict: \(fit.verdict.name) under policy \(fit.policy.name)")
        case .denied(let denials):
            // The text decoded differently from the request that was judged; never write that.
            refuse(denials.map(\.message))
            return .findings
        }
        for condition in fit.openConditions { say("  open condition: \(condition)") }
        if let offline = proposal.offlineVerdict, offline.name != fit.verdict.name {
            say("  validate, which does not read Grafana, will say \(offline.name)")
        }
        say("approvers: \(fit.approvers)")
        guard !printsGrant else {
            console.write(proposal.draft.text)
            say("save it as \(path) and open a pull request with it")
            return .success
        }
        do {
            try GrantFile.create(proposal.draft.text, at: path)
        } catch .exists {
            refuse(["\(path) already exists; grafana-jit request never overwrites a file"])
            return .findings
        } catch {
            console.writeError("grafana-jit: error: \(error)\n")
            return .usage
        }
        let name = proposal.draft.name
        let firstLine = proposal.draft.grant.reason.split(separator: "\n").first.map(String.init) ?? ""
        say("wrote \(path) (grant \(name))")
        say("open the pull request (grafana-jit request does not push):")
        say("  git switch -c request/\(name)")
        say("  git add \(Self.shellQuoted(path))")
        say("  git commit -m \(Self.shellQuoted("Request \(name): \(firstLine.prefix(72))"))")
        say("  git push -u origin request/\(name)")
        return .success
    }

    /// One shell word, single-quoted when it needs to be.
    static func shellQuoted(_ text: String) -> String {
        let plain = text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_./=:@".contains($0)) }
        return plain && !text.isEmpty ? text : "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

extension GrantVerdict {
    /// As `validate --format json` names it.
    fileprivate var name: String {
        switch self {
        case .allowed: "Allowed"
        case .denied: "Denied"
        case .undecided: "DecidedAtRunTime"
        }
    }
}
