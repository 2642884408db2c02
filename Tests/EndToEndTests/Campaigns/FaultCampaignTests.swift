import Foundation
import Testing

/// The short fault campaign CI runs; the long one is the same test with `GRAFANA_JIT_CAMPAIGN_SECONDS` set
/// (RELIABILITY.md). `GRAFANA_JIT_CAMPAIGN_REPORT=FILE` also writes the report there.
struct FaultCampaignTests {
    @Test func noAccessLeaksNoStandingAccessIsLostAndEveryChangeIsAudited() async throws {
        let report = try await FaultCampaign(settings: .fromEnvironment()).run()
        print(report)
        if let path = ProcessInfo.processInfo.environment["GRAFANA_JIT_CAMPAIGN_REPORT"] {
            try "\(report)\n".write(toFile: path, atomically: true, encoding: .utf8)
        }
        #expect(report.violations == 0, "\(report)")
        #expect(report.kills > 0 && report.observations > 50)
    }
}
