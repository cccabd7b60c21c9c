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
    public func run(observations: [Observation], profile: Profile, today: LocalDate) throws(ReasoningError) -> ReasoningRun {
        let sorted = Self.sorted(observations)
        var tracker = Tracker(chain.tracking)
        for o in sorted { tracker.update(o) }
        return try run(sorted: sorted, sequence: tracker.events, profile: profile, today: today)
    }

    static func sorted(_ observations: [Observation]) -> [Observation] {
        observations.enumerated().sorted { a, b in
            a.element.sequence != b.element.sequence ? a.element.sequence < b.element.sequence : a.offset < b.offset
        }.map(\.element)
    }

    /// Runs the steps over observations already in sequence order, with the tracker's events.
    func run(sorted: [Observation], sequence: [SequenceEvent], profile: Profile, today: LocalDate) throws(ReasoningError)
        -> ReasoningRun
    {
        var state = try RunState(self, sorted: sorted, sequence: sequence, profile: profile, today: today)
        for k in steps.indices { try state.record(k, try state.attempt(k) { c throws(ReasoningError) in try steps[k].run(c) }) }
        return state.finish(sorted)
    }

    /// Runs the chain in `mode`. Quick is ``run(observations:profile:today:)``. Contemplating
    /// decides a step marked `contemplate` with the specialists of `panel`, in parallel (see
    /// docs/reasoning.md); the trace then holds the debate (``Trace/contemplation``).
    public func run(
        observations: [Observation], profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel
    ) async throws(ReasoningError) -> ReasoningRun {
        let sorted = Self.sorted(observations)
        var tracker = Tracker(chain.tracking)
        for o in sorted { tracker.update(o) }
        return try await run(sorted: sorted, sequence: tracker.events, profile: profile, today: today, mode: mode, panel: panel)
    }

    func run(
        sorted: [Observation], sequence: [SequenceEvent], profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel
    ) async throws(ReasoningError) -> ReasoningRun {
        guard mode == .contemplating else { return try run(sorted: sorted, sequence: sequence, profile: profile, today: today) }
        var state = try RunState(self, sorted: sorted, sequence: sequence, profile: profile, today: today)
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
        var contemplation: ContemplationRecord?
        let profile: Profile
        let today: LocalDate

        init(_ r: Reasoner, sorted: [Observation], sequence: [SequenceEvent], profile: Profile, today: LocalDate) throws(ReasoningError) {
            try profile.validate()
            reasoner = r
            self.profile = profile
            self.today = today
            context = StepContext(
                observations: sorted, knowledge: r.knowledge, profile: profile, today: today, facts: [], sequence: sequence)
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
        }

        func finish(_ sorted: [Observation]) -> ReasoningRun {
            let c = reasoner.chain
            return ReasoningRun(
                trace: Trace(
                    chain: c.name, chainFile: c.file, today: today, profileName: profile.name, profileSource: profile.source,
                    frames: sorted.map(\.sequence), steps: traces, decision: proposal, contemplation: contemplation))
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
    public mutating func observe(_ o: Observation, profile: Profile, today: LocalDate) throws(ReasoningError) -> ReasoningRun {
        let input = record(o)
        return try reasoner.run(sorted: input.observations, sequence: input.sequence, profile: profile, today: today)
    }

    /// The same in `mode` (contemplating asks the specialists of `panel`).
    public mutating func observe(
        _ o: Observation, profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel
    ) async throws(ReasoningError) -> ReasoningRun {
        let input = record(o)
        return try await reasoner.run(
            sorted: input.observations, sequence: input.sequence, profile: profile, today: today, mode: mode, panel: panel)
    }

    /// Adds one frame to the tracker and the window, and returns what the chain reasons over
    /// (for a caller that runs the chain itself, e.g. on another task).
    public mutating func record(_ o: Observation) -> ReasonerInput {
        tracker.update(o)
        recent.append(o)
        recent = Reasoner.sorted(recent)
        if recent.count > window { recent.removeFirst(recent.count - window) }
        return ReasonerInput(observations: recent, sequence: tracker.events)
    }
}

/// What one run of the chain reads: the window of observations (in sequence order) and the
/// tracker's remembered events.
public struct ReasonerInput: Sendable {
    public var observations: [Observation]
    public var sequence: [SequenceEvent]
}

extension Reasoner {
    /// Runs the chain on an input a ``ReasoningSession`` recorded.
    public func run(_ input: ReasonerInput, profile: Profile, today: LocalDate, mode: ReasoningMode, panel: SpecialistPanel)
        async throws(ReasoningError) -> ReasoningRun
    {
        try await run(sorted: input.observations, sequence: input.sequence, profile: profile, today: today, mode: mode, panel: panel)
    }
}

/// The outcome of a run: the trace and the decision in it.
public struct ReasoningRun: Sendable, Equatable {
    public var trace: Trace
    /// What to add to the grocery list, or nil when no action is needed.
    public var proposal: GroceryProposal? { trace.decision }
}

// MARK: - JSON

extension Trace {
    /// The trace as canonical JSON (format `sightline-trace/1`; sorted keys, fixed number format):
    /// the same inputs give the same bytes.
    public var jsonText: String { json.canonicalText() }

    public var json: JSONValue {
        .object(
            [
                "format": .string("sightline-trace/1"),
                "chain": .object(["name": .string(chain), "file": .string(chainFile)]),
                "today": .string(today.description),
                "profile": .object(["name": .string(profileName), "source": .string(profileSource)]),
                "frames": .array(frames.map { .number(Double($0)) }),
                "steps": .array(steps.map(\.json)),
                "decision": decision?.json ?? .null,
            ].merging(contemplation.map { ["contemplation": $0.json] } ?? [:]) { a, _ in a })
    }
}

extension ContemplationRecord {
    var json: JSONValue {
        .object([
            "step": .string(step), "timeoutSeconds": .number(timeoutSeconds),
            "specialists": .array(
                specialists.map { r in
                    var o: [String: JSONValue] = ["specialist": .string(r.specialist), "status": .string(r.status.rawValue)]
                    if let d = r.detail { o["detail"] = .string(d) }
                    if let op = r.opinion {
                        o["coveredGrams"] = .number(op.coveredGrams)
                        o["notes"] = .array(op.notes.map(JSONValue.string))
                        o["proposals"] = .array(
                            op.proposals.map { p in
                                .object([
                                    "foodID": .string(p.foodID), "stance": .string(p.stance.rawValue),
                                    "quantity": p.quantity.map { .number(Double($0)) } ?? .null, "confidence": .number(p.confidence),
                                    "reason": .string(p.reason),
                                ])
                            })
                    }
                    return .object(o)
                }),
            "coveredGrams": .number(coveredGrams), "remainingDeficitGrams": .number(remainingDeficit),
            "candidates": .array(
                candidates.map { a in
                    .object([
                        "foodID": .string(a.foodID), "score": .number(a.score), "support": .array(a.support.map(JSONValue.string)),
                        "vetoes": .array(a.vetoes.map(JSONValue.string)), "quantity": a.quantity.map { .number(Double($0)) } ?? .null,
                    ])
                }),
            "winner": winner.map(JSONValue.string) ?? .null, "why": .string(why), "confidence": .number(confidence),
        ])
    }

    /// The debate as text: each specialist (sorted by id) and what it proposed or why it was not
    /// heard, then how the synthesiser weighed the candidates and why one won.
    var text: String {
        var out =
            "\nContemplation of step \"\(step)\": \(specialists.count) specialist(s) in parallel, \(canonicalNumber(timeoutSeconds)) s each.\n"
        for r in specialists {
            switch r.status {
            case .answered: out += "  - \(r.specialist): answered. \(r.opinion?.notes.joined(separator: "; ") ?? "")\n"
            case .failed: out += "  - \(r.specialist): FAILED: \(r.detail ?? "")\n"
            case .timedOut: out += "  - \(r.specialist): TIMED OUT: \(r.detail ?? "")\n"
            }
            for p in r.opinion?.proposals ?? [] {
                let q = p.quantity.map { " × \($0)" } ?? ""
                out +=
                    "      \(p.stance == .veto ? "vetoes" : "supports") \(p.foodID)\(q) (\(canonicalNumber(p.confidence))): \(p.reason)\n"
            }
        }
        if !candidates.isEmpty {
            out += "  Synthesis: remaining deficit \(grams(remainingDeficit)) g (\(grams(coveredGrams)) g already on the list).\n"
            for a in candidates {
                out +=
                    a.vetoes.isEmpty
                    ? "      \(a.foodID): score \(canonicalNumber(a.score)) (\(a.support.joined(separator: ", ")))\(a.quantity.map { ", \($0) portion(s)" } ?? "")\n"
                    : "      \(a.foodID): out (\(a.vetoes.joined(separator: "; ")))\n"
            }
        }
        out += "  Outcome: \(winner.map { "\($0) wins" } ?? "no purchase"): \(why); confidence \(canonicalNumber(confidence)).\n"
        return out
    }
}

extension StepTrace {
    var json: JSONValue {
        .object([
            "index": .number(Double(index)), "id": .string(id), "type": .string(type),
            "inputs": .array(inputs.map(JSONValue.string)), "outputs": .array(outputs.map(\.json)),
            "rationale": .string(rationale),
        ])
    }
}

extension GroceryProposal {
    public var json: JSONValue {
        .object([
            "item": .string(item), "foodID": .string(foodID), "quantity": .number(Double(quantity)), "unit": .string(unit),
            "reason": .string(reason), "factIDs": .array(factIDs.map(JSONValue.string)), "deficitGrams": .number(deficitGrams),
            "day": .string(day),
        ])
    }
}

extension Fact {
    public var json: JSONValue {
        .object([
            "id": .string(id), "kind": .string(kind.rawValue), "value": value.json, "confidence": .number(confidence),
            "summary": .string(summary), "evidence": evidence.json,
        ])
    }
}

extension FactValue {
    var json: JSONValue {
        switch self {
        case .flag(let b): return .object(["type": .string("flag"), "value": .bool(b)])
        case .grams(let g): return .object(["type": .string("grams"), "value": .number(g), "unit": .string("g")])
        case .labels(let l): return .object(["type": .string("labels"), "value": .array(l.map(JSONValue.string))])
        case .text(let t): return .object(["type": .string("text"), "value": .string(t)])
        case .item(let v):
            return .object([
                "type": .string("item"), "label": .string(v.label), "count": .number(Double(v.count)),
                "framesSeen": .number(Double(v.framesSeen)), "windowFrames": .number(Double(v.windowFrames)),
            ])
        case .food(let v):
            return .object([
                "type": .string("food"), "foodID": .string(v.foodID), "name": .string(v.name), "label": .string(v.label),
                "count": .number(Double(v.count)), "portion": .string(v.portionName), "portionGrams": .number(v.portionGrams),
                "proteinPerPortionGrams": .number(v.proteinPerPortionGrams), "tags": .array(v.tags.map(JSONValue.string)),
            ])
        case .track(let v):
            var o: [String: JSONValue] = [
                "type": .string("track"), "event": .string(v.event), "trackID": .number(Double(v.trackID)),
                "label": .string(v.label), "time": .number(v.time.seconds),
            ]
            if let p = v.previousTrackID { o["previousTrackID"] = .number(Double(p)) }
            return .object(o)
        }
    }
}

extension Evidence {
    var json: JSONValue {
        var o: [String: JSONValue] = [:]
        if !detections.isEmpty {
            o["detections"] = .array(
                detections.map { d in
                    var e: [String: JSONValue] = [
                        "label": .string(d.label), "score": .number(d.score), "frame": .number(Double(d.frame)),
                        "origin": .string(d.origin), "box": d.box.json,
                    ]
                    if let model = d.model { e["model"] = .string(model) }
                    return .object(e)
                })
        }
        if !knowledge.isEmpty {
            o["knowledge"] = .array(
                knowledge.map { k in
                    .object([
                        "foodID": .string(k.foodID), "name": .string(k.name), "fdcID": k.fdcID.map { .number(Double($0)) } ?? .null,
                        "ndbNumber": k.ndbNumber.map(JSONValue.string) ?? .null, "sourceDescription": .string(k.sourceDescription),
                        "figures": .string(k.figures),
                    ])
                })
        }
        if !profile.isEmpty {
            o["profile"] = .array(
                profile.map { .object(["field": .string($0.field), "value": .string($0.value), "source": .string($0.source)]) })
        }
        if !facts.isEmpty { o["facts"] = .array(facts.map(JSONValue.string)) }
        if !tracks.isEmpty { o["tracks"] = .array(tracks.map(\.json)) }
        if let rule { o["rule"] = .object(["name": .string(rule.name), "text": .string(rule.text)]) }
        if let arithmetic { o["arithmetic"] = .string(arithmetic) }
        return .object(o)
    }
}

extension TrackEvidence {
    var json: JSONValue {
        .object([
            "trackID": .number(Double(trackID)), "label": .string(label), "decidedAt": .number(Double(decidedAt)),
            "decidedTime": .number(decidedTime.seconds),
            "sightings": .array(
                sightings.map { s in
                    .object([
                        "frame": .number(Double(s.frame)), "time": .number(s.timestamp.seconds), "origin": .string(s.origin),
                        "score": .number(s.score), "box": s.box.json,
                    ])
                }),
        ])
    }
}

extension Rect {
    var json: JSONValue {
        .object([
            "x": .number(round2(Double(x))), "y": .number(round2(Double(y))), "width": .number(round2(Double(width))),
            "height": .number(round2(Double(height))),
        ])
    }
}

// MARK: - Text

extension Trace {
    /// The chain of thought as text a person reads: each step, its conclusions and why.
    public var text: String {
        var out = "Chain \"\(chain)\"" + (chainFile.isEmpty ? "" : " (\(chainFile))") + " for \(profileName) on \(today)"
        out += frames.isEmpty ? ", no frames.\n" : ", \(frames.count) frame(s) (\(frames.first!)…\(frames.last!)).\n"
        for s in steps {
            out += "\n\(s.index + 1). \(s.id) [\(s.type)]: \(s.rationale)\n"
            for f in s.outputs {
                out += "   - \(f.summary) [\(f.id), confidence \(canonicalNumber(f.confidence))]\n"
                if let a = f.evidence.arithmetic { out += "       = \(a)\n" }
                if let r = f.evidence.rule { out += "       rule \(r.name): \(r.text)\n" }
                for k in f.evidence.knowledge {
                    let src = k.fdcID.map { "FDC \($0)" } ?? k.ndbNumber.map { "USDA SR NDB \($0)" } ?? "USDA FoodData Central"
                    out += "       source: \(k.sourceDescription) (\(src)): \(k.figures)\n"
                }
                for p in f.evidence.profile { out += "       \(p.field) = \(p.value) (\(p.source))\n" }
                if !f.evidence.detections.isEmpty {
                    let shown = f.evidence.detections.prefix(4).map { d in
                        "\(d.label) \(canonicalNumber(d.score))\(d.model.map { " by \($0)" } ?? "") at (\(Int(d.box.x)),\(Int(d.box.y)) \(Int(d.box.width))x\(Int(d.box.height))) frame \(d.frame)"
                    }
                    let more = f.evidence.detections.count > 4 ? " and \(f.evidence.detections.count - 4) more" : ""
                    out += "       seen: \(shown.joined(separator: "; "))\(more)\n"
                }
                for t in f.evidence.tracks {
                    let shown = t.sightings.map { s in
                        "frame \(s.frame) at \(seconds(s.timestamp)) s (\(Int(s.box.x)),\(Int(s.box.y)) \(Int(s.box.width))x\(Int(s.box.height))) \(canonicalNumber(s.score))"
                    }
                    out += "       track \(t.trackID) \(t.label): \(shown.joined(separator: "; ")); decided at frame \(t.decidedAt)\n"
                }
            }
        }
        if let c = contemplation { out += c.text }
        if let d = decision {
            out += "\nDecision: add \(d.quantity) × \(d.unit) of \(d.item) to the grocery list. \(d.reason)\n"
        } else {
            out += "\nDecision: no action.\n"
        }
        return out
    }
}
