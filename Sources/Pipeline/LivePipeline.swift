import Actions
public import Capture
import CoreMetrics
public import Detection
public import Foundation
public import Imaging
import Reasoning
public import SightlineCore

/// What finds the objects in the frames the gate lets through.
public enum LiveDetector {
    /// A model: the prepare stage letterboxes frames into pooled tensors, the detect stage runs
    /// inference on them.
    case model(any ObjectDetector)
    /// Labelled boxes read from YOLO label files (checking the reasoning on labelled photos).
    case labels(YOLOLabels)
}

/// How a ``LivePipeline`` runs.
public struct LiveOptions: Sendable {
    /// The hand-offs between stages: latest-wins for cameras and paced replays, lossless for
    /// replays as fast as the pipeline goes (every frame, reproducible).
    public var handOff: HandOffPolicy
    /// The change gate; nil analyses every frame.
    public var gate: GateSettings?
    /// Stop after the source delivered this many frames.
    public var maxFrames: Int?
    public var kernels: KernelChoice
    /// A frame whose picture cannot be read (corrupt data, a size over the decoder's limit):
    /// `.skip` reports it in ``LiveReport/damagedFrames`` and goes on, `.stop` records it as an
    /// error and ends the run.
    public var corruptFrames: CorruptFramePolicy

    public init(
        handOff: HandOffPolicy = .latestWins, gate: GateSettings? = GateSettings(), maxFrames: Int? = nil,
        kernels: KernelChoice = .fromEnvironment, corruptFrames: CorruptFramePolicy = .skip
    ) {
        self.handOff = handOff
        self.gate = gate
        self.maxFrames = maxFrames
        self.kernels = kernels
        self.corruptFrames = corruptFrames
    }
}

/// One analysed frame at the end of the pipeline.
public struct LiveOutcome {
    public var outcome: FrameOutcome
    public var gate: GateDecision
    /// Seconds from capture (for recordings: delivery) to the events being handled.
    public var latency: Double
}

/// Why a run ended.
public enum StopReason: String, Sendable, Codable {
    /// The source had no more frames.
    case endOfSource = "end of source"
    /// ``LiveOptions/maxFrames`` frames were captured.
    case frameLimit = "frame limit"
    /// ``LivePipeline/stop()`` was called (SIGINT, SIGTERM).
    case requested = "stop requested"
    /// The source failed (the error is in ``LiveReport/errors``).
    case sourceFailed = "source failed"
}

/// What the change gate did over a run.
public struct GateReport: Sendable, Codable, Equatable {
    public var enabled: Bool
    /// Frames the gate decided on (every frame the prepare stage took).
    public var decided: Int
    /// Frames sent to detection.
    public var analysed: Int
    /// Frames not analysed because nothing changed.
    public var skipped: Int
    /// `skipped / decided`: the fraction of detector runs saved.
    public var savedFraction: Double
    /// Decisions by reason (first, change, settle, refresh, ungated, unchanged).
    public var byReason: [String: Int]
}

/// The figures of one run: printed on exit and written as JSON with `--stats`.
public struct LiveReport: Sendable, Codable {
    public var source: String
    public var handOff: HandOffPolicy
    public var stoppedBy: StopReason
    public var wallSeconds: Double
    /// Stages in order: capture, prepare (thumbnail, gate, preprocessing), detect, reason+act.
    public var stages: [StageReport]
    public var gate: GateReport
    /// How many errors the stages and the source met; the first few are in ``errors``.
    public var errorCount: Int
    public var errors: [String]
    /// Frames skipped because their picture could not be read (``LiveOptions/corruptFrames``
    /// `.skip`): how many, and the first few with the reason.
    public var damagedFrameCount: Int
    public var damagedFrames: [String]
    /// Sinks that failed on an event or on the final flush (the first few).
    public var sinkFailures: [String]
    /// Sink failures that lost an event (a failed write, a database locked beyond its wait):
    /// the run has failed. Failures whose events a sink kept for later (the webhook's outbox)
    /// are not counted.
    public var sinkErrorCount: Int

    /// Frames per second through the whole pipeline (frames the source delivered / wall time).
    public var framesPerSecond: Double {
        wallSeconds > 0 ? Double(stages.first?.framesIn ?? 0) / wallSeconds : 0
    }

