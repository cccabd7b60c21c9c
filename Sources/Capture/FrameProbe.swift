import Foundation
import SightlineCore

/// Takes frames from a source and says what arrived: one line per frame (sequence, format,
/// size, bytes, timestamp and, from a live source, the latency from its timestamp to now) and
/// a summary of the rate received. What `sightline capture` shows.
public enum FrameProbe {
    /// What ``take(_:from:workMilliseconds:say:)`` saw.
    public struct Result {
        public var count = 0
        /// Seconds from each frame's timestamp to its arrival (live sources only).
        public var latencies: [Double] = []
        /// `N frames in S s (F fps received)`.
        public var summary = ""
        /// The error that ended the run early, if any.
        public var failure: (any Error)?
    }

    /// The most frames one probe takes (about a month of 30 fps video).
    public static let maximumFrames = 100_000_000
    /// The longest simulated work per frame, in milliseconds.
    public static let maximumWorkMilliseconds = 10_000.0

    /// Takes up to `frames` frames (at most ``maximumFrames``), sleeping `workMilliseconds`
    /// after each (a slow consumer; at most ``maximumWorkMilliseconds``), and hands each
    /// frame's line to `say` (nil: no lines).
    public static func take(
        _ frames: Int, from source: any FrameSource, workMilliseconds: Double = 0, say: ((String) -> Void)?
    ) -> Result {
        var result = Result()
        let frames = min(max(frames, 0), maximumFrames)
        let workMilliseconds = workMilliseconds.isFinite ? min(max(workMilliseconds, 0), maximumWorkMilliseconds) : 0
        // Room for the latencies grows as frames arrive; a large request reserves nothing up front.
        result.latencies.reserveCapacity(min(frames, 1 << 16))
        var first: Timestamp?, last: Timestamp?
        do {
            while result.count < frames, let frame = try source.next() {
                let received = Timestamp.now()
                let latency = received.seconds(since: frame.timestamp)
                if source.isLive { result.latencies.append(latency) }
                if first == nil { first = received }
                last = received
                result.count += 1
                if let say {
                    let size = frame.format.isCompressed && frame.width == 0 ? "?" : "\(frame.width)x\(frame.height)"
                    var line = "#\(frame.sequence) \(frame.format) \(size) \(frame.byteCount) B ts \(frame.timestamp)"
                    if source.isLive { line += String(format: " latency %.2f ms", latency * 1000) }
                    say(line)
                }
                if workMilliseconds > 0 { usleep(UInt32(workMilliseconds * 1000)) }
            }
        } catch {
            result.failure = error
        }
        result.summary = "\(result.count) frames"
        if let first, let last, result.count > 1 {
            result.summary += String(
                format: " in %.2f s (%.1f fps received)", last.seconds(since: first), Double(result.count - 1) / last.seconds(since: first))
        }
        return result
    }
}

extension FrameProbe.Result {
    /// The lines `sightline capture` ends with: the summary, then the camera's statistics (with
    /// `camera`), or the damaged frames a recording skipped.
    public func report(source: any FrameSource, camera: V4L2Camera?) -> [String] {
        var lines = [summary]
        if let camera {
            lines += camera.captureStatistics.report(receivedLatencies: latencies, delivery: camera.options.delivery)
        } else if case let skipped = source.statistics.skippedFrames, !skipped.isEmpty {
            lines.append("skipped damaged frames: " + skipped.map { "\($0.index) (\($0.detail))" }.joined(separator: "; "))
        }
        return lines
    }
}
