public import Capture
import Foundation
import SightlineCore

/// What a run over many frames says as it goes: one line per analysed frame (labels seen and
/// the conclusion) and a closing summary of timings. The caller decides where the lines go.
public struct SceneProgress: Sendable {
    /// No per-frame lines, only the summary.
    public var quiet: Bool
    public private(set) var frames = 0
    public private(set) var proposals = 0
    /// Warnings raised (each once, when first in force).
    public private(set) var warnings = 0
    private var detect: [Double] = []
    private var reason: [Double] = []
    private var act: [Double] = []

    public init(quiet: Bool = false) { self.quiet = quiet }

    /// Records an outcome; returns its line (nil when quiet) and a warning per sink failure.
    public mutating func record(_ o: FrameOutcome) -> (line: String?, warnings: [String]) {
        frames += 1
        detect.append(o.detectSeconds)
        reason.append(o.reasonSeconds)
        act.append(o.actSeconds)
        if o.chains.proposal != nil { proposals += 1 }
        let raised = o.events.filter { $0.kind == .warning }.compactMap(\.warning?.message)
        warnings += raised.count
        let warnings = o.sinkFailures.map { "warning: \($0)" }
        guard !quiet else { return (nil, warnings) }
        let labels = Dictionary(grouping: o.detections, by: \.label).map { "\($0.key)×\($0.value.count)" }.sorted()
        let line =
            "[\(o.frame.sequence)] \((o.frame.origin as NSString).lastPathComponent): "
            + "\(labels.isEmpty ? "nothing" : labels.joined(separator: " ")) → \(o.conclusion)"
            + raised.map { "\n  WARNING: \($0)" }.joined()
        return (line, warnings)
    }

    /// Frames, rate and median stage times over `wall` seconds.
    public func summary(wall: Double) -> String {
        func median(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.sorted()[v.count / 2] }
        return String(
            format:
                "%d frames in %.2f s (%.1f fps): detect %.1f ms, reason %.3f ms, act %.2f ms per frame (medians); %d with a grocery proposal; %d warning(s)",
            frames, wall, wall > 0 ? Double(frames) / wall : 0, median(detect) * 1000, median(reason) * 1000, median(act) * 1000,
            proposals, warnings)
    }
}

extension Scene {
    /// Runs `source` through the live pipeline (``LivePipeline``) until it ends, the frame
    /// limit, or SIGINT/SIGTERM (which stop it cleanly). Each analysed frame's trace is saved
    /// (``saveTrace(_:)``), its progress line handed to `say` and any warning to `warn`, on the
    /// reason+act thread. Returns the report and the progress summary.
    ///
    /// An executable calls ``ProcessMemory/configureForLivePipeline()`` before it assembles the
    /// scene (before the models load).
    public func runLive(
        source: any FrameSource, options: LiveOptions, quiet: Bool = false, say: @escaping @Sendable (String) -> Void,
        warn: @escaping @Sendable (String) -> Void
    ) -> (report: LiveReport, summary: String) {
        let progress = ProgressBox(SceneProgress(quiet: quiet))
        let live = LivePipeline(
            source: source, detector: liveDetector, scene: pipeline, options: options,
            onOutcome: { [self] result in
                do { try saveTrace(result.outcome) } catch { warn("warning: trace not saved: \(error)") }
                let (line, warnings) = progress.progress.record(result.outcome)
                for w in warnings { warn(w) }
                if let line { say(line) }
            })
        let signals = ShutdownSignals { _ in live.stop() }
        let start = Timestamp.now()
        let report = live.run()
        withExtendedLifetime(signals) {}
        return (report, progress.progress.summary(wall: Timestamp.now().seconds(since: start)))
    }
}

/// The progress, updated on the reason+act thread and read after the run.
private final class ProgressBox: @unchecked Sendable {
    var progress: SceneProgress
    init(_ progress: SceneProgress) { self.progress = progress }
}