    /// Pretty-printed JSON with sorted keys.
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self) + "\n"
    }

    /// A few lines for people: one per stage, then the gate.
    public var summary: String {
        var lines = [
            String(
                format: "live: %d frames from %@ in %.2f s (%.1f fps), %@ hand-offs, stopped: %@", stages.first?.framesIn ?? 0,
                source, wallSeconds, framesPerSecond, handOff.rawValue, stoppedBy.rawValue),
            "  stage          in     out  dropped  skipped  failed   p50 ms   p99 ms",
        ]
        for s in stages {
            lines.append(
                "  " + s.name.padding(toLength: 10, withPad: " ", startingAt: 0)
                    + String(
                        format: " %6d  %6d   %6d   %6d  %6d  %7.1f  %7.1f", s.framesIn, s.framesOut, s.dropped, s.skipped,
                        s.failed, s.latencyP50Milliseconds, s.latencyP99Milliseconds))
        }
        if gate.enabled {
            let reasons = GateReason.allCases.compactMap { r in
                gate.byReason[r.rawValue].flatMap { $0 > 0 ? "\(r.rawValue) \($0)" : nil }
            }
            lines.append(
                String(
                    format: "gate: %d of %d frames not analysed (%.1f%% of detector runs saved); ", gate.skipped, gate.decided,
                    gate.savedFraction * 100) + reasons.joined(separator: ", "))
        }
        if errorCount > 0 { lines.append("\(errorCount) error(s); first: \(errors.first ?? "")") }
        if damagedFrameCount > 0 { lines.append("\(damagedFrameCount) damaged frame(s) skipped; first: \(damagedFrames.first ?? "")") }
        if sinkErrorCount > 0 { lines.append("\(sinkErrorCount) event(s) a sink could not take; first: \(sinkFailures.first ?? "")") }
        return lines.joined(separator: "\n")
    }
}

/// The live pipeline: capture → prepare (thumbnail, change gate, preprocessing) → detect →
/// reason+act, each stage on its own thread (blocking calls stay off Swift's cooperative
/// pool), joined by one-item hand-offs (``HandOffPolicy``). With latest-wins hand-offs a slow
/// stage never builds a backlog: the frame waiting for it is replaced by a newer one and
/// counted as dropped. Every item carries its frame (capture timestamp and sequence number)
/// to the end, where ``ScenePipeline`` reasons over it and hands the events to the sinks.
///
/// ``stop()`` (from a signal handler) stops the source; each stage then finishes the item it
/// holds and the one waiting for it, the sinks are flushed, and ``run()`` returns the report.
///
/// Steady state allocates nothing per frame in capture (V4L2 buffers, pooled recording
/// buffers) and preparation (reused thumbnail, decode and tensor buffers); the benchmark
/// (`sightline-bench live`) counts it.
public final class LivePipeline: @unchecked Sendable {
    public let source: any FrameSource
    public let options: LiveOptions
    private let detector: LiveDetector
    private let scene: ScenePipeline
    private let eventTime: (Frame) -> Date
    private let onOutcome: ((LiveOutcome) -> Void)?
    private let onDecision: ((Frame, GateDecision) -> Void)?
    /// Latency is measured from the frame's own timestamp for cameras (same monotonic clock),
    /// from delivery for recordings (whose timestamps are the recording's).
    private let fromCaptureTimestamp: Bool

    private let toPrepare: Slot<Arrival, Never>
    private let toDetect: Slot<Prepared, Never>
    private let toAct: Slot<Detected, Never>
    private let captureMetrics = StageMetrics(name: "capture")
    private let prepareMetrics = StageMetrics(name: "prepare")
    private let detectMetrics = StageMetrics(name: "detect")
    private let actMetrics = StageMetrics(name: "reason+act")
    private let gate: MotionGate?
    private let preprocessor: Preprocessor?
    /// Input tensors reused between the prepare and detect stages: one being filled, one
    /// waiting, one being detected on.
    private let tensors = Pool(count: 3) { Tensor() }

    private let lock = NSLock()
    private var stopRequested = false
    private var stopReason = StopReason.endOfSource
    private var errorList: [String] = []
    private var errorTotal = 0
    private var sinkFailureList: [String] = []
    private var sinkErrorTotal = 0
    private var damagedTotal = 0
    private var damagedList: [String] = []
    private var started = Timestamp.now()
    /// The source's own drops already counted into the capture stage.
    private var sourceDropsCounted = 0
    /// The gate's decisions by reason, kept here (under `lock`) so that a snapshot can read them
    /// while the prepare stage decides.
    private var gateCounts = Dictionary(uniqueKeysWithValues: GateReason.allCases.map { ($0, 0) })
    /// `sightline_gate_decisions_total` by reason.
    private let gateCounters = Dictionary(
        uniqueKeysWithValues: GateReason.allCases.map {
            ($0, Counter(label: "sightline_gate_decisions_total", dimensions: [("reason", $0.rawValue)]))
        })

