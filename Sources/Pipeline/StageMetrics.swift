import CoreMetrics
import Foundation
import SightlineCore

/// Counters and latencies of one stage of the live pipeline.
///
/// `in` counts items the stage took, `out` items it passed on, `dropped` items meant for it
/// that were replaced before it took them (latest wins: the stage was busy). Latency is
/// measured from the frame's capture time (for recordings, the time the source delivered
/// it) to the moment the stage finished with it; the most recent ``capacity`` samples are
/// kept in a ring allocated once, so recording a sample never allocates.
///
/// Every count and latency also goes to swift-metrics, as `sightline_stage_frames_total`
/// (dimensions `stage`, `outcome`: in, out, dropped, skipped, failed) and the timer
/// `sightline_stage_latency_seconds` (`stage`): whatever backend the executable bootstrapped
/// (the Prometheus endpoint, docs/service.md) sees them while the pipeline runs; without one
/// they cost a call that does nothing.
final class StageMetrics: @unchecked Sendable {
    let name: String
    let capacity: Int
    private let lock = NSLock()
    private var counts = (taken: 0, passed: 0, dropped: 0, skipped: 0, failed: 0)
    private let samples: UnsafeMutableBufferPointer<Double>
    private var sampleCount = 0
    private let exported: (taken: Counter, passed: Counter, dropped: Counter, skipped: Counter, failed: Counter)
    private let latency: CoreMetrics.Timer

    /// The metric names, for backends and documents.
    static let framesMetric = "sightline_stage_frames_total"
    static let latencyMetric = "sightline_stage_latency_seconds"

    init(name: String, capacity: Int = 8192) {
        self.name = name
        self.capacity = capacity
        samples = .allocate(capacity: capacity)
        samples.initialize(repeating: 0)
        func counter(_ outcome: String) -> Counter {
            Counter(label: Self.framesMetric, dimensions: [("stage", name), ("outcome", outcome)])
        }
        exported = (counter("in"), counter("out"), counter("dropped"), counter("skipped"), counter("failed"))
        latency = CoreMetrics.Timer(label: Self.latencyMetric, dimensions: [("stage", name)])
    }

    deinit { samples.deallocate() }

    func took() {
        lock.withLock { counts.taken += 1 }
        exported.taken.increment()
    }

    func skipped() {
        lock.withLock { counts.skipped += 1 }
        exported.skipped.increment()
    }

    func failed() {
        lock.withLock { counts.failed += 1 }
        exported.failed.increment()
    }

    func dropped(_ n: Int = 1) {
        guard n > 0 else { return }
        lock.withLock { counts.dropped += n }
        exported.dropped.increment(by: Int64(n))
    }

    /// An item left the stage; `start` is when its frame was captured (or delivered).
    func passed(start: Timestamp, now: Timestamp = .now()) {
        let latency = now.seconds(since: start)
        lock.withLock {
            counts.passed += 1
            samples[sampleCount % capacity] = latency
            sampleCount += 1
        }
        exported.passed.increment()
        self.latency.recordNanoseconds(Int64(max(0, latency) * 1e9))
    }

    /// The figures so far.
    func report() -> StageReport {
        lock.withLock {
            let kept = Array(samples.prefix(min(sampleCount, capacity))).sorted()
            func p(_ q: Double) -> Double {
                guard !kept.isEmpty else { return 0 }
                let rank = Int((q / 100 * Double(kept.count)).rounded(.up)) - 1
                return kept[min(max(rank, 0), kept.count - 1)] * 1000
            }
            return StageReport(
                name: name, framesIn: counts.taken, framesOut: counts.passed, dropped: counts.dropped,
                skipped: counts.skipped, failed: counts.failed, latencyP50Milliseconds: p(50), latencyP99Milliseconds: p(99))
        }
    }
}

/// One stage's figures at the end of a run (see ``LiveReport``).
public struct StageReport: Sendable, Codable, Equatable {
    public var name: String
    /// Items the stage took.
    public var framesIn: Int
    /// Items it passed on (for the last stage: frames whose events reached the sinks).
    public var framesOut: Int
    /// Items meant for it that were replaced before it took them (latest wins), or, for the
    /// capture stage, frames the source itself dropped (the camera's slot and its driver).
    public var dropped: Int
    /// Items it decided not to pass on (the change gate's skipped frames).
    public var skipped: Int
    /// Items it failed on (the error is in ``LiveReport/errors``).
    public var failed: Int
    /// Latency from capture to the end of this stage, nearest-rank percentiles, milliseconds.
    public var latencyP50Milliseconds: Double
    public var latencyP99Milliseconds: Double
}
