import AccessModel
import Foundation
import GrafanaAPI

extension Reconciler {
    /// How long one pass spends starting lookups of references the listings lack.
    static let folderLookupBudget: TimeInterval = 2
    /// How long a failed lookup is remembered before the reference is asked again.
    static let folderMissRetention: TimeInterval = 600

    /// Looks up, by uid, the folder references the listing lacks (nested folders): without retries, at most the
    /// client's in-flight limit at once, starting lookups for at most two seconds a pass. Any answer that is not a
    /// folder (any status, any body) fails only the grants naming that reference, and is not asked again for ten
    /// minutes; references left over wait for the next pass. So hostile references can neither fail a pass nor
    /// delay anyone else's revocation for long.
    func lookUpFolders(into snapshot: inout GrafanaSnapshot, for catalog: ResourceCatalog, now: Date) async {
        folderMisses = folderMisses.filter { $0.value.until > now }
        var pending: [String] = []
        for reference in GrafanaSnapshot.folderReferences(in: catalog).sorted() {
            guard case .failure(.missing) = snapshot.folder(reference), ObjectReference(reference).form != .name
            else { continue }
            if let miss = folderMisses[reference] {
                snapshot.folders.record(miss.problem, for: reference)
            } else {
                pending.append(reference)
            }
        }
        guard !pending.isEmpty else { return }
        let (client, clock) = (writer, clock)
        let deadline = now.addingTimeInterval(Self.folderLookupBudget)
        let answers = await withTaskGroup(of: (String, Result<GrafanaFolder, GrafanaAPIError>).self) { group in
            for reference in pending {
                guard clock.now() < deadline else { break }
                group.addTask {
                    do throws(GrafanaAPIError) {
                        return (reference, .success(try await client.folder(uid: ObjectReference(reference).value)))
                    } catch {
                        return (reference, .failure(error))
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        for (reference, answer) in answers {
            switch answer {
            case .success(let folder):
                snapshot.folders.add(folder, uid: folder.uid, name: folder.title)
            case .failure(let error):
                let problem: ReferenceProblem =
                    if case .notFound = error {
                        .missing("folder \(reference) does not exist in Grafana (\(error))")
                    } else { .lookupFailed("folder \(reference) could not be looked up: \(error)") }
                snapshot.folders.record(problem, for: reference)
                folderMisses[reference] = (now.addingTimeInterval(Self.folderMissRetention), problem)
            }
        }
        let answered = Set(answers.map(\.0))
        for reference in pending where !answered.contains(reference) {
            snapshot.folders.record(
                .lookupFailed(
                    "folder \(reference) was not looked up: more unknown folder references than one pass looks up; "
                        + "it is looked up on a later pass"), for: reference)
        }
    }
}
