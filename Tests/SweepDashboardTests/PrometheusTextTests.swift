import Testing
import TestSupport

/// The strict exposition-format reader the `/metrics` tests rely on: it must refuse what is wrong.
@Suite("PrometheusText, the strict reader of /metrics")
struct PrometheusTextTests {
    static let valid = """
        # HELP up whether it runs
        # TYPE up gauge
        up 1
        # TYPE jobs_total counter
        jobs_total{kind="a"} 3
        jobs_total{kind="b\\"q\\\\"} 4 1700000000000
        # TYPE latency_seconds histogram
        latency_seconds_bucket{le="0.1"} 1
        latency_seconds_bucket{le="1.0"} 3
        latency_seconds_bucket{le="+Inf"} 4
        latency_seconds_sum 2.5
        latency_seconds_count 4

        """

    @Test("a valid text: values by name and labels, escapes, histograms")
    func valid() throws {
        let text = try PrometheusText(Self.valid)
        #expect(text.value("up") == 1)
        #expect(text.value("jobs_total", ["kind": "a"]) == 3)
        #expect(text.value("jobs_total", ["kind": "b\"q\\"]) == 4)
        #expect(text.value("latency_seconds_count") == 4)
        #expect(text.families["latency_seconds"]?.type == "histogram")
        #expect(text.families["up"]?.help == "whether it runs")
    }

    @Test("violations are refused", arguments: [
        ("no final newline", "# TYPE a gauge\na 1"),
        ("sample before TYPE", "a 1\n"),
        ("bad metric name", "# TYPE 1a gauge\n1a 1\n"),
        ("bad value", "# TYPE a gauge\na one\n"),
        ("unquoted label", "# TYPE a gauge\na{x=1} 1\n"),
        ("bad escape", "# TYPE a gauge\na{x=\"\\t\"} 1\n"),
        ("duplicate series", "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n"),
        ("split family", "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na{x=\"2\"} 1\n"),
        ("second TYPE", "# TYPE a gauge\na 1\n# TYPE a counter\n"),
        ("negative counter", "# TYPE c counter\nc -1\n"),
        ("buckets not cumulative", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n"),
        ("no +Inf bucket", "# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_sum 1\nh_count 3\n"),
        ("count unlike +Inf", "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 3\nh_sum 1\nh_count 4\n"),
        ("no space before value", "# TYPE a gauge\na{x=\"1\"}1\n"),
        ("too many fields", "# TYPE a gauge\na 1 2 3\n"),
    ])
    func refused(_ why: String, _ text: String) {
        #expect(throws: PrometheusText.ParseError.self, "\(why)") { try PrometheusText(text) }
    }
}
