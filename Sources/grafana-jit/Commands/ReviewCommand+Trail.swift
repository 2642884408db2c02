import AccessReview
import Foundation

/// Finding and reading the audit files: grafana-jit never rotates its trail, but logrotate or an operator may
/// (docs/operations.md, "Read the audit trail").
extension ReviewCommand {
    /// Each base file (`--audit-log`, or `STATE/audit.jsonl`) and its rotated siblings (`audit.jsonl.1`,
    /// `audit.jsonl-20261201`), oldest first. Compressed siblings are reported and skipped.
    static func trail(_ arguments: ParsedArguments, state: String, problems: inout [String]) throws(UsageError)
        -> AuditTrail
    {
        let given = arguments.all("audit-log")
        let bases = given.isEmpty ? [state + "/audit.jsonl"] : given
        var trail = AuditTrail()
        for base in bases {
            let files = rotatedFiles(of: base)
            guard !files.isEmpty else {
                throw .invalidValue(
                    option: given.isEmpty ? "state" : "audit-log", value: given.isEmpty ? state : base,
                    expected: given.isEmpty
                        ? "a state folder with an audit.jsonl (give --audit-log FILE if the controller writes it elsewhere)"
                        : "an audit file (it does not exist)")
            }
            for file in files {
                if compressedSuffixes.contains(where: file.hasSuffix) {
                    problems.append("\(file) is compressed; decompress it beside the others to include it")
                    continue
                }
                guard let data = FileManager.default.contents(atPath: file) else {
                    problems.append("\(file) cannot be read; its events are left out")
                    continue
                }
                trail.add(Array(data), from: file)
            }
        }
        return trail
    }

    private static let compressedSuffixes = [".gz", ".xz", ".bz2", ".zst", ".lz4"]

    /// The base and its rotated siblings that exist: numbered ones (`.1` newer than `.2`) oldest first, then dated
    /// ones in name order, then the base itself; other names beside it (`audit.jsonl.bak`) are not the trail. The
    /// order only lists the files: events are sorted by time whatever file they come from.
    static func rotatedFiles(of base: String) -> [String] {
        let url = URL(fileURLWithPath: base)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        // A folder that cannot be listed has no siblings to offer; the base itself is still read.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        // logrotate's names: `.N` (higher is older) and `-DATE` (`dateext`), either perhaps compressed.
        func rotation(_ sibling: String) -> (separator: Character, rest: Substring)? {
            guard sibling.count > name.count + 1, sibling.hasPrefix(name) else { return nil }
            let rest = sibling.dropFirst(name.count)
            guard let separator = rest.first, separator == "." || separator == "-",
                rest.dropFirst().first?.isNumber == true
            else { return nil }
            return (separator, rest.dropFirst())
        }
        func number(_ sibling: String) -> Int {
            Int(rotation(sibling)?.rest.prefix { $0.isNumber } ?? "") ?? 0
        }
        let siblings = names.filter { rotation($0) != nil }
        let numbered = siblings.filter { rotation($0)?.separator == "." }.sorted { number($0) > number($1) }
        let dated = siblings.filter { rotation($0)?.separator == "-" }.sorted()
        var files = (numbered + dated).map { folder + "/" + $0 }
        if FileManager.default.fileExists(atPath: base) { files.append(base) }
        return files
    }
}
