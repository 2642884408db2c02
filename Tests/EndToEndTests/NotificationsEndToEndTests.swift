import Foundation
import HTTPServer
import Synchronization
import TestSupport
import Testing

/// `run --notify-url/--notify-slack-url`: a local receiver that fails its first delivery gets every notification
/// of a short grant's life, in order, in both formats, with no secret in any payload or log line.
struct NotificationsEndToEndTests {
    /// Records every POST; the generic hook answers 503 to its first one.
    final class Receiver: Sendable {
        final class Deliveries: Sendable {
            let list = Mutex<[(path: String, body: String, status: Int)]>([])
        }

        let server: HTTPServer
        private let deliveries = Deliveries()

        init() throws {
            let deliveries = self.deliveries
            server = try HTTPServer.start(host: "127.0.0.1", port: 0) { request in
                let status = deliveries.list.withLock { list in
                    let first = request.path == "/hook" && !list.contains { $0.path == "/hook" }
                    let status = first ? 503 : 200
                    list.append((request.path, String(decoding: request.body, as: UTF8.self), status))
                    return status
                }
                return HTTPResponse.text(status, status == 200 ? "ok" : "try later")
            }
        }

        deinit { server.shutdown() }

        var received: [(path: String, body: String, status: Int)] { deliveries.list.withLock { $0 } }

        var url: String { "http://127.0.0.1:\(server.port)" }

        /// The events delivered (answered 200) to `path`, in order.
        func events(at path: String) -> [String] {
            received.filter { $0.path == path && $0.status == 200 }.compactMap { entry in
                let object = try? JSONSerialization.jsonObject(with: Data(entry.body.utf8)) as? [String: Any]
                return object?["event"] as? String
            }
        }
    }

    @Test func aShortGrantsLifeReachesBothReceiversDespiteAFailedFirstDelivery() async throws {
        let receiver = try Receiver()
        let work = try await ControllerWorkspace.start()
        try work.grant(
            "erin-logs", user: "erin@example.com", access: "[{dataSource: prod-logs, permission: Query}]",
            expiresAt: Date().addingTimeInterval(8))
        let slackSecret = "T0000/B0000/not-a-real-slack-secret"
        // The Slack URL comes from a file, as a mounted Secret hands it over.
        let slackFile = try work.directory.write("notify-slack-urls", "\n  \(receiver.url)/services/\(slackSecret)  \n")
        let daemon = try await ControllerProcess.start(
            work,
            extra: [
                "--notify-url", receiver.url + "/hook", "--notify-slack-url-file", slackFile,
                "--notify-expiring", "5s", "--resync", "10m",
            ])
        let lifecycle = ["grant.activated", "grant.expiring", "grant.expired"]
        #expect(try await work.eventually(within: 30) { receiver.events(at: "/hook") == lifecycle })
        let (status, log) = await daemon.stop()
        #expect(status == 0)
        let all = receiver.received
        // The first delivery was refused and retried: the activation was posted twice.
        #expect(all.first { $0.path == "/hook" }?.status == 503)
        #expect(all.filter { $0.path == "/hook" && $0.body.contains("grant.activated") }.count == 2)
        #expect(log.contains("event=notification.retrying"))
        let slack = all.filter { $0.path.hasPrefix("/services/") }.map(\.body)
        #expect(slack.count == 3 && slack.allSatisfy { $0.contains("\"blocks\"") && $0.contains("\"text\"") })
        #expect(
            slack.first?.contains("Access granted: user erin@example.com has Query on data source prod-logs") == true)
        let activated = try #require(
            all.first { $0.path == "/hook" && $0.status == 200 }.flatMap {
                try JSONSerialization.jsonObject(with: Data($0.body.utf8)) as? [String: Any]
            })
        #expect(activated["grant"] as? String == "erin-logs" && activated["grafana"] as? String == "default")
        #expect(activated["resources"] as? [String] == ["Query on data source prod-logs"])
        for text in all.map(\.body) + [log] {
            #expect(!text.contains("glsa_simulator_controller_token") && !text.contains("not-a-real-slack-secret"))
        }
    }

    @Test func aWebhookURLThatIsNotHTTPIsAUsageErrorThatDoesNotEchoIt() async throws {
        let work = try await ControllerWorkspace.start()
        let run = try await BinaryRun.grafanaJIT(
            ["run", "--once"] + work.arguments + ["--notify-slack-url", "hooks.slack.com/services/T0/B0/secret"],
            environment: ["GRAFANA_TOKEN": "glsa_simulator_controller_token"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--notify-slack-url") && !run.stderr.contains("secret"))
    }
}