    /// - Parameters:
    ///   - scene: reasons over each analysed frame and dispatches the events.
    ///   - eventTime: the wall-clock time an analysed frame's events carry (default: now).
    ///   - onDecision: called on the prepare thread with every gate decision.
    ///   - onOutcome: called on the reason+act thread after each frame's events were handled.
    public init(
        source: any FrameSource, detector: LiveDetector, scene: ScenePipeline, options: LiveOptions = LiveOptions(),
        eventTime: @escaping (Frame) -> Date = { _ in Date() }, onDecision: ((Frame, GateDecision) -> Void)? = nil,
        onOutcome: ((LiveOutcome) -> Void)? = nil
    ) {
        self.source = source
        self.detector = detector
        self.scene = scene
        self.options = options
        self.eventTime = eventTime
        self.onDecision = onDecision
        self.onOutcome = onOutcome
        fromCaptureTimestamp = source.clock == .monotonic
        toPrepare = Slot(policy: options.handOff)
        toDetect = Slot(policy: options.handOff)
        toAct = Slot(policy: options.handOff)
        gate = options.gate.map { MotionGate(settings: $0, kernels: options.kernels) }
        if case let .model(d) = detector {
            // The prepare stage is the one preprocessing stage: it fills pooled tensors of the
            // geometry the detector declares, which the detect stage binds as they are.
            preprocessor = Preprocessor(input: d.input, kernels: options.kernels)
        } else {
            preprocessor = nil
        }
    }

    /// Asks the pipeline to stop: the source stops, in-flight frames are finished, the sinks
    /// flushed. Safe from any thread; idempotent.
    public func stop() {
        lock.withLock {
            if !stopRequested { stopReason = .requested }
            stopRequested = true
        }
        source.stop()
    }

    private var shouldStop: Bool { lock.withLock { stopRequested } }

    private func noteSinkFailures(_ failures: [SinkFailure]) {
        guard !failures.isEmpty else { return }
        lock.withLock {
            sinkErrorTotal += failures.filter { !$0.eventsKept }.count
            sinkFailureList += failures.prefix(max(0, 20 - sinkFailureList.count)).map(\.description)
        }
    }

    private func record(_ error: any Error, _ context: String) {
        lock.withLock {
            errorTotal += 1
            if errorList.count < 20 { errorList.append("\(context): \(error)") }
        }
    }

    /// Runs the stages until the source ends, the frame limit is reached or ``stop()`` is
    /// called; returns once every stage has drained and the sinks are flushed.
    public func run() -> LiveReport {
        lock.withLock { started = Timestamp.now() }
        let group = DispatchGroup()
        for (index, name) in ["capture", "prepare", "detect", "reason+act"].enumerated() {
            group.enter()
            let thread = Thread { [self] in
                switch index {
                case 0: captureLoop()
                case 1: prepareLoop()
                case 2: detectLoop()
                default: actLoop()
                }
                group.leave()
            }
            thread.name = "sightline-\(name)"
            thread.start()
        }
        group.wait()
        noteSinkFailures(scene.finish())
        return snapshot()
    }

    /// The figures so far (while running: a snapshot for health and metrics; after ``run()``:
    /// its report). Also brings the capture stage's `dropped` up to what the source reports.
    public func snapshot() -> LiveReport {
        let dropped = source.statistics.framesDropped
        let newDrops = lock.withLock {
            defer { sourceDropsCounted = max(sourceDropsCounted, dropped) }
            return dropped - sourceDropsCounted
        }
        captureMetrics.dropped(newDrops)
        return report(wall: Timestamp.now().seconds(since: lock.withLock { started }))
    }

    private func report(wall: Double) -> LiveReport {
        var byReason: [String: Int] = [:]
        if gate != nil { for (r, n) in lock.withLock({ gateCounts }) { byReason[r.rawValue] = n } }
        let stages = [captureMetrics, prepareMetrics, detectMetrics, actMetrics].map { $0.report() }
        let decided = stages[1].framesIn - stages[1].failed
        let skipped = gate == nil ? 0 : lock.withLock { gateCounts[.unchanged] ?? 0 }
        return lock.withLock {
            LiveReport(
                source: source.name, handOff: options.handOff, stoppedBy: stopReason, wallSeconds: wall, stages: stages,
                gate: GateReport(
                    enabled: gate != nil, decided: decided, analysed: decided - skipped, skipped: skipped,
                    savedFraction: decided > 0 ? Double(skipped) / Double(decided) : 0, byReason: byReason),
                errorCount: errorTotal, errors: errorList, damagedFrameCount: damagedTotal, damagedFrames: damagedList,
                sinkFailures: sinkFailureList, sinkErrorCount: sinkErrorTotal)
        }
    }

    // MARK: - Stages

