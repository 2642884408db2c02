import AccessModel
import Foundation
import GrafanaAPI

/// Reading the configured files as one consistent snapshot, and where they came from (commit, uncommitted files).
extension Reconciler {
    /// The checkout's commit, and the pull request its message names (git is asked only when the commit moves).
    func readProvenance() async {
        let checkout = GitCheckout(fileSystem: fileSystem)
        guard
            let (root, commit) = configuration.sources.grants.lazy.compactMap({ root in
                checkout.commit(of: root).map { (root, $0) }
            }).first
        else {
            provenance = nil
            return
        }
        guard provenance?.commit != commit else { return }
        let message = await CommitMessage.read(commit, in: root)
        provenance = Provenance(commit: commit, pullRequest: message.flatMap(Provenance.pullRequest(in:)))
    }

    /// Grants whose file is not as committed (modified or untracked) claim no commit, in status and audit alike.
    /// `git status` runs only when the commit or a file's content changed since it last ran, not on every pass.
    func markUncommitted(_ catalog: ResourceCatalog) async {
        guard let commit = provenance?.commit else { return }
        if let last = uncommittedChecked, last.commit == commit, last.files == lastSnapshotHashes {
            provenance?.uncommittedGrants = last.grants
            return
        }
        defer { uncommittedChecked = (commit, lastSnapshotHashes, provenance?.uncommittedGrants ?? []) }
        let checkout = GitCheckout(fileSystem: fileSystem)
        guard let root = configuration.sources.grants.first(where: { checkout.commit(of: $0) != nil }),
            let changed = await UncommittedFiles.read(in: root), !changed.isEmpty
        else {
            provenance?.uncommittedGrants = []
            return
        }
        provenance?.uncommittedGrants = Set(
            catalog.grants.filter { grant in
                // A file that cannot be resolved is gone; nothing is claimed for it either way.
                (try? fileSystem.resolvedPath(of: grant.metadata.location.file)).map(changed.contains) ?? false
            }.map(\.name))
    }

    /// The directory's grants, with broken files falling back to their last valid content.
    /// Reads the grants; when a root is a link (git-sync) that was swapped, or whose target vanished, while the
    /// files were read, reads again: a half-read snapshot must not look like deleted grants.
    func readSnapshot(saving: Bool, trustingStamps: Bool = false, changed: FileChanges = .everything) throws -> (
        files: [DecodedFile], fellBack: [DecodedFile]
    ) {
        let loader = ResourceLoader(fileSystem: fileSystem, decoder: configuration.decoder)
        var attempt = 0
        while true {
            // nil stands for a root that is gone; the checks below handle it.
            let roots = configuration.sources.paths
            let before = roots.map { try? fileSystem.resolvedPath(of: $0) }
            let result = try lastValid.decode(
                configuration.sources, with: loader, saving: saving, trustingStamps: trustingStamps,
                changed: attempt == 0 ? changed : .everything, now: clock.now())
            let after = roots.map { try? fileSystem.resolvedPath(of: $0) }
            attempt += 1
            if before == after && after.allSatisfy({ $0 != nil }) {
                lastSnapshot = result
                lastSnapshotHashes = lastValid.contentHashes
                return result
            }
            let missing = zip(roots, after).filter { $0.1 == nil }.map(\.0)
            if attempt == 3 {
                // A root that is gone (not merely changed): keep the last complete read, so its grants still expire
                // but none is revoked as deleted; with none yet, the pass fails and writes nothing.
                guard !missing.isEmpty else {
                    lastSnapshotHashes = lastValid.contentHashes
                    return result
                }
                guard let lastSnapshot else { throw ReconcileError.grantsMissing(missing) }
                logger.log(
                    .error, .sourcesMissing,
                    [
                        "paths": missing.joined(separator: ","),
                        "message": "a configured folder is missing; its last complete read stays in force",
                    ])
                return lastSnapshot
            }
            // A folder that is simply missing is reported once, above; only a real change is worth a warning.
            if missing.isEmpty && !before.contains(where: { $0 == nil }) {
                logger.log(
                    .warning, .snapshotChanged,
                    ["attempt": String(attempt), "message": "the files changed while they were read; reading again"])
            }
        }
    }

