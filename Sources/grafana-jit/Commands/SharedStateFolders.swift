import Foundation
import Glibc

/// State and secrets folders that group or others may write. Whoever can write there can rewrite the ledger (and
/// so what the controller revokes), plant links or swap token files, so `run` refuses them unless told otherwise.
struct SharedStateFolders {
    /// `run` only: without it, a state or secrets folder writable by group or others is a start-up error.
    static let option = OptionSpec.flag(
        "allow-shared-state", environment: "GRAFANA_JIT_ALLOW_SHARED_STATE",
        help: "Start even if the state or secrets folder is writable by group or others (logged as a warning).")

    /// A folder other users may write, with what it holds and its permission bits.
    struct Finding: Equatable {
        var role: String
        var folder: String
        var mode: mode_t

        /// The permission bits as `chmod` takes them (`0777`).
        var octalMode: String { "0" + String(mode & 0o7777, radix: 8) }

        /// Names the folder, its mode and the fix.
        var message: String {
            "the \(role) folder \(folder) is mode \(octalMode), writable by group or others: run chmod 700 "
                + "\(folder) (or chmod go-w), or pass --allow-shared-state (GRAFANA_JIT_ALLOW_SHARED_STATE) to start "
                + "anyway"
        }
    }

    let findings: [Finding]

    /// Checks the state and secrets folder of every target that exists (following links, as the controller does);
    /// one still missing is created with mode 0700 later.
    init(_ options: ControllerOptions) {
        let folders =
            [("state", options.state)]
            + options.targets.flatMap { [("state", $0.stateDirectory), ("secrets", $0.secretsDirectory)] }
        var seen: Set<String> = []
        var findings: [Finding] = []
        for (role, path) in folders where seen.insert(path).inserted {
            var info = stat()
            guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { continue }
            if info.st_mode & (S_IWGRP | S_IWOTH) != 0 {
                findings.append(Finding(role: role, folder: path, mode: info.st_mode))
            }
        }
        self.findings = findings
    }
}
