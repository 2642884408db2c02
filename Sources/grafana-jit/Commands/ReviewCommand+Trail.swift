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

    /// The base and its siblings that exist: numbered ones (`.1` newer than `.2`) first, oldest first, then dated
    /// ones in name order, then the base itself. Order does not change the review (events are sorted by time),
    /// only the order the files are listed in.
    static func rotatedFiles(of base: String) -> [String] {
        let url = URL(fileURLWithPath: base)
        let folder = url.deletingLastPathComponent().path
        let name = url.lastPathComponent
        // A folder that cannot be listed has no siblings to offer; the base itself is still read.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let siblings = names.filter { $0.hasPrefix(name + ".") || $0.hasPrefix(name + "-") }
        func number(_ sibling: String) -> Int? {
            Int(sibling.dropFirst(name.count + 1).split(separator: ".").first ?? "")
        }
        let numbered = siblings.filter { number($0) != nil }.sorted { number($0) ?? 0 > number($1) ?? 0 }
        let dated = siblings.filter { number($0) == nil }.sorted()
        var files = (numbered + dated).map { folder + "/" + $0 }
        if FileManager.default.fileExists(atPath: base) { files.append(base) }
        return files
    }
}
