import Testing

@testable import Metrics

struct MetricsRegistryTests {
    @Test func eachFamilyHasOneHelpAndTypeAndItsSeriesSorted() {
        let registry = MetricsRegistry()
        let requests = registry.counter("requests_total", "Requests.", labels: ["method", "code"])
        requests.increment("PUT", "500")
        requests.increment("GET", "200", by: 2)
        requests.increment("GET", "200")
        registry.gauge("up", "Up.").set(1)
        #expect(
            registry.render() == """
                # HELP requests_total Requests.
                # TYPE requests_total counter
                requests_total{method="GET",code="200"} 3
                requests_total{method="PUT",code="500"} 1
                # HELP up Up.
                # TYPE up gauge
                up 1

                """)
    }

    @Test func labelValuesAndHelpAreEscaped() {
        let registry = MetricsRegistry()
        registry.gauge("g", "a \\ b\nc", labels: ["l"]).set(0.25, "say \"hi\"\\\n")
        let text = registry.render()
        #expect(text.contains(#"# HELP g a \\ b\nc"#))
        #expect(text.contains(#"g{l="say \"hi\"\\\n"} 0.25"#))
    }

    @Test func histogramBucketsAreCumulativeWithInfSumAndCount() {
        let registry = MetricsRegistry()
        let histogram = registry.histogram("latency_seconds", "Latency.", labels: ["op"], buckets: [1, 0.1, 10])
        for value in [0.05, 0.5, 0.7, 20] { histogram.observe(value, "read") }
        #expect(
            registry.render() == """
                # HELP latency_seconds Latency.
                # TYPE latency_seconds histogram
                latency_seconds_bucket{op="read",le="0.1"} 1
                latency_seconds_bucket{op="read",le="1"} 3
                latency_seconds_bucket{op="read",le="10"} 3
                latency_seconds_bucket{op="read",le="+Inf"} 4
                latency_seconds_sum{op="read"} 21.25
                latency_seconds_count{op="read"} 4

                """)
    }

    @Test func familiesWithoutLabelsShowZeroBeforeTheirFirstValue() {
        let registry = MetricsRegistry()
        _ = registry.counter("overflows_total", "Overflows.")
        _ = registry.histogram("lateness_seconds", "Lateness.", buckets: [1])
        let text = registry.render()
        #expect(text.contains("overflows_total 0\n"))
        #expect(
            text.contains("lateness_seconds_bucket{le=\"+Inf\"} 0\nlateness_seconds_sum 0\nlateness_seconds_count 0\n"))
    }

    @Test func replacingSeriesDropsTheOnesThatAreGone() {
        let registry = MetricsRegistry()
        let grants = registry.gauge("grants", "Grants.", labels: ["grafana", "phase"])
        grants.replace(prefix: ["a"], with: [["Active"]: 2, ["Pending"]: 1])
        grants.replace(prefix: ["b"], with: [["Active"]: 5])
        grants.replace(prefix: ["a"], with: [["Expired"]: 3])
        let lines = registry.render().split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == [#"grants{grafana="a",phase="Expired"} 3"#, #"grants{grafana="b",phase="Active"} 5"#])
    }

    @Test func countersNeverGoDown() {
        let registry = MetricsRegistry()
        let counter = registry.counter("c_total", "C.")
        counter.increment(by: 2)
        counter.increment(by: -5)
        #expect(registry.render().contains("c_total 2\n"))
    }
}
