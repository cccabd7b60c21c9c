public import Actions
import CoreMetrics
public import Detection
public import Foundation
public import Reasoning
public import SightlineCore

/// What the pipeline did with one frame.
public struct FrameOutcome: Sendable {
    public var frame: SightlineEvent.FrameInfo
    public var detections: [Detection]
    /// The reasoning over the recent frames, ending with this one.
    public var run: ReasoningRun
    /// The one-line conclusion (also drawn on the overlay).
    public var conclusion: String
    /// The events handed to the sinks.
    public var events: [SightlineEvent]
    /// Sinks that failed on this frame's events (the others still got them).
    public var sinkFailures: [SinkFailure]
    /// Seconds spent detecting (preprocess + inference + decode), reasoning and acting.
    public var detectSeconds: Double
    public var reasonSeconds: Double
    public var actSeconds: Double
}

/// Wires detection, the reasoner and the sinks for a stream of frames (recorded or live):
/// each frame is detected, handed to the ``ReasoningSession`` (its tracker follows items over every
/// frame, so the chain gets sequence facts: taken out, put back; a sliding window of recent
/// observations feeds the inventory's debounce), the chain runs, and the result goes to
/// the sinks as events: always a `frameAnalysed` event with the detections and conclusion, and
/// a `groceryNeed` event when the chain proposes something.
///
/// Not thread-safe (one pipeline per stream), except ``replaceReasoning(reasoner:profile:)``,
/// which any thread may call: the new chain and profile take over at the next frame (a service
/// reloading them on SIGHUP while frames flow).
public final class ScenePipeline {
    /// Nil when detections come from elsewhere (``process(_:detections:time:)``).
    public var detector: (any ObjectDetector)? { stage?.detector }
    /// The detector with its preprocessing stage.
    private let stage: FrameDetector?
    public private(set) var reasoner: Reasoner
    public private(set) var profile: Profile
    /// The wearer's local date the chain reasons for.
    public private(set) var today: LocalDate
    /// Whether ``today`` follows the calendar (the date at each frame) rather than staying fixed:
    /// a service running past midnight starts the new day's needs.
    public let followsCalendar: Bool
    public let sinks: SinkSet
    /// How many recent frames the chain reasons over.
    public let window: Int
    /// The window of recent frames and the tracker that follows items over every frame.
    public private(set) var session: ReasoningSession
    /// Quick (the chain alone) or contemplating (a marked decision goes to the specialists).
    public let mode: ReasoningMode
    /// The specialists contemplating mode asks (the pantry reads `groceryList`).
    public let panel: SpecialistPanel
    /// A chain and profile waiting to take over (``replaceReasoning(reasoner:profile:)``).
    private let replacementLock = NSLock()
    private var replacement: (reasoner: Reasoner, profile: Profile)?
    /// `sightline_sink_failures_total` by sink name, and `sightline_sink_backlog` of each sink.
    private let failureCounters: [String: Counter]
    private let backlogGauges: [Gauge]

    /// - Parameter followsCalendar: `today` moves to the current date at each frame (when the
    ///   configuration names no date); false keeps `today` (tests, replays of a given day).
    public init(
        detector: (any ObjectDetector)?, reasoner: Reasoner, profile: Profile, today: LocalDate, sinks: SinkSet,
        window: Int = 5, mode: ReasoningMode = .quick, groceryList: (any GroceryListReader)? = nil, followsCalendar: Bool = false
    ) {
        self.followsCalendar = followsCalendar
        failureCounters = Dictionary(
            sinks.sinks.map { ($0.name, Counter(label: "sightline_sink_failures_total", dimensions: [("sink", $0.name)])) }
        ) { first, _ in first }
        backlogGauges = sinks.sinks.map { Gauge(label: "sightline_sink_backlog", dimensions: [("sink", $0.name)]) }
        self.mode = mode
        panel = .standard(groceryList: groceryList.map(GroceryListPantry.init))
        stage = detector.map { FrameDetector($0) }
        self.reasoner = reasoner
        self.profile = profile
        self.today = today
        self.sinks = sinks
        self.window = max(1, window)
        session = ReasoningSession(reasoner: reasoner, window: window)
    }

