import SightlineCore
import Testing

@testable import Pipeline

@Suite struct StageMetricsTests {
    /// The latency store is a ring of `capacity` samples, so a long run keeps a bounded amount
    /// of memory and its percentiles describe the latest frames: 12,000 slow frames (1 s) and
    /// then `capacity` fast ones (10 ms) report 10 ms at p50 and p99 — with every sample kept,
    /// p50 would be 1 s. The counters still count every frame.
    @Test func latencySamplesAreARingOfTheLatest() {
        let capacity = 8192
        let metrics = StageMetrics(name: "detect", capacity: capacity)
        let start = Timestamp(nanoseconds: 1_000_000_000)
        for _ in 0..<12_000 {
            metrics.took()
            metrics.passed(start: start, now: Timestamp(nanoseconds: 2_000_000_000))
        }
        for _ in 0..<capacity {
            metrics.took()
            metrics.passed(start: start, now: Timestamp(nanoseconds: 1_010_000_000))
        }
        let report = metrics.report()
        #expect(report.framesIn == 12_000 + capacity && report.framesOut == 12_000 + capacity)
        #expect(abs(report.latencyP50Milliseconds - 10) < 1e-6)
        #expect(abs(report.latencyP99Milliseconds - 10) < 1e-6)
    }

    /// Fewer samples than the ring holds: only the recorded ones count (no zeros from the
    /// unused slots).
    @Test func partlyFilledRingUsesOnlyRecordedSamples() {
        let metrics = StageMetrics(name: "prepare", capacity: 64)
        let start = Timestamp(nanoseconds: 0)
        for ms in [30, 10, 20] as [UInt64] {
            metrics.passed(start: start, now: Timestamp(nanoseconds: ms * 1_000_000))
        }
        let report = metrics.report()
        #expect(abs(report.latencyP50Milliseconds - 20) < 1e-6)
        #expect(abs(report.latencyP99Milliseconds - 30) < 1e-6)
    }
}
