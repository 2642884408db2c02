import Foundation
import Synchronization

/// Counters, gauges and histograms with labels, rendered in the Prometheus text format 0.0.4. Families are
/// declared once (name, help, label names); series appear when first touched.
package final class MetricsRegistry: Sendable {
    package enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    struct Family {
        var kind: Kind
        var help: String
        var labelNames: [String]
        var buckets: [Double]
        /// Label values → value (counters, gauges) or per-bucket counts with sum and count (histograms).
        var values: [[String]: Double] = [:]
        var histograms: [[String]: HistogramSeries] = [:]
    }

    struct HistogramSeries {
        /// Not cumulative: observations per bucket; the rendering adds them up.
        var counts: [UInt64]
        var sum = 0.0
        var count: UInt64 = 0
    }

    private let families = Mutex<[String: Family]>([:])

    package init() {}

    package func counter(_ name: String, _ help: String, labels: [String] = []) -> Counter {
        declare(name, Family(kind: .counter, help: help, labelNames: labels, buckets: []))
        return Counter(registry: self, name: name)
    }

    package func gauge(_ name: String, _ help: String, labels: [String] = []) -> Gauge {
        declare(name, Family(kind: .gauge, help: help, labelNames: labels, buckets: []))
        return Gauge(registry: self, name: name)
    }

    package func histogram(_ name: String, _ help: String, labels: [String] = [], buckets: [Double]) -> Histogram {
        declare(name, Family(kind: .histogram, help: help, labelNames: labels, buckets: buckets.sorted()))
        return Histogram(registry: self, name: name)
    }

    /// Declaring a family twice keeps the first (handles from both refer to the same series).
    private func declare(_ name: String, _ family: Family) {
        families.withLock { families in
            if families[name] == nil { families[name] = family }
        }
    }

    func update(_ name: String, _ body: (inout Family) -> Void) {
        families.withLock { families in
            guard var family = families[name] else { return }
            body(&family)
            families[name] = family
        }
    }

    /// The exposition: families by name, series by label values, one HELP and TYPE per family.
    package func render() -> String {
        let snapshot = families.withLock { $0 }
        var text = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            text += "# HELP \(name) \(Self.escapeHelp(family.help))\n# TYPE \(name) \(family.kind.rawValue)\n"
            switch family.kind {
            case .counter, .gauge:
                if family.labelNames.isEmpty && family.values.isEmpty { text += "\(name) 0\n" }
                for labels in family.values.keys.sorted(by: Self.ordered) {
                    text += "\(name)\(Self.labels(family.labelNames, labels)) \(Self.number(family.values[labels]!))\n"
                }
            case .histogram:
                var series = family.histograms
                if family.labelNames.isEmpty && series.isEmpty {
                    series[[]] = HistogramSeries(counts: Array(repeating: 0, count: family.buckets.count))
                }
                for labels in series.keys.sorted(by: Self.ordered) {
                    let histogram = series[labels]!
                    var cumulative: UInt64 = 0
                    for (bound, count) in zip(family.buckets, histogram.counts) {
                        cumulative += count
                        let le = Self.labels(family.labelNames + ["le"], labels + [Self.number(bound)])
                        text += "\(name)_bucket\(le) \(cumulative)\n"
                    }
                    text +=
                        "\(name)_bucket\(Self.labels(family.labelNames + ["le"], labels + ["+Inf"])) \(histogram.count)\n"
                    text += "\(name)_sum\(Self.labels(family.labelNames, labels)) \(Self.number(histogram.sum))\n"
                    text += "\(name)_count\(Self.labels(family.labelNames, labels)) \(histogram.count)\n"
                }
            }
        }
        return text
    }

    private static func ordered(_ left: [String], _ right: [String]) -> Bool {
        left.lexicographicallyPrecedes(right)
    }

    private static func labels(_ names: [String], _ values: [String]) -> String {
        guard !names.isEmpty else { return "" }
        return "{" + zip(names, values).map { "\($0)=\"\(escapeLabel($1))\"" }.joined(separator: ",") + "}"
    }

    /// Label values escape backslash, double quote and line feed; HELP text escapes backslash and line feed.
    static func escapeLabel(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Whole numbers without a fraction, others in Swift's shortest round-trip form (which Go's ParseFloat reads).
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}

/// A value that only goes up.
package struct Counter: Sendable {
    let registry: MetricsRegistry
    let name: String

    package func increment(_ labels: String..., by amount: Double = 1) {
        registry.update(name) { $0.values[labels, default: 0] += max(0, amount) }
    }
}

/// A value that is set.
package struct Gauge: Sendable {
    let registry: MetricsRegistry
    let name: String

    package func set(_ value: Double, _ labels: String...) {
        registry.update(name) { $0.values[labels] = value }
    }

    /// Replaces every series whose labels start with `prefix` by `series` (label values after the prefix → value):
    /// series that are gone from `series` disappear instead of keeping a stale value.
    package func replace(prefix: [String], with series: [[String]: Double]) {
        registry.update(name) { family in
            family.values = family.values.filter { !$0.key.starts(with: prefix) }
            for (rest, value) in series { family.values[prefix + rest] = value }
        }
    }
}

/// Observations counted into fixed buckets.
package struct Histogram: Sendable {
    let registry: MetricsRegistry
    let name: String

    package func observe(_ value: Double, _ labels: String...) {
        registry.update(name) { family in
            var series =
                family.histograms[labels]
                ?? MetricsRegistry.HistogramSeries(counts: Array(repeating: 0, count: family.buckets.count))
            if let index = family.buckets.firstIndex(where: { value <= $0 }) { series.counts[index] += 1 }
            series.sum += value
            series.count += 1
            family.histograms[labels] = series
        }
    }
}

extension Histogram {
    /// Seconds from 5 ms to 5 minutes.
    package static let durationBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
    ]
}
