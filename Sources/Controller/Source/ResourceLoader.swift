import AccessModel

/// Reads and decodes every resource file under some paths into a checked catalog.
package struct ResourceLoader: Sendable {
    package var files: ResourceFiles
    package var decoder: ResourceDecoder

    package init(fileSystem: any FileSystem, decoder: ResourceDecoder = ResourceDecoder()) {
        files = ResourceFiles(fileSystem: fileSystem)
        self.decoder = decoder
    }

    /// Every file decoded, in path order, plus the problems of finding them, as one pseudo-file of errors.
    package func decode(_ paths: [String]) -> [DecodedFile] {
        read(paths).map(\.decoded)
    }

    /// Each file's bytes (nil when unreadable) and what they decode to; finding problems come first, as a
    /// pseudo-file with an empty path.
    package func read(_ paths: [String]) -> [(path: String, bytes: [UInt8]?, decoded: DecodedFile)] {
        let (found, errors) = files.find(in: paths)
        var result: [(String, [UInt8]?, DecodedFile)] =
            errors.isEmpty ? [] : [("", nil, DecodedFile(path: "", errors: errors))]
        let limit = decoder.parser.limits.maxBytes
        for path in found {
            do {
                let bytes = try files.fileSystem.contents(of: path, limit: limit)
                result.append((path, bytes, decoder.decode(bytes, path: path)))
            } catch {
                result.append((path, nil, DecodedFile(path: path, errors: [Self.error(error, path: path)])))
            }
        }
        return result
    }

    private static func error(_ error: FileSystemError, path: String) -> ResourceError {
        if case .tooLarge(_, let size, let limit) = error {
            return .yaml(.tooLarge(bytes: size, limit: limit), at: .start(of: path))
        }
        return .unreadable(error.description, at: .start(of: path))
    }
}
