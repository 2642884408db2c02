import AccessModel
import Foundation

/// Remembers each grant file's last content that decoded cleanly (in `STATE/last-valid/`), so a file that stops
/// parsing keeps its last valid grants in force, expiry included, across restarts too.
package struct LastValidFiles: Sendable {
    private let directory: String
    private let fileSystem: any FileSystem

    package init(stateDirectory: String, fileSystem: any FileSystem) {
        directory = stateDirectory + "/last-valid"
        self.fileSystem = fileSystem
    }

    /// Reads and decodes every file; a file with errors is replaced by its last valid content when there is one.
    /// Returns the files to use and the paths that fell back.
    package func decode(_ paths: [String], with loader: ResourceLoader) throws(FileSystemError)
        -> (files: [DecodedFile], fellBack: [DecodedFile])
    {
        try fileSystem.createDirectory(directory)
        var files: [DecodedFile] = []
        var fellBack: [DecodedFile] = []
        for (path, bytes, decoded) in loader.read(paths) {
            let saved = self.path(for: path)
            guard !decoded.errors.isEmpty, !path.isEmpty else {
                if let bytes, (try? fileSystem.contents(of: saved, limit: Int.max)) != bytes {
                    try fileSystem.writeAtomically(bytes, to: saved)
                }
                files.append(decoded)
                continue
            }
            // No saved copy means the file never decoded: its errors stand.
            guard let previous = try? fileSystem.contents(of: saved, limit: loader.decoder.parser.limits.maxBytes)
            else {
                files.append(decoded)
                continue
            }
            files.append(loader.decoder.decode(previous, path: path))
            fellBack.append(decoded)
        }
        return (files, fellBack)
    }

    /// A flat, stable file name per source path (FNV-1a of the path).
    private func path(for source: String) -> String {
        let hash = source.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return directory + "/" + String(hash, radix: 16) + ".yaml"
    }
}
