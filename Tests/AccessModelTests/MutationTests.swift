import Testing

@testable import AccessModel

/// Decoding arbitrary damage to a valid file must never crash, and every error must point into the file.
struct MutationTests {
    static let original = Array(
        (Fixtures.grant(extra: "duration: 4h\napprovedBy: [bob@example.com]")
            + Fixtures.policy("p", "subjects: {users: ['*']}\nteams: [sre]\nmaxDuration: 1h")).utf8)

    /// A small deterministic generator, so a failure reproduces.
    struct SplitMix {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    @Test func damagedFilesGiveErrorsNotCrashes() {
        var random = SplitMix(state: 42)
        let alphabet = Array(" \n\t:-[]{}&*!|>'\"#?,%@`\u{0}\u{FF}ab01".utf8)
        let decoder = ResourceDecoder()
        for _ in 0..<3_000 {
            var bytes = Self.original
            for _ in 0...random.next(4) {
                let position = random.next(bytes.count)
                switch random.next(4) {
                case 0: bytes[position] = alphabet[random.next(alphabet.count)]
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(alphabet[random.next(alphabet.count)], at: position)
                default: bytes = Array(bytes[..<position])
                }
                if bytes.isEmpty { bytes = [0x20] }
            }
            let file = decoder.decode(bytes, path: "m.yaml")
            let lineCount = bytes.count { $0 == 0x0A } + 2
            for error in file.errors {
                #expect(error.location.line >= 1 && error.location.line <= lineCount, "\(error)")
                #expect(error.location.column >= 1)
            }
            _ = ResourceCatalog(files: [file])
        }
    }
}
