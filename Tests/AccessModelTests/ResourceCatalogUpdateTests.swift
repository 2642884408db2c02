import Testing

@testable import AccessModel

/// A catalog patched file by file (`updated(from:to:scopedTo:)`) is the catalog a whole build makes: over random
/// edits of grant files (new, changed, deleted, broken, duplicated, naming missing bundles and policies, placed in
/// other instances and orgs), whenever the patch answers at all, it answers alike.
struct ResourceCatalogUpdateTests {
    static let orgs = ["main": [1, 2], "eu": [Int]()]
    static let targets = [
        Target(grafana: "main", org: 1, defaultGrafana: "main", orgs: orgs),
        Target(grafana: "eu", org: nil, defaultGrafana: "main", orgs: orgs),
    ]
    static let shared =
        Fixtures.bundle("b", access: "[{team: sre}]")
        + Fixtures.policy("p", "subjects: {users: [\"*\"]}\nteams: [\"*\"]\nmaxDuration: 1d")
        + Fixtures.policy("eu-only", "subjects: {users: [\"*\"]}\nteams: [\"*\"]\nmaxDuration: 1d\ngrafana: eu")

    private static func grantFile(_ index: Int, step: Int, random: inout SplitMix) -> String {
        let extras = [
            "duration: 4h", "duration: 4h\nbundle: b", "duration: 4h\nbundle: nope", "duration: 4h\npolicy: p",
            "duration: 4h\npolicy: eu-only", "duration: 4h\npolicy: nada", "duration: 1h\norg: 2",
            "duration: 1h\ngrafana: eu", "duration: 1h\ngrafana: us", "duration: 4x",
        ]
        let count = Int.random(in: 1...2, using: &random)
        return (0..<count).map { copy in
            // Now and then a name another file uses too.
            let name = Int.random(in: 0..<40, using: &random) == 0 ? "g0" : "g\(index)-\(copy)"
            return Fixtures.grant(name, extra: extras.randomElement(using: &random)! + "\n# \(step)")
        }.joined()
    }

    @Test(arguments: 0..<12)
    func patchedEqualsWhole(seed: UInt64) {
        var random = SplitMix(state: seed)
        let decoder = ResourceDecoder()
        var texts = ["shared.yaml": Self.shared]
        for index in 0..<15 { texts["g\(index).yaml"] = Self.grantFile(index, step: 0, random: &random) }
        func files() -> [DecodedFile] {
            texts.sorted { $0.key < $1.key }.map { decoder.decode(Array($0.value.utf8), path: $0.key) }
        }
        var before = files()
        var (patches, steps) = (0, 0)
        for step in 1...40 {
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let index = Int.random(in: 0..<18, using: &random)
                if Int.random(in: 0..<5, using: &random) == 0 {
                    texts["g\(index).yaml"] = nil
                } else {
                    texts["g\(index).yaml"] = Self.grantFile(index, step: step, random: &random)
                }
            }
            let after = files()
            for target in Self.targets {
                let whole = ResourceCatalog(files: after).scoped(to: target)
                let last = ResourceCatalog(files: before).scoped(to: target)
                steps += 1
                guard let patched = last.updated(from: before, to: after, scopedTo: target) else { continue }
                patches += 1
                #expect(patched.grants == whole.grants, "seed \(seed) step \(step)")
                #expect(patched.rejectedGrants == whole.rejectedGrants, "seed \(seed) step \(step)")
                #expect(patched.errors == whole.errors, "seed \(seed) step \(step)")
                #expect(patched == whole, "seed \(seed) step \(step)")
            }
            before = after
        }
        #expect(patches > steps / 10, "the patch is used: \(patches) of \(steps)")
    }

    @Test func aPlainEditIsPatched() throws {
        let decoder = ResourceDecoder()
        let shared = decoder.decode(Array(Self.shared.utf8), path: "shared.yaml")
        let before = [decoder.decode(Array(Fixtures.grant("a").utf8), path: "a.yaml"), shared]
        let after = [decoder.decode(Array(Fixtures.grant("b", extra: "duration: 1h").utf8), path: "a.yaml"), shared]
        let target = Self.targets[0]
        let patched = try #require(
            ResourceCatalog(files: before).scoped(to: target).updated(from: before, to: after, scopedTo: target))
        #expect(patched.grants.map(\.name) == ["b"] && patched == ResourceCatalog(files: after).scoped(to: target))
    }

    @Test func aPolicyFileChangedIsBuiltWhole() {
        let decoder = ResourceDecoder()
        let before = [decoder.decode(Array(Self.shared.utf8), path: "shared.yaml")]
        let after = [decoder.decode(Array((Self.shared + Fixtures.grant("g")).utf8), path: "shared.yaml")]
        let target = Self.targets[0]
        #expect(
            ResourceCatalog(files: before).scoped(to: target).updated(from: before, to: after, scopedTo: target) == nil)
    }
}

/// A seeded generator (SplitMix64): the same seed, the same walk.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
