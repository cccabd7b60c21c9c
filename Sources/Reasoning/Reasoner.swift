import SightlineCore

/// Runs a chain of steps over the detector's observations for one wearer and day.
///
/// ```swift
/// let chain = try ChainDefinition.load(path: "Models/chains/fridge.json")
/// let knowledge = try NutritionKnowledge.load(path: "Models/nutrition.json")
/// let reasoner = try Reasoner(chain: chain, knowledge: knowledge)
/// let run = try reasoner.run(observations: frames, profile: profile, today: LocalDate("2026-11-22")!)
/// run.proposal        // GroceryProposal? for the actions layer
/// run.trace.jsonText  // deterministic JSON
/// run.trace.text      // the chain of thought
/// ```
///
/// The reasoner does no I/O and never reads the clock: the same inputs give a byte-identical trace.
public struct Reasoner: Sendable {
    public let chain: ChainDefinition
    public let knowledge: NutritionKnowledge
    let steps: [any ReasoningStep]

    /// Builds the chain's steps from `registry`; an unknown step type or a bad parameter is an
    /// error naming the chain file, the step index and the field.
    public init(chain: ChainDefinition, knowledge: NutritionKnowledge, registry: StepRegistry = .standard) throws(ReasoningError) {
        self.chain = chain
        self.knowledge = knowledge
        steps = try registry.build(chain, knowledge: knowledge)
    }

    /// Runs every step in order. The observations may come in any order (they are sorted by
    /// sequence number), and the detections within a frame in any order. A fresh ``Tracker``
    /// (the chain's `tracking` settings) follows items over these observations, so the sequence
    /// steps see what happened in them; to keep tracking across calls, use a ``ReasoningSession``.
    public func run(
        observations: [Observation], profile: Profile, today: LocalDate, history: IntakeHistory = .none
    ) throws(ReasoningError) -> ReasoningRun {
        let sorted = Self.sorted(observations)
        var tracker = Tracker(chain.tracking)
        for o in sorted { tracker.update(o) }
        return try run(
            sorted: sorted, sequence: tracker.events, storage: tracker.storageInView, profile: profile, today: today, history: history)
    }

    static func sorted(_ observations: [Observation]) -> [Observation] {
        observations.enumerated().sorted { a, b in
            a.element.sequence != b.element.sequence ? a.element.sequence < b.element.sequence : a.offset < b.offset
        }.map(\.element)
    }

    /// Runs the steps over observations already in sequence order, with the tracker's events.
    func run(
        sorted: [Observation], sequence: [SequenceEvent], storage: TrackEvidence? = nil, profile: Profile, today: LocalDate,
        history: IntakeHistory = .none
    ) throws(ReasoningError) -> ReasoningRun {
        var state = try RunState(
            self, sorted: sorted, sequence: sequence, storage: storage, profile: profile, today: today, history: history)
        for k in steps.indices { try state.record(k, try state.attempt(k) { c throws(ReasoningError) in try steps[k].run(c) }) }
        return state.finish(sorted)
    }

    /// Runs the chain in `mode`. Quick is ``run(observations:profile:today:)``. Contemplating
    /// decides a step marked `contemplate` with the specialists of `panel`, in parallel (see
    /// docs/reasoning.md); the trace then holds the debate (``Trace/contemplation``).
    public func run(
        observations: [Observation], profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel,
        history: IntakeHistory = .none
    ) async throws(ReasoningError) -> ReasoningRun {
        let sorted = Self.sorted(observations)
        var tracker = Tracker(chain.tracking)
        for o in sorted { tracker.update(o) }
        return try await run(
            sorted: sorted, sequence: tracker.events, storage: tracker.storageInView, profile: profile, today: today, mode: mode,
            panel: panel, history: history)
    }

    func run(
        sorted: [Observation], sequence: [SequenceEvent], storage: TrackEvidence? = nil, profile: Profile, today: LocalDate,
        mode: ReasoningMode, panel: SpecialistPanel,
        history: IntakeHistory = .none
    ) async throws(ReasoningError) -> ReasoningRun {
        guard mode == .contemplating else {
            return try run(sorted: sorted, sequence: sequence, storage: storage, profile: profile, today: today, history: history)
        }
        var state = try RunState(
            self, sorted: sorted, sequence: sequence, storage: storage, profile: profile, today: today, history: history)
        for k in steps.indices {
            if let action = steps[k] as? ActionStep, let settings = action.contemplate {
                let context = state.context
                let outcome: (StepResult, ContemplationRecord)
                do { outcome = try await action.contemplate(context, settings, panel: panel) } catch { throw state.located(error, k) }
                try state.record(k, outcome.0)
                state.contemplation = outcome.1
            } else {
                try state.record(k, try state.attempt(k) { c throws(ReasoningError) in try steps[k].run(c) })
            }
        }
        return state.finish(sorted)
    }

    /// The state of a run between steps.
    struct RunState {
        let reasoner: Reasoner
        var context: StepContext
        var traces: [StepTrace] = []
        var proposal: GroceryProposal?
        var warnings: [Warning]?
        var consumed: [ConsumedFood] = []
        var contemplation: ContemplationRecord?
        let profile: Profile
        let today: LocalDate

        init(
            _ r: Reasoner, sorted: [Observation], sequence: [SequenceEvent], storage: TrackEvidence? = nil, profile: Profile,
            today: LocalDate, history: IntakeHistory
        ) throws(ReasoningError) {
            try profile.validate()
            reasoner = r
            self.profile = profile
            self.today = today
            context = StepContext(
                observations: sorted, knowledge: r.knowledge, profile: profile, today: today, facts: [], sequence: sequence)
            context.history = history
            context.storage = storage
            if r.steps.contains(where: \.warns) { warnings = [] }
        }

