import Foundation
@preconcurrency import Glibc

/// Creates a grant file without ever replacing one: written to a hidden file beside it (the controller ignores
/// names starting with `.`), then hard-linked to its name, which fails if anything is there, so no reader sees
/// half a file and no existing file is overwritten, even by a request racing this one.
enum GrantFile {
    enum Failure: Error, CustomStringConvertible {
        case exists(String)
        case unwritable(String, reason: String)

        var description: String {
            switch self {
            case .exists(let path): "\(path) already exists; grafana-jit request never overwrites a file"
            case .unwritable(let path, let reason): "cannot write \(path): \(reason)"
            }
        }
    }

    static func create(_ text: String, at path: String) throws(Failure) {
        let url = URL(fileURLWithPath: path)
        let hidden = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid())")
        // The hidden name goes in every case: after the link, the file lives on under its real name.
        defer { unlink(hidden.path) }
        do {
            try Data(text.utf8).write(to: hidden)
        } catch {
            throw .unwritable(path, reason: error.localizedDescription)
        }
        guard link(hidden.path, path) == 0 else {
            let code = errno
            if code == EEXIST { throw .exists(path) }
            throw .unwritable(path, reason: String(cString: strerror(code)))
        }
    }
}