    private func captureLoop() {
        defer { toPrepare.finish() }
        var delivered = 0
        while !shouldStop {
            if let limit = options.maxFrames, delivered >= limit {
                lock.withLock { if !stopRequested { stopReason = .frameLimit } }
                break
            }
            let frame: Frame
            do {
                guard let next = try source.next() else { break }
                frame = next
            } catch {
                record(error, source.name)
                lock.withLock { if !stopRequested { stopReason = .sourceFailed } }
                break
            }
            delivered += 1
            let start = fromCaptureTimestamp ? frame.timestamp : Timestamp.now()
            captureMetrics.took()
            captureMetrics.passed(start: start)
            if toPrepare.put(Arrival(frame: frame, start: start)) != nil { prepareMetrics.dropped() }
        }
    }

    private func prepareLoop() {
        defer { toDetect.finish() }
        while let item = toPrepare.take() {
            prepareMetrics.took()
            let frame = item.frame
            var decision = GateDecision(reason: .ungated, changed: 0)
            var tensor: Tensor?
            var letterbox: Letterbox?
            do {
                if let gate {
                    decision = try gate.decide(frame)
                    lock.withLock { gateCounts[decision.reason, default: 0] += 1 }
                    gateCounters[decision.reason]?.increment()
                }
                onDecision?(frame, decision)
                guard decision.analyse else {
                    prepareMetrics.skipped()
                    continue
                }
                if let preprocessor {
                    let t = tensors.take()
                    tensor = t
                    letterbox = try preprocessor.run(frame, into: t).letterbox
                }
            } catch {
                if let tensor { tensors.give(tensor) }
                prepareMetrics.failed()
                if error is ImagingError, options.corruptFrames == .skip {
                    lock.withLock {
                        damagedTotal += 1
                        if damagedList.count < 20 { damagedList.append("frame \(frame.sequence) skipped: \(error)") }
                    }
                    continue
                }
                record(error, "\(frame.origin) (frame \(frame.sequence))")
                if error is ImagingError {  // .stop: a damaged frame ends the run
                    lock.withLock {
                        if !stopRequested { stopReason = .sourceFailed }
                        stopRequested = true
                    }
                    source.stop()
                }
                continue
            }
            prepareMetrics.passed(start: item.start)
            let prepared = Prepared(frame: frame, start: item.start, gate: decision, tensor: tensor, letterbox: letterbox)
            if let displaced = toDetect.put(prepared) {
                detectMetrics.dropped()
                if let t = displaced.tensor { tensors.give(t) }
            }
        }
    }

    private func detectLoop() {
        defer { toAct.finish() }
        while let item = toDetect.take() {
            detectMetrics.took()
            let t0 = Timestamp.now()
            var detections: [Detection] = []
            do {
                switch detector {
                case let .model(d):
                    detections = try d.detect(tensor: item.tensor!, letterbox: item.letterbox!).detections
                case let .labels(labels):
                    detections = try labels.detections(
                        forImage: item.frame.origin, width: item.frame.width, height: item.frame.height)
                }
            } catch {
                if let t = item.tensor { tensors.give(t) }
                detectMetrics.failed()
                record(error, "\(item.frame.origin) (frame \(item.frame.sequence))")
                continue
            }
            if let t = item.tensor { tensors.give(t) }
            let now = Timestamp.now()
            detectMetrics.passed(start: item.start, now: now)
            let detected = Detected(
                frame: item.frame, start: item.start, gate: item.gate, detections: detections,
                detectSeconds: now.seconds(since: t0))
            if toAct.put(detected) != nil { actMetrics.dropped() }
        }
    }

    private func actLoop() {
        while let item = toAct.take() {
            actMetrics.took()
            do {
                var outcome = try scene.process(item.frame, detections: item.detections, time: eventTime(item.frame))
                outcome.detectSeconds = item.detectSeconds
                let now = Timestamp.now()
                actMetrics.passed(start: item.start, now: now)
                noteSinkFailures(outcome.sinkFailures)
                onOutcome?(LiveOutcome(outcome: outcome, gate: item.gate, latency: now.seconds(since: item.start)))
            } catch {
                actMetrics.failed()
                record(error, "\(item.frame.origin) (frame \(item.frame.sequence))")
            }
        }
    }
}

// MARK: - Items handed between stages

struct Arrival {
    var frame: Frame
    var start: Timestamp
}

struct Prepared {
    var frame: Frame
    var start: Timestamp
    var gate: GateDecision
    var tensor: Tensor?
    var letterbox: Letterbox?
}

struct Detected {
    var frame: Frame
    var start: Timestamp
    var gate: GateDecision
    var detections: [Detection]
    var detectSeconds: Double
}
