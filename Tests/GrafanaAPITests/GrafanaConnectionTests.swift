import Foundation
import Testing

@testable import GrafanaAPI

struct GrafanaConnectionTests {
    private func connection(_ base: String) throws -> GrafanaConnection {
        GrafanaConnection(baseURL: try #require(URL(string: base)), credentials: .token("t"), userAgent: "u")
    }

    @Test(arguments: [
        ("https://grafana.example.com", "https://grafana.example.com/api/teams/search"),
        ("https://grafana.example.com/", "https://grafana.example.com/api/teams/search"),
        ("https://example.com/grafana/", "https://example.com/grafana/api/teams/search"),
        ("https://example.com/grafana", "https://example.com/grafana/api/teams/search"),
    ])
    func subPathsAreKept(base: String, expected: String) throws {
        #expect(try connection(base).url(path: "/api/teams/search", query: [])?.absoluteString == expected)
    }

    @Test func queryValuesAreEscapedIncludingPlusAndAmpersand() throws {
        let url = try connection("http://h").url(path: "/api/org/users", query: [("query", "a+b&c d@x.io")])
        #expect(url?.absoluteString == "http://h/api/org/users?query=a%2Bb%26c%20d@x.io")
    }

    @Test func credentialsBecomeTheAuthorizationHeader() throws {
        #expect(try connection("http://h").authorization == "Bearer t")
        var basic = try connection("http://h")
        basic.credentials = .basic(user: "admin", password: "s3cret")
        #expect(basic.authorization == "Basic YWRtaW46czNjcmV0")
    }

    /// Milliseconds pass through as they are; connecting may never take longer than the whole request.
    @Test(arguments: [(Duration.milliseconds(500), Duration.milliseconds(500)), (.seconds(10), .seconds(5))])
    func timeoutsKeepTheirMilliseconds(timeout: Duration, connect: Duration) throws {
        var value = try connection("http://h")
        value.timeout = timeout
        let request = value.request("GET", url: try #require(URL(string: "http://h/api")), body: nil)
        #expect(request.timeout == timeout && request.connectTimeout == connect)
        #expect(request.headers.contains { $0.name == "User-Agent" })
    }
}

struct ResponseClassifierTests {
    let request = GrafanaRequest("GET", "/api/x")

    @Test(arguments: [
        (429, "5", Duration.seconds(5) as Duration?), (503, "2", .seconds(2)), (502, "2", nil), (500, nil, nil),
    ])
    func serverErrorsAreTransient(status: Int, retryAfter: String?, expected: Duration?) throws {
        let error = try #require(
            ResponseClassifier.error(
                status: status, body: Data("{}".utf8), retryAfter: retryAfter, request: request))
        #expect(error.isRetryable)
        #expect(error.retryAfter == expected)
    }

    @Test func aProxysHTMLPageBecomesTheMessage() {
        let error = ResponseClassifier.error(
            status: 502, body: Data("<html>Bad Gateway</html>".utf8), retryAfter: nil, request: request)
        #expect(error == .transient(request, reason: "502: <html>Bad Gateway</html>", retryAfter: nil))
    }

    @Test func forbiddenNamesTheMissingAction() {
        let body =
            #"{"message":"You'll need additional permissions to perform this action. Permissions needed: teams:read"}"#
        guard
            case .forbidden(_, let missing, _)? = ResponseClassifier.error(
                status: 403, body: Data(body.utf8), retryAfter: nil, request: request)
        else {
            Issue.record("expected forbidden")
            return
        }
        #expect(missing == "teams:read")
    }

    @Test(arguments: [(400, "invalid"), (401, "unauthorized"), (404, "notFound"), (409, "invalid")])
    func clientErrorsKeepGrafanasMessage(status: Int, kind: String) throws {
        let error = try #require(
            ResponseClassifier.error(
                status: status, body: Data(#"{"message":"nope"}"#.utf8), retryAfter: nil, request: request))
        #expect(!error.isRetryable)
        #expect(error.description.hasSuffix("nope"))
    }

    @Test func membershipFailuresForUnknownUsersAreNotFoundNotRetried() {
        let error = ResponseClassifier.error(
            status: 500, body: Data(#"{"message":"Failed to add Member to Team","traceID":""}"#.utf8), retryAfter: nil,
            request: request)
        #expect(error == .notFound(request, message: "Failed to add Member to Team"))
    }

    @Test func redirectsAreErrors() {
        let error = ResponseClassifier.error(status: 302, body: Data(), retryAfter: nil, request: request)
        #expect(error?.isRetryable == false)
        #expect(error?.description.contains("redirect") == true)
    }

    @Test func successIsNoError() {
        #expect(ResponseClassifier.error(status: 200, body: Data(), retryAfter: nil, request: request) == nil)
    }
}
