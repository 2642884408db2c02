import Testing

@testable import YAML

struct YAMLParserTests {
    let parser = YAMLParser()

    private func documents(_ text: String, limits: YAMLLimits = YAMLLimits()) throws -> [YAMLDocument] {
        try YAMLParser(limits: limits).documents(in: Array(text.utf8))
    }

    private func error(_ text: String, limits: YAMLLimits = YAMLLimits()) -> YAMLError? {
        do {
            _ = try YAMLParser(limits: limits).documents(in: Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func blockMappingKeepsLineAndColumnOfEveryNode() throws {
        let root = try #require(try documents("kind: AccessGrant\nspec:\n  reason: x\n").first).root
        guard case .mapping(let entries) = root.content else {
            Issue.record("expected a mapping")
            return
        }
        #expect(entries.map(\.key) == ["kind", "spec"])
        #expect(entries[0].keyMark == YAMLMark(line: 1, column: 1))
        #expect(entries[0].value.mark == YAMLMark(line: 1, column: 7))
        guard case .mapping(let spec) = entries[1].value.content else {
            Issue.record("expected a nested mapping")
            return
        }
        #expect(spec[0].keyMark == YAMLMark(line: 3, column: 3))
        #expect(spec[0].value.scalar?.value == .string("x"))
    }

    @Test func multiDocumentStreamsYieldEachDocumentInOrder() throws {
        let docs = try documents("a: 1\n---\nb: 2\n---\n")
        #expect(docs.count == 3)
        #expect(docs.map(\.index) == [0, 1, 2])
        #expect(docs[2].root.isNull)
    }

    @Test func flowAndBlockStylesParseToTheSameTree() throws {
        let flow = try documents("{a: [1, two], b: {c: true}}")[0].root
        let block = try documents("a:\n  - 1\n  - two\nb:\n  c: true\n")[0].root
        #expect(Self.shape(flow) == Self.shape(block))
    }

    @Test func quotedScalarsStayStrings() throws {
        let root = try documents("a: \"4711\"\nb: '2026-11-21'\nc: \"true\"\nd: 4711\n")[0].root
        let values = Self.values(root)
        #expect(values == ["a": .string("4711"), "b": .string("2026-11-21"), "c": .string("true"), "d": .int(4711)])
    }

    @Test(arguments: [
        ("null", YAMLScalarValue.null), ("~", .null), ("", .null), ("true", .bool(true)), ("False", .bool(false)),
        ("42", .int(42)), ("-7", .int(-7)), ("0x1F", .int(31)), ("0o17", .int(15)), ("1.5", .float(1.5)),
        ("1e3", .float(1000)), ("4h", .string("4h")), ("yes", .string("yes")),
        (
            "2026-11-21T18:00:00Z",
            .string("2026-11-21T18:00:00Z")
        ), ("1h30m", .string("1h30m")), ("-", .string("-")), (".", .string(".")),
    ])
    func plainScalarsResolveByTheCoreSchema(text: String, expected: YAMLScalarValue) {
        #expect(YAMLScalarValue.resolvingPlain(text) == expected)
    }

    @Test func aliasesCopyTheAnchoredNode() throws {
        let root = try documents("base: &b {x: 1}\ncopy: *b\n")[0].root
        guard case .mapping(let entries) = root.content else {
            Issue.record("expected a mapping")
            return
        }
        #expect(Self.shape(entries[0].value) == Self.shape(entries[1].value))
        #expect(entries[1].value.mark == YAMLMark(line: 2, column: 7))
    }

    @Test func explicitCoreTagsAreHonoured() throws {
        let values = Self.values(try documents("a: !!str 4711\nb: !!int \"12\"\n")[0].root)
        #expect(values == ["a": .string("4711"), "b": .int(12)])
    }

    @Test func billionLaughsIsRefused() {
        var text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            text += "a\(level): &a\(level) [\(refs)]\n"
        }
        guard case .tooManyNodes(let limit, let mark) = error(text) else {
            Issue.record("expected tooManyNodes")
            return
        }
        #expect(limit == YAMLLimits().maxNodes)
        #expect(mark.line >= 5)
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(error(text) == .tooDeep(limit: 64, at: YAMLMark(line: 1, column: 65)))
    }

    @Test func oversizedInputIsRefusedBeforeParsing() {
        let text = String(repeating: "a", count: 2_000)
        #expect(error(text, limits: YAMLLimits(maxBytes: 1_000)) == .tooLarge(bytes: 2_000, limit: 1_000))
    }

    @Test func duplicateKeysNameBothPlaces() {
        #expect(
            error("a: 1\nb: 2\na: 3\n")
                == .duplicateKey("a", at: YAMLMark(line: 3, column: 1), first: YAMLMark(line: 1, column: 1)))
    }

    @Test func invalidUTF8IsAnError() throws {
        var bytes = Array("reason: caf".utf8)
        bytes += [0xC3, 0x28, 0x0A]
        let failure = #expect(throws: YAMLError.self) { try parser.documents(in: bytes) }
        guard case .invalidUTF8(_, let mark)? = failure else {
            Issue.record("expected invalidUTF8, got \(String(describing: failure))")
            return
        }
        // libyaml points at the offending octet: the one after the lead byte C3.
        #expect(mark == YAMLMark(line: 1, column: 13))
    }

    @Test func undefinedAliasIsAnError() {
        #expect(error("a: *missing\n") == .undefinedAlias("missing", at: YAMLMark(line: 1, column: 4)))
    }

    @Test func customTagsAreRefused() {
        #expect(error("a: !vault secret\n") == .unsupportedTag("!vault", at: YAMLMark(line: 1, column: 4)))
    }

    @Test func complexKeysAreRefused() {
        #expect(error("? [a, b]\n: c\n") == .complexKey(at: YAMLMark(line: 1, column: 3)))
    }

    @Test func syntaxErrorsSayWhereAndWhat() {
        guard case .syntax(let problem, _, let mark) = error("a: [1, 2\nb: c\n") else {
            Issue.record("expected a syntax error")
            return
        }
        #expect(problem.contains("expected"))
        #expect(mark.line == 2)
    }

    /// The tree without marks, for comparing styles.
    private static func shape(_ node: YAMLNode) -> String {
        switch node.content {
        case .scalar(let scalar): "\(scalar.value)"
        case .sequence(let items): "[" + items.map(shape).joined(separator: ",") + "]"
        case .mapping(let entries): "{" + entries.map { "\($0.key):\(shape($0.value))" }.joined(separator: ",") + "}"
        }
    }

    private static func values(_ node: YAMLNode) -> [String: YAMLScalarValue] {
        guard case .mapping(let entries) = node.content else { return [:] }
        var values: [String: YAMLScalarValue] = [:]
        for entry in entries { values[entry.key] = entry.value.scalar?.value }
        return values
    }
}
