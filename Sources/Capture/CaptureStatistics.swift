import Foundation
public import SightlineCore

/// Counters and timings of one camera session (since ``V4L2Camera/start()``).
public struct CaptureStatistics: Sendable, Equatable {
    /// Good frames dequeued from the driver and offered to the consumer.
    public var framesCaptured = 0
    /// Frames replaced in the hand-off slot before the consumer took them (latest frame wins).
    public var framesReplaced = 0
    /// Frames the driver dropped, counted from gaps in its sequence numbers (usually because
    /// no buffer was queued: the consumer held them all, or the capture thread was late).
    public var driverDrops = 0
    /// Buffers the driver flagged `V4L2_BUF_FLAG_ERROR` (given back, not delivered).
    public var erroredBuffers = 0
    /// Times the camera was reopened after it went away.
    public var reconnects = 0
    /// CPU time the capture thread used (`CLOCK_THREAD_CPUTIME_ID`).
    public var captureThreadCPUSeconds = 0.0
    /// Driver timestamp of the first and the last frame captured.
    public var firstTimestamp: Timestamp?
    public var lastTimestamp: Timestamp?
    /// Seconds from the driver's timestamp to the hand-off, for the most recent frames
    /// (at most ``latencyCapacity``; the oldest are overwritten, so capture never allocates).
    public var handoffLatencies: [Double] = []

    /// How many latency samples are kept.
    public static let latencyCapacity = 8192

    public init() {}

    /// Frames the consumer could have received.
    public var framesOffered: Int { framesCaptured - framesReplaced }

    /// Capture thread CPU seconds per captured frame.
    public var cpuSecondsPerFrame: Double {
        framesCaptured == 0 ? 0 : captureThreadCPUSeconds / Double(framesCaptured)
    }

    /// Frames captured per second by the driver's clock, first to last frame.
    public var fps: Double {
        guard let a = firstTimestamp, let b = lastTimestamp, framesCaptured > 1, b > a else { return 0 }
        return Double(framesCaptured - 1) / b.seconds(since: a)
    }

    /// The `p`th percentile (0...100) of the hand-off latencies, in seconds (nearest rank).
    public func handoffLatency(percentile p: Double) -> Double {
        Self.percentile(handoffLatencies, p)
    }

    /// Nearest-rank percentile of `values` (0 when empty).
    public static func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    /// One line on the camera of a live run: frames, rate, frames replaced and dropped, hand-off latency.
    public var liveSummary: String {
        String(
            format:
                "capture: %d frames at %.1f fps, %d replaced by newer ones (latest wins), %d dropped by the driver, hand-off p50 %.1f ms p99 %.1f ms",
            framesCaptured, fps, framesReplaced, driverDrops, handoffLatency(percentile: 50) * 1000, handoffLatency(percentile: 99) * 1000)
    }

    /// The session for people: frames, drops and reconnects; latency from the driver's timestamp
    /// to `receivedLatencies` (seconds, measured by the consumer) and to the hand-off; and the
    /// capture thread's CPU time per frame.
    public func report(receivedLatencies latencies: [Double], delivery: V4L2Camera.Delivery) -> [String] {
        [
            String(
                format:
                    "camera: %d captured at %.2f fps (driver clock), %d dropped by the driver, %d replaced before taken, %d errored buffers, %d reconnects",
                framesCaptured, fps, driverDrops, framesReplaced, erroredBuffers, reconnects),
            String(
                format: "latency driver timestamp -> received: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                Self.percentile(latencies, 50) * 1000, Self.percentile(latencies, 99) * 1000, (latencies.max() ?? 0) * 1000),
            String(
                format: "latency driver timestamp -> hand-off: p50 %.2f ms, p99 %.2f ms", handoffLatency(percentile: 50) * 1000,
                handoffLatency(percentile: 99) * 1000),
            String(
                format: "capture thread CPU: %.1f us/frame (%.3f s total, delivery %@)", cpuSecondsPerFrame * 1e6,
                captureThreadCPUSeconds, delivery.rawValue),
        ]
    }
}
