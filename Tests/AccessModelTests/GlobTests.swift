import Testing

@testable import AccessModel

struct GlobTests {
    @Test(arguments: [
        ("prod-*", "prod-logs", true), ("prod-*", "staging-logs", false), ("*@example.com", "alice@example.com", true),
        ("*@example.com", "alice@example.com.evil.io", false), ("a?c", "abc", true), ("a?c", "ac", false),
        ("*", "", true), ("", "", true), ("", "x", false), ("*-*-*", "a-b-c", true),
        ("*a*a*a*b", "aaaaaaaaaaaa", false),
        ("prod-logs", "prod-logs", true), ("prod-logs", "prod-logsx", false),
    ])
    func globsMatchWholeNames(pattern: String, name: String, matches: Bool) {
        #expect(Glob(pattern).matches(name) == matches)
    }

    @Test func userGlobsIgnoreCaseAndResourceGlobsDoNot() {
        #expect(Glob("*@Example.com", ignoresCase: true).matches("ALICE@example.COM"))
        #expect(!Glob("prod-*").matches("PROD-logs"))
    }
}