    /// The catalog, the files that fell back to their last valid content, and grants left out for their errors
    /// (by name, with the file and the first error).
    func loadCatalog(saving: Bool, trustingStamps: Bool = false, changed: FileChanges = .everything) throws -> (
        ResourceCatalog, [DecodedFile], [String: (file: String, error: String)]
    ) {
        let (files, fellBack) = try readSnapshot(saving: saving, trustingStamps: trustingStamps, changed: changed)
        let rejectedNow = Set(files.filter { !$0.errors.isEmpty }.map(\.path) + fellBack.map(\.path))
        for path in rejectedFiles.subtracting(rejectedNow).sorted() where files.contains(where: { $0.path == path }) {
            logger.log(.info, .fileRecovered, ["file": path, "message": "the file is valid again"])
        }
        if saving { rejectedFiles = rejectedNow }
        for file in files where !file.errors.isEmpty {
            for error in file.errors {
                logger.log(.warning, .fileRejected, ["file": file.path, "error": error.description])
            }
        }
        for file in fellBack {
            logger.log(
                .error, .fileRejected,
                [
                    "file": file.path, "error": file.errors.first?.description ?? "",
                    "message": "file fails to parse; its last valid content stays in force",
                ])
        }
        let catalog =
            lastCatalog?.catalog.updated(from: lastCatalog?.files ?? [], to: files, scopedTo: configuration.target)
            ?? wholeCatalog(files)
        lastCatalog = (files, catalog)
        var rejected: [String: (file: String, error: String)] = [:]
        for file in files {
            for name in file.rejected where name.kind == .grant {
                rejected[name.name] = (file.path, file.errors.first?.message ?? "invalid")
            }
        }
        for (name, error) in catalog.rejectedGrants {
            rejected[name] = (error.location.file, error.message)
        }
        return (catalog, fellBack, rejected)
    }

    /// The catalog of these files, built whole: a grant name defined twice keeps the copy the ledger recorded in force.
    private func wholeCatalog(_ files: [DecodedFile]) -> ResourceCatalog {
        var loaded = ResourceCatalog(files: files)
        for (name, copies) in loaded.duplicateGrants {
            // The copy whose content the ledger recorded for this name is the grant in force.
            guard let key = ledger.grants[name]?.contentKey else { continue }
            let matching = copies.filter { DesiredState.contentKey(of: $0, catalog: loaded) == key }
            if matching.count == 1 { loaded.keepInForce(matching[0]) }
        }
        for error in loaded.errors {
            guard case .newcomerName(_, let location, _) = error else { continue }
            logger.log(.warning, .fileRejected, ["file": location.file, "error": error.description])
        }
        return loaded.scoped(to: configuration.target)
    }

    /// The resource files whose content differs from the previous pass's (added, changed or removed); remembered only
    /// by passes that apply, so a `plan` does not hide a change from the daemon.
    func changedFiles(since remember: Bool) -> [String] {
        let current = lastSnapshotHashes
        var changed: Set<String>
        // A read that patched the one remembered changed only the paths it looked at.
        if let paths = lastValid.patchedPaths, let previousHashes, previousHashesRead == lastValid.reads - 1 {
            changed = paths.filter { previousHashes[$0] != current[$0] }
        } else {
            changed = Set(current.keys.filter { previousHashes?[$0] != current[$0] })
            if let previousHashes { changed.formUnion(previousHashes.keys.filter { current[$0] == nil }) }
        }
        let first = previousHashes == nil
        if remember { (previousHashes, previousHashesRead) = (current, lastValid.reads) }
        return first ? [] : changed.sorted()
    }
}
