import CoreMetrics
import Foundation
import Prometheus
import Service
import SightlineTestSupport
import Testing

/// The Prometheus endpoint over real HTTP (Debian's python3 as the client), its text parsed.
@Suite(.serialized) struct MetricsEndpointTests {
    /// `GET url` with Python's urllib: the body, or the error text.
    func scrape(_ url: String) throws -> (status: Int32, body: String) {
        let r = try run(
            "/usr/bin/python3",
            ["-c", "import sys, urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())", url])
        return (r.status, r.out + r.err)
    }

    /// Prometheus' text format: `name{labels} value` lines (comments skipped) → value.
    func samples(_ text: String) -> [String: Double] {
        var found: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            found[String(line[..<space])] = value
        }
        return found
    }

    @Test func whatThePipelineMeasuresIsScrapedOverHTTP() throws {
        let registry = PrometheusCollectorRegistry()
        let bootstrapped = MetricsEndpoint.bootstrapMetrics(registry)
        try #require(bootstrapped, "swift-metrics was bootstrapped elsewhere in this process")
        let endpoint = try MetricsEndpoint(address: try MetricsAddress(parsing: "127.0.0.1:0"), registry: registry)
        defer { endpoint.stop() }
        #expect(endpoint.address.port > 0)
        // The names the pipeline's stages, gate and sinks report under (StageMetrics, LivePipeline).
        // The bootstrap is process-wide: pipelines that other suites run at the same time report
        // into this registry too, so this test's series carry a stage and a sink of their own.
        let stage = "endpoint-test", sink = "endpoint-test"
        let frames = Counter(label: "sightline_stage_frames_total", dimensions: [("stage", stage), ("outcome", "in")])
        frames.increment(by: 3)
        let latency = CoreMetrics.Timer(label: "sightline_stage_latency_seconds", dimensions: [("stage", stage)])
        latency.recordMilliseconds(30)
        latency.recordMilliseconds(700)
        Gauge(label: "sightline_sink_backlog", dimensions: [("sink", sink)]).record(4)
        let r = try scrape(endpoint.url)
        #expect(r.status == 0, "\(r.body)")
        let s = samples(r.body)
        #expect(s[#"sightline_stage_frames_total{stage="\#(stage)",outcome="in"}"#] == 3, "\(r.body)")
        #expect(s[#"sightline_stage_latency_seconds_count{stage="\#(stage)"}"#] == 2, "\(r.body)")
        #expect(s[#"sightline_stage_latency_seconds_bucket{stage="\#(stage)",le="0.05"}"#] == 1, "\(r.body)")
        #expect(s[#"sightline_stage_latency_seconds_bucket{stage="\#(stage)",le="1.0"}"#] == 2, "\(r.body)")
        #expect(s[#"sightline_sink_backlog{sink="\#(sink)"}"#] == 4, "\(r.body)")
        #expect((s["process_resident_memory_bytes"] ?? 0) > 1_000_000, "\(r.body)")
        #expect(r.body.contains("# TYPE sightline_stage_frames_total counter"))

        // A second endpoint on the same port: a clear error at start, naming the address.
        #expect {
            _ = try MetricsEndpoint(address: try MetricsAddress(parsing: "127.0.0.1:\(endpoint.address.port)"), registry: registry)
        } throws: { "\($0)".contains("127.0.0.1:\(endpoint.address.port)") && "\($0)".contains("in use") }
        #expect(throws: ServiceError.self) { try MetricsAddress(parsing: "localhost") }
        #expect(throws: ServiceError.self) { try MetricsAddress(parsing: "127.0.0.1:70000") }
    }
}
