import Foundation
import Testing

@testable import AccessReview
@testable import Controller

struct ReviewJSONTests {
    @Test func theJSONCarriesTheSameFigures() throws {
        let json = ReviewJSON.render(ReviewFixtures.review(ReviewFixtures.history))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let grants = try #require(object["grants"] as? [[String: Any]])
        let dave = try #require(grants.first { $0["grant"] as? String == "dave-logs" })
        #expect(dave["lateSeconds"] as? Double == 120 && dave["isLate"] as? Bool == true)
        #expect(dave["ending"] as? String == "expired" && dave["expiresAt"] as? String == "2027-01-15T08:30:30Z")
        #expect((object["period"] as? [String: Any])?["from"] as? String == "2027-01-15T07:00:00Z")
        #expect(object["standingAccess"] == nil)
    }
}
