import AccessModel

/// Reads and decodes every resource file under some paths into a checked catalog.
package struct ResourceLoader: Sendable {
    package var files: ResourceFiles
    package var decoder: ResourceDecoder

    package init(fileSystem: any FileSystem, decoder: ResourceDecoder = ResourceDecoder()) {
        files = ResourceFiles(fileSystem: fileSystem)
        self.decoder = decoder
    }

    /// Every file decoded and placed, in path order, plus the problems of finding them, as one pseudo-file of
    /// errors.
    package func decode(_ sources: ResourceSources) -> [DecodedFile] {
        read(sources).map { $0.decoded.placed(in: $0.place) }
    }

    /// One file read from the sources: its bytes (nil when unreadable), what they decode to (not yet placed) and
    /// the place that decides which of its documents may be used.
    package typealias FileRead = (path: String, bytes: [UInt8]?, decoded: DecodedFile, place: ResourcePlace)

    /// Each file, read and decoded; finding problems come first, as a pseudo-file with an empty path. `unchanged`
    /// may return what a file decoded to before without its being read (its bytes are then nil), and `reuse` what the
    /// same bytes decoded to before: both spare work on files that did not change.
    /// `tree` is where the files are, when already known (else the sources are walked).
    package func read(
        _ sources: ResourceSources, in tree: ResourceTree? = nil,
        unchanged: (_ path: String) -> DecodedFile? = { _ in nil },
        reusing reuse: (_ path: String, _ bytes: [UInt8]) -> DecodedFile? = { _, _ in nil }
    ) -> [FileRead] {
        let tree = tree ?? files.walk(sources.paths)
        let (found, errors) = (tree.files, tree.errors)
        let placement = ResourceSources.Placement(sources, fileSystem: files.fileSystem)
        var result: [FileRead] = errors.isEmpty ? [] : [("", nil, DecodedFile(path: "", errors: errors), .anywhere)]
        for (path, resolved) in found {
            let place = placement.place(ofResolved: resolved)
            if let known = unchanged(path) {
                result.append((path, nil, known, place))
                continue
            }
            result.append(readFile(path, place: place, reusing: reuse))
        }
        return result
    }

    /// One file, read and decoded (what the same bytes decoded to before, when `reuse` has it).
    package func readFile(
        _ path: String, place: ResourcePlace, reusing reuse: (_ path: String, _ bytes: [UInt8]) -> DecodedFile?
    ) -> FileRead {
        do {
            let bytes = try files.fileSystem.contents(of: path, limit: decoder.parser.limits.maxBytes)
            return (path, bytes, reuse(path, bytes) ?? decoder.decode(bytes, path: path), place)
        } catch {
            return (path, nil, DecodedFile(path: path, errors: [Self.error(error, path: path)]), place)
        }
    }

    private static func error(_ error: FileSystemError, path: String) -> ResourceError {
        if case .tooLarge(_, let size, let limit) = error {
            return .yaml(.tooLarge(bytes: size, limit: limit), at: .start(of: path))
        }
        return .unreadable(error.description, at: .start(of: path))
    }
}
