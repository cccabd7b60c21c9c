public import Actions
public import Detection
public import Foundation
public import Reasoning
public import SightlineCore

/// What the pipeline did with one frame.
public struct FrameOutcome: Sendable {
    public var frame: SightlineEvent.FrameInfo
    public var detections: [Detection]
    /// Every chain's run over the recent frames, ending with this one (one trace).
    public var chains: ChainSetRun
    /// The first chain's run (the fridge chain's, by default).
    public var run: ReasoningRun { chains.runs[0] }
    /// The one-line conclusion (also drawn on the overlay).
    public var conclusion: String
    /// The warnings in force at this frame, every chain's.
    public var warnings: [Warning] { chains.warnings }
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
/// each frame is detected, handed to every chain's ``ReasoningSession`` (each tracker follows
/// items over every frame, so the chains get sequence facts: taken out, put back, the fridge in
/// view; a sliding window of recent observations feeds the inventory's debounce), the chains
/// run, and the result goes to the sinks as events: always a `frameAnalysed` event with the
/// detections, the conclusion and the warnings in force; a `groceryNeed` event when the first
/// chain proposes something; a `warning` event when a warning is first raised; an `intake`
/// event when the frames first show a food eaten (the journal records it).
///
/// The wearer's day is fixed (``today``), or else the local date of each event's time in the
/// profile's time zone, so a live run crosses midnight (and daylight-saving changes) into the
/// next day. The past days the chains weigh are read from ``journal`` once a day.
///
/// Not thread-safe; one pipeline per stream.
public final class ScenePipeline {
    /// Nil when detections come from elsewhere (``process(_:detections:time:)``).
    public var detector: (any ObjectDetector)? { stage?.detector }
    /// The detector with its preprocessing stage.
    private let stage: FrameDetector?
    /// The chains, in order: the first one's decision is the grocery proposal.
    public let reasoners: [Reasoner]
    /// The first chain.
    public var reasoner: Reasoner { reasoners[0] }
    public let profile: Profile
    /// The wearer's day when fixed (replays, tests); nil: the local date of each event's time in
    /// the profile's time zone.
    public let today: LocalDate?
    public let sinks: SinkSet
    /// How many recent frames the chains reason over.
    public let window: Int
    /// Every chain's window of recent frames and its tracker.
    public private(set) var chains: ChainSetSession
    /// Quick (the chains alone) or contemplating (a marked decision goes to the specialists).
    public let mode: ReasoningMode
    /// The specialists contemplating mode asks (the pantry reads `groceryList`).
    public let panel: SpecialistPanel
    /// Where the past days come from (nil: no history).
    public let journal: (any JournalStore)?
    private var history: (day: LocalDate, value: IntakeHistory)?
    /// The keys of the warnings in force after the last frame, and of the intake already sent.
    private var warned: Set<String> = []
    private var recorded: Set<String> = []

    public init(
        detector: (any ObjectDetector)?, reasoners: [Reasoner], profile: Profile, today: LocalDate?, sinks: SinkSet,
        window: Int = 5, mode: ReasoningMode = .quick, groceryList: (any GroceryListReader)? = nil,
        journal: (any JournalStore)? = nil
    ) {
        precondition(!reasoners.isEmpty, "a scene needs at least one chain")
        self.mode = mode
        panel = .standard(groceryList: groceryList.map(GroceryListPantry.init))
        stage = detector.map { FrameDetector($0) }
        self.reasoners = reasoners
        self.profile = profile
        self.today = today
        self.sinks = sinks
        self.window = max(1, window)
        self.journal = journal
        chains = ChainSetSession(reasoners: reasoners, window: window)
    }

    /// One chain (``init(detector:reasoners:profile:today:sinks:window:mode:groceryList:journal:)``).
    public convenience init(
        detector: (any ObjectDetector)?, reasoner: Reasoner, profile: Profile, today: LocalDate?, sinks: SinkSet,
        window: Int = 5, mode: ReasoningMode = .quick, groceryList: (any GroceryListReader)? = nil
    ) {
        self.init(
            detector: detector, reasoners: [reasoner], profile: profile, today: today, sinks: sinks, window: window, mode: mode,
            groceryList: groceryList)
    }

    /// Runs one frame through detection, reasoning and the sinks. `time` is the wall-clock time
    /// the events carry (the grocery list's cooldown is measured in it; the wearer's day too,
    /// unless fixed).
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

    /// The wearer's day at `time`: ``today`` when fixed, else the local date in the profile's zone.
    public func day(at time: Date) -> LocalDate { today ?? LocalDate(time, in: profile.zone) }