    /// Runs one frame through detection, reasoning and the sinks. `time` is the wall-clock time
    /// the events carry (the grocery list's cooldown is measured in it).
    public func process(_ frame: Frame, time: Date) throws -> FrameOutcome {
        guard let stage else { preconditionFailure("a pipeline without a detector needs process(_:detections:time:)") }
        let result = try stage.detect(frame)
        let t1 = Timestamp.now()
        return try reasonAndAct(
            frame: frame, detections: result.detections, detectSeconds: result.timings.total, time: time, started: t1)
    }

    /// The same as ``process(_:time:)`` for detections made elsewhere (e.g. ground-truth labels).
    public func process(_ frame: Frame, detections: [Detection], time: Date) throws -> FrameOutcome {
        try reasonAndAct(frame: frame, detections: detections, detectSeconds: 0, time: time, started: .now())
    }

    /// Replaces the chain (with its knowledge) and the profile from the next frame on. The
    /// reasoning window and the tracker start over with the new chain. Safe from any thread.
    public func replaceReasoning(reasoner: Reasoner, profile: Profile) {
        replacementLock.withLock { replacement = (reasoner, profile) }
    }

    private func reasonAndAct(
        frame: Frame, detections: [Detection], detectSeconds: Double, time: Date, started: Timestamp
    ) throws -> FrameOutcome {
        if let next = replacementLock.withLock({ () -> (reasoner: Reasoner, profile: Profile)? in
            defer { replacement = nil }
            return replacement
        }) {
            (reasoner, profile) = next
            session = ReasoningSession(reasoner: next.reasoner, window: window)
        }
        if followsCalendar { today = .current() }
        let observation = Observation(
            sequence: frame.sequence, timestamp: frame.timestamp, origin: frame.origin, detections: detections, width: frame.width,
            height: frame.height)
        let run: ReasoningRun
        if mode == .quick {
            run = try session.observe(observation, profile: profile, today: today)
        } else {
            let input = session.record(observation)
            let (reasoner, profile, today, panel) = (reasoner, profile, today, panel)
            run = try waitFor { try await reasoner.run(input, profile: profile, today: today, mode: .contemplating, panel: panel) }
        }
        let t2 = Timestamp.now()

        let info = SightlineEvent.FrameInfo(frame)
        let conclusion = Self.conclusion(of: run)
        var events = [
            SightlineEvent(
                kind: .frameAnalysed, frame: info, time: time, detections: detections, conclusion: conclusion,
                readings: Self.readings(of: run), image: frame)
        ]
        if let p = run.proposal {
            let need = GroceryNeed(
                item: p.item, quantity: Double(p.quantity), unit: p.unit, reason: p.reason,
                needKey: "\(p.foodID)/\(p.day)")
            events.append(SightlineEvent(kind: .groceryNeed, frame: info, time: time, conclusion: conclusion, grocery: need))
        }
        var failures: [SinkFailure] = []
        for event in events { failures += sinks.dispatch(event) }
        recordSinkMetrics(failures)
        let t3 = Timestamp.now()
        return FrameOutcome(
            frame: info, detections: detections, run: run, conclusion: conclusion, events: events, sinkFailures: failures,
            detectSeconds: detectSeconds, reasonSeconds: t2.seconds(since: started), actSeconds: t3.seconds(since: t2))
    }

    /// Flushes every sink (the webhook outbox, files); returns the sinks that failed.
    public func finish() -> [SinkFailure] {
        let failures = sinks.flushAll()
        recordSinkMetrics(failures)
        return failures
    }

    private func recordSinkMetrics(_ failures: [SinkFailure]) {
        for failure in failures { failureCounters[failure.sink]?.increment() }
        for (sink, gauge) in zip(sinks.sinks, backlogGauges) {
            if let backlog = sink.backlog { gauge.record(backlog) }
        }
    }

    /// What the chain read off the scene: its scene step's verdict and, when it got that far,
    /// today's protein deficit. Nil when the chain has no scene step.
    public static func readings(of run: ReasoningRun) -> SceneReadings? {
        let facts = run.trace.facts
        guard let scene = facts.first(where: { $0.kind == .scene }), case .flag(let storage) = scene.value else { return nil }
        return SceneReadings(foodStorageInView: storage, proteinDeficitGrams: facts.first { $0.kind == .deficit }?.gramsValue)
    }

    /// The chain's last word, as one line: the action step's rationale (what to add and why),
    /// or the step that stopped the chain.
    public static func conclusion(of run: ReasoningRun) -> String {
        run.trace.steps.last?.rationale.split(separator: "\n").first.map(String.init) ?? "no conclusion"
    }
}
