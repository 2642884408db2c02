/// Faults to inject into Grafana API answers (never into `/__sim`): set at start or through `PUT /__sim/faults`.
package struct FaultPlan: Codable, Sendable, Equatable {
    /// Probability (0...1) that a request gets a server error instead of its answer.
    package var errorRate: Double = 0
    /// The statuses chosen from for those errors: 500 as Grafana's JSON, 502/503/504 as a proxy's plain text.
    package var errorStatuses: [Int] = [500, 502, 503]
    /// The next this-many requests get 429 with `Retry-After`.
    package var rateLimitBurst: Int = 0
    package var retryAfterSeconds: Int = 1
    /// Added before every answer, in milliseconds.
    package var latencyMilliseconds: Int = 0
    /// Probability (0...1) that a write (any method but GET) gets a 500 instead of its answer.
    package var writeErrorRate: Double = 0
    /// Probability that a connection is closed without an answer.
    package var dropRate: Double = 0
    /// Probability that a write is carried out and then its connection closed without an answer, as when a proxy
    /// times out on a slow Grafana: the client cannot know the write landed.
    package var lostAnswerRate: Double = 0
    /// From now, every request's connection is dropped for this long, as if Grafana were down.
    package var downForSeconds: Double = 0
    /// Seed for the fault dice, so a run can be repeated.
    package var seed: UInt64 = 1
    /// Paths (prefixes) that always answer this status, as one object can fail while the rest of Grafana works:
    /// 403 (a scoped service account), 404 (deleted meanwhile) or 500, in Grafana's shapes.
    package var failingPaths: [String: Int] = [:]

    package init() {}

    /// What is out of range, or nil: probabilities in 0...1, at most a minute of latency and a day of downtime.
    package var problem: String? {
        if ![errorRate, dropRate, writeErrorRate, lostAnswerRate].allSatisfy({ (0...1).contains($0) }) {
            return "errorRate, writeErrorRate, dropRate and lostAnswerRate must be within 0...1"
        }
        if !(0...60_000).contains(latencyMilliseconds) { return "latencyMilliseconds must be within 0...60000" }
        if !(0...86_400).contains(downForSeconds) { return "downForSeconds must be within 0...86400" }
        if rateLimitBurst < 0 || !(0...3_600).contains(retryAfterSeconds) {
            return "rateLimitBurst must be at least 0 and retryAfterSeconds within 0...3600"
        }
        if errorStatuses.isEmpty || !errorStatuses.allSatisfy({ (500...599).contains($0) }) {
            return "errorStatuses must be 5xx statuses"
        }
        if !failingPaths.values.allSatisfy({ [403, 404, 500].contains($0) }) {
            return "failingPaths answer 403, 404 or 500"
        }
        return nil
    }

    private enum CodingKeys: String, CodingKey {
        case errorRate, errorStatuses, writeErrorRate, rateLimitBurst, retryAfterSeconds, latencyMilliseconds, dropRate,
            lostAnswerRate, downForSeconds, seed, failingPaths
    }

    /// Fields left out keep their defaults, so `{"errorRate": 0.2}` is a whole plan.
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        errorRate = try container.decodeIfPresent(Double.self, forKey: .errorRate) ?? 0
        errorStatuses = try container.decodeIfPresent([Int].self, forKey: .errorStatuses) ?? [500, 502, 503]
        writeErrorRate = try container.decodeIfPresent(Double.self, forKey: .writeErrorRate) ?? 0
        rateLimitBurst = try container.decodeIfPresent(Int.self, forKey: .rateLimitBurst) ?? 0
        retryAfterSeconds = try container.decodeIfPresent(Int.self, forKey: .retryAfterSeconds) ?? 1
        latencyMilliseconds = try container.decodeIfPresent(Int.self, forKey: .latencyMilliseconds) ?? 0
        dropRate = try container.decodeIfPresent(Double.self, forKey: .dropRate) ?? 0
        lostAnswerRate = try container.decodeIfPresent(Double.self, forKey: .lostAnswerRate) ?? 0
        downForSeconds = try container.decodeIfPresent(Double.self, forKey: .downForSeconds) ?? 0
        seed = try container.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1
        failingPaths = try container.decodeIfPresent([String: Int].self, forKey: .failingPaths) ?? [:]
    }
}

/// A small seeded generator (SplitMix64), so fault runs (and the fault campaign's choices) repeat.
package struct FaultDice: Sendable, RandomNumberGenerator {
    var state: UInt64

    package init(state: UInt64) {
        self.state = state
    }

    package mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    mutating func roll() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}
