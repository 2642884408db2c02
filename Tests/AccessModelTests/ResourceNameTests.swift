import Testing

@testable import AccessModel

struct ResourceNameTests {
    @Test(arguments: ["a", "alice-prod-logs", "alice.prod-logs.inc-4711", "0abc", String(repeating: "a", count: 253)])
    func dns1123SubdomainsAreValid(name: String) {
        #expect(ResourceName.isValid(name))
    }

    @Test(arguments: [
        "", "Alice", "alice_prod", "-alice", "alice-", "alice..prod", ".alice", "alice.", "a b",
        String(repeating: "a", count: 254), "ällo",
    ])
    func otherNamesAreInvalid(name: String) {
        #expect(!ResourceName.isValid(name))
    }
}