    /// The journal's days before `day` (read once a day; a journal that cannot be read is an error).
    func history(for day: LocalDate) throws -> IntakeHistory {
        guard let journal else { return .none }
        if let h = history, h.day == day { return h.value }
        let days = try journal.days(from: day.adding(days: -31).description, through: day.adding(days: -1).description)
        let value = IntakeHistory(
            source: (journal.path as NSString).lastPathComponent,
            days: days.compactMap { d in
                LocalDate(d.day).map {
                    DayIntake(
                        day: $0, seenProteinGrams: d.seenProteinGrams, seenEnergyKcal: d.seenEnergyKcal,
                        healthProteinGrams: d.healthProteinGrams, healthEnergyKcal: d.healthEnergyKcal)
                }
            })
        history = (day, value)
        return value
    }

    private func reasonAndAct(
        frame: Frame, detections: [Detection], detectSeconds: Double, time: Date, started: Timestamp
    ) throws -> FrameOutcome {
        let observation = Observation(
            sequence: frame.sequence, timestamp: frame.timestamp, origin: frame.origin, detections: detections, width: frame.width,
            height: frame.height)
        let today = day(at: time)
        let history = try history(for: today)
        let runs: ChainSetRun
        if mode == .quick {
            runs = try chains.observe(observation, profile: profile, today: today, history: history)
        } else {
            let inputs = chains.record(observation)
            let (reasoners, profile, panel) = (reasoners, profile, panel)
            runs = try waitFor {
                var out: [ReasoningRun] = []
                for (r, input) in zip(reasoners, inputs) {
                    out.append(
                        try await r.run(input, profile: profile, today: today, mode: .contemplating, panel: panel, history: history))
                }
                return ChainSetRun(runs: out)
            }
        }
        let t2 = Timestamp.now()

        let info = SightlineEvent.FrameInfo(frame)
        let conclusion = Self.conclusion(of: runs.runs[0])
        let warnings = runs.warnings
        var events = [
            SightlineEvent(
                kind: .frameAnalysed, frame: info, time: time, detections: detections, conclusion: conclusion,
                warnings: warnings.isEmpty ? nil : warnings.map(\.message), image: frame)
        ]
        if let p = runs.proposal {
            let need = GroceryNeed(
                item: p.item, quantity: Double(p.quantity), unit: p.unit, reason: p.reason,
                needKey: "\(p.foodID)/\(p.day)")
            events.append(SightlineEvent(kind: .groceryNeed, frame: info, time: time, conclusion: conclusion, grocery: need))
        }
        for w in warnings where !warned.contains(w.key) {
            events.append(SightlineEvent(kind: .warning, frame: info, time: time, conclusion: w.message, warning: Self.notice(w)))
        }
        warned = Set(warnings.map(\.key))
        for run in runs.runs {
            for food in run.consumed {
                let entry = IntakeEntry(
                    key: "\(today)/\(food.foodID)/\(food.origin)/track \(food.trackID)/\(food.time.nanoseconds)", day: today.description,
                    foodID: food.foodID, item: food.name, portions: food.portions, proteinGrams: food.proteinGrams,
                    energyKcal: food.energyKcal)
                guard recorded.insert(entry.key).inserted else { continue }
                events.append(SightlineEvent(kind: .intake, frame: info, time: time, intake: entry))
            }
        }
        var failures: [SinkFailure] = []
        for event in events { failures += sinks.dispatch(event) }
        let t3 = Timestamp.now()
        return FrameOutcome(
            frame: info, detections: detections, chains: runs, conclusion: conclusion, events: events, sinkFailures: failures,
            detectSeconds: detectSeconds, reasonSeconds: t2.seconds(since: started), actSeconds: t3.seconds(since: t2))
    }

    /// A warning as the sinks receive it.
    static func notice(_ w: Warning) -> SightlineEvent.WarningNotice {
        SightlineEvent.WarningNotice(
            key: w.key, chain: w.chain, message: w.message, rule: w.rule.name, ruleText: w.rule.text, subject: w.subject,
            profileField: w.profileField,
            frames: w.frames.map { SightlineEvent.FrameRef(origin: $0.origin, sequence: $0.frame, captureTime: $0.time) })
    }

    /// Flushes every sink (the webhook outbox, files); returns the sinks that failed.
    public func finish() -> [SinkFailure] { sinks.flushAll() }

    /// The chain's last word, as one line: the action step's rationale (what to add and why),
    /// or the step that stopped the chain.
    public static func conclusion(of run: ReasoningRun) -> String {
        run.trace.steps.last?.rationale.split(separator: "\n").first.map(String.init) ?? "no conclusion"
    }
}

extension LocalDate {
    /// The calendar date of `instant` in `zone` (Foundation's time-zone rules: a day begins at the
    /// zone's midnight, daylight saving included).
    public init(_ instant: Date, in zone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        self = LocalDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}