        /// An error of step `k`, naming the chain file and the step.
        func located(_ error: ReasoningError, _ k: Int) -> ReasoningError {
            var e = error
            if e.file.isEmpty { e.file = reasoner.chain.file }
            e.stepIndex = k
            return e
        }

        func attempt(_ k: Int, _ body: (StepContext) throws(ReasoningError) -> StepResult) throws(ReasoningError) -> StepResult {
            do { return try body(context) } catch { throw located(error, k) }
        }

        mutating func record(_ k: Int, _ result: StepResult) throws(ReasoningError) {
            let step = reasoner.steps[k]
            context.facts += result.outputs
            traces.append(
                StepTrace(
                    index: k, id: step.id, type: step.type, inputs: result.inputs, outputs: result.outputs, rationale: result.rationale))
            if let p = result.proposal { proposal = p }
            consumed += result.consumed
            let chain = reasoner.chain.name
            warnings? += result.warnings.map { w in
                var w = w
                (w.chain, w.key) = (chain, chain + "/" + w.fact)
                return w
            }
        }

        func finish(_ sorted: [Observation]) -> ReasoningRun {
            let c = reasoner.chain
            return ReasoningRun(
                trace: Trace(
                    chain: c.name, chainFile: c.file, today: today, profileName: profile.name, profileSource: profile.source,
                    frames: sorted.map(\.sequence), steps: traces, decision: proposal, contemplation: contemplation,
                    warnings: warnings), consumed: consumed)
        }
    }
}

/// The reasoner over a stream: keeps the last `window` observations for the steps, and a
/// ``Tracker`` that follows items over **every** frame observed (not only the window), so the
/// sequence steps know what was taken out a minute ago. One session per stream; feed frames in
/// sequence order.
///
/// ```swift
/// var session = ReasoningSession(reasoner: reasoner, window: 5)
/// for frame in frames { let run = try session.observe(frame, profile: profile, today: today) }
/// ```
public struct ReasoningSession: Sendable {
    public let reasoner: Reasoner
    public let window: Int
    public private(set) var recent: [Observation] = []
    public private(set) var tracker: Tracker

    public init(reasoner: Reasoner, window: Int = 5) {
        self.reasoner = reasoner
        self.window = max(1, window)
        tracker = Tracker(reasoner.chain.tracking)
    }

    /// Adds one frame (to the tracker and the window) and runs the chain over the window.
    /// A frame older than the latest one is reasoned over but does not move the tracker.
    public mutating func observe(
        _ o: Observation, profile: Profile, today: LocalDate, history: IntakeHistory = .none
    ) throws(ReasoningError) -> ReasoningRun {
        let input = record(o)
        return try reasoner.run(
            sorted: input.observations, sequence: input.sequence, storage: input.storage, profile: profile, today: today, history: history)
    }

    /// The same in `mode` (contemplating asks the specialists of `panel`).
    public mutating func observe(
        _ o: Observation, profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel,
        history: IntakeHistory = .none
    ) async throws(ReasoningError) -> ReasoningRun {
        let input = record(o)
        return try await reasoner.run(
            sorted: input.observations, sequence: input.sequence, storage: input.storage, profile: profile, today: today, mode: mode,
            panel: panel,
            history: history)
    }

    /// Adds one frame to the tracker and the window, and returns what the chain reasons over
    /// (for a caller that runs the chain itself, e.g. on another task).
    public mutating func record(_ o: Observation) -> ReasonerInput {
        tracker.update(o)
        recent.append(o)
        recent = Reasoner.sorted(recent)
        if recent.count > window { recent.removeFirst(recent.count - window) }
        return ReasonerInput(observations: recent, sequence: tracker.events, storage: tracker.storageInView)
    }
}

/// What one run of the chain reads: the window of observations (in sequence order) and the
/// tracker's remembered events.
public struct ReasonerInput: Sendable {
    public var observations: [Observation]
    public var sequence: [SequenceEvent]
    /// The storage region while it is in view (a tracker that follows the storage).
    public var storage: TrackEvidence?
}

extension Reasoner {
    /// Runs the chain on an input a ``ReasoningSession`` recorded.
    public func run(
        _ input: ReasonerInput, profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel,
        history: IntakeHistory = .none
    ) async throws(ReasoningError) -> ReasoningRun {
        try await run(
            sorted: input.observations, sequence: input.sequence, storage: input.storage, profile: profile, today: today, mode: mode,
            panel: panel,
            history: history)
    }
}

/// The outcome of a run: the trace and the decision in it.
public struct ReasoningRun: Sendable, Equatable {
    public var trace: Trace
    /// Food the frames show eaten (its facts are in the trace), for the journal.
    public var consumed: [ConsumedFood] = []
    /// What to add to the grocery list, or nil when no action is needed.
    public var proposal: GroceryProposal? { trace.decision }
}

// MARK: - JSON

extension Trace {
    /// The trace as canonical JSON (format `sightline-trace/1`; sorted keys, fixed number format):
    /// the same inputs give the same bytes. The shape is the types' `Encodable` conformances
    /// (TraceEncoding.swift), written by ``CanonicalJSON``.
    public var jsonText: String { (try? CanonicalJSON.text(self)) ?? "null\n" }
}
