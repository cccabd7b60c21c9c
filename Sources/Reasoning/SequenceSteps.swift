import SightlineCore

// MARK: - sequence

/// Turns the tracker's remembered events (see ``Tracker``) into facts: one per event, of kind
/// `appeared`, `disappeared`, `takenOut` or `putBack`, with the track's frames as evidence.
/// `kinds` chooses which (default all), `labels` restricts them to some labels (default all),
/// `foodOnly` (default true) to labels the knowledge base names.
struct SequenceStep: ReasoningStep {
    let id: String
    let type = "sequence"
    let kinds: [SequenceEventKind]
    let labels: Set<String>
    let foodOnly: Bool

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        var kinds: [SequenceEventKind] = []
        for (k, name) in try p.strings("kinds", default: SequenceEventKind.allCases.map(\.rawValue)).enumerated() {
            guard let kind = SequenceEventKind(rawValue: name) else {
                throw p.invalid(
                    "kinds",
                    "entry \(k) is \"\(name)\", not an event kind (known: \(SequenceEventKind.allCases.map(\.rawValue).joined(separator: ", ")))"
                )
            }
            kinds.append(kind)
        }
        self.kinds = kinds
        labels = Set(try p.strings("labels", default: []))
        foodOnly = try p.bool("foodOnly", default: true)
    }

    static func ruleText(_ kind: SequenceEventKind) -> String {
        switch kind {
        case .appeared:
            return "a track (same label, IoU with its predicted box ≥ the tracker's minIoU) seen in confirmFrames frames is confirmed"
        case .disappeared:
            return "a confirmed track missing for maxMissedFrames + 1 frames whose last box was inside the frame and the storage region"
        case .takenOut:
            return
                "a confirmed track missing for maxMissedFrames + 1 frames whose last box touched the frame edge (within edgeMargin) or had its centre outside the storage box"
        case .putBack:
            return
                "a new track of a taken-out item's label, confirmed within putBackSeconds of the item's last sighting, with its centre in the storage region"
        case .storageInView:
            return "the storage region (a storageLabels box) seen in confirmFrames frames, misses of up to maxMissedFrames tolerated"
        case .storageOutOfView: return "the storage region, after being in view, missing for maxMissedFrames + 1 frames"
        }
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        var facts: [Fact] = []
        for e in c.sequence
        where kinds.contains(e.kind) && (labels.isEmpty || labels.contains(e.track.label))
            && (!foodOnly || c.knowledge.food(forLabel: e.track.label) != nil)
        {
            facts.append(Self.fact(e, step: id))
        }
        let counts = SequenceEventKind.allCases.compactMap { k -> String? in
            let n = facts.filter { $0.kind == FactKind(k) }.count
            return n == 0 ? nil : "\(n) \(k.rawValue)"
        }
        let rationale: String
        if c.sequence.isEmpty {
            rationale = "No tracked item appeared, left or came back in the remembered frames."
        } else if counts.isEmpty {
            rationale =
                "The tracker remembers \(c.sequence.count) event(s); none is a \(kinds.map(\.rawValue).joined(separator: "/")) of "
                + (foodOnly ? "a known food" : "an item") + (labels.isEmpty ? "" : " labelled \(labels.sorted().joined(separator: "/"))")
                + "."
        } else {
            rationale = "Tracked items over the remembered frames: " + counts.joined(separator: ", ") + "."
        }
        return StepResult(inputs: [], outputs: facts, rationale: rationale)
    }

    static func fact(_ e: SequenceEvent, step: String) -> Fact {
        let t = e.track
        let first = t.sightings.first!, last = t.sightings.last!
        func at(_ s: TrackSighting) -> String { "frame \(s.frame) (\(seconds(s.timestamp)) s)" }
        let summary: String
        switch e.kind {
        case .appeared: summary = "\(t.label) (track \(t.trackID)) appeared at \(at(first))."
        case .disappeared:
            summary = "\(t.label) (track \(t.trackID)) disappeared in place: last seen at \(at(last)), missing at frame \(t.decidedAt)."
        case .takenOut:
            summary = "\(t.label) (track \(t.trackID)) was taken out: last seen leaving at \(at(last)), missing at frame \(t.decidedAt)."
        case .putBack:
            summary =
                "\(t.label) (track \(t.trackID)) was put back at \(at(first)): the taken-out track \(e.previousTrackID!) came back"
                + " (IoU \(canonicalNumber(e.overlapWithPrevious ?? 0)) with where it was)."
        case .storageInView: summary = "The \(t.label) (storage, track \(t.trackID)) came into view at \(at(first))."
        case .storageOutOfView:
            summary =
                "The \(t.label) (storage, track \(t.trackID)) went out of view: last seen at \(at(last)), missing at frame \(t.decidedAt)."
        }
        var arithmetic: String?
        if e.kind == .putBack, let prev = e.previousTrack?.sightings.last {
            arithmetic =
                "back after \(seconds(first.timestamp, since: prev.timestamp)) s (last seen \(seconds(prev.timestamp)) s, seen again \(seconds(first.timestamp)) s)"
        }
        return Fact(
            id: "\(step).\(e.kind.rawValue).\(t.trackID)", kind: FactKind(e.kind),
            value: .track(
                TrackValue(
                    event: e.kind.rawValue, trackID: t.trackID, label: t.label, time: e.time, previousTrackID: e.previousTrackID)),
            confidence: e.meanScore, summary: summary,
            evidence: Evidence(
                tracks: [t] + (e.previousTrack.map { [$0] } ?? []),
                rule: RuleEvidence(name: "sequence.\(e.kind.rawValue)", text: ruleText(e.kind)), arithmetic: arithmetic))
    }
}

extension FactKind {
    init(_ k: SequenceEventKind) {
        switch k {
        case .appeared: self = .appeared
        case .disappeared: self = .disappeared
        case .takenOut: self = .takenOut
        case .putBack: self = .putBack
        case .storageInView: self = .storageInView
        case .storageOutOfView: self = .storageOutOfView
        }
    }
}

/// Seconds of a capture time, for text: "12.5".
func seconds(_ t: Timestamp) -> String { canonicalNumber((t.seconds * 1000).rounded() / 1000) }

func seconds(_ a: Timestamp, since b: Timestamp) -> String { canonicalNumber((a.seconds(since: b) * 1000).rounded() / 1000) }

// MARK: - consumption

/// A food taken out of storage and not put back within `notBackWithinSeconds` (measured in
/// capture time, to the latest frame) was probably eaten or drunk: `portions` typical portions of
/// it (from the knowledge base) count towards today's intake, as a new `proteinEaten` fact that
/// later steps use instead of the health step's. A taken-out food still within the time is
/// pending; one put back counts nothing. `labels` restricts it to some labels (default: any
/// label the knowledge base names).
struct ConsumptionStep: ReasoningStep {
    let id: String
    let type = "consumption"
    let within: Double
    let portions: Double
    let labels: Set<String>

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        within = try p.double("notBackWithinSeconds", default: 120, in: 0...86_400)
        portions = try p.double("portions", default: 1, in: 0.1...10)
        let labels = try p.strings("labels", default: [])
        for (k, l) in labels.enumerated() where knowledge.food(forLabel: l) == nil {
            throw p.invalid("labels", "entry \(k) is \"\(l)\", which no food of the knowledge base names")
        }
        self.labels = Set(labels)
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        guard let eatenFact = c.fact(.proteinEaten), let eaten = eatenFact.gramsValue else {
            throw ReasoningError(
                .run, file: "", message: "step \"\(id)\" (consumption) needs today's intake: put a health step before it")
        }
        let now = c.observations.last?.timestamp ?? Timestamp(nanoseconds: 0)
        let backs = c.facts(.putBack)
        var consumed: [Fact] = []
        var pending: [String] = [], returned: [String] = []
        var inputs: [String] = []
        for out in c.facts(.takenOut) {
            guard case .track(let v) = out.value, labels.isEmpty || labels.contains(v.label),
                let food = c.knowledge.food(forLabel: v.label)
            else { continue }
            inputs.append(out.id)
            if let back = backs.first(where: {
                if case .track(let b) = $0.value { return b.previousTrackID == v.trackID }; return false
            }) {
                inputs.append(back.id)
                returned.append("\(v.label) (track \(v.trackID), \(back.id))")
                continue
            }
            let away = now.seconds(since: v.time)
            guard away >= within else {
                pending.append(
                    "\(v.label) (track \(v.trackID), out for \(canonicalNumber((away * 1000).rounded() / 1000)) s of \(canonicalNumber(within)))"
                )
                continue
            }
            let g = round2(portions * food.proteinPerPortion)
            consumed.append(
                Fact(
                    id: "\(id).\(idPart(food.id)).\(v.trackID)", kind: .consumed, value: .grams(g), confidence: out.confidence,
                    summary:
                        "The wearer probably had \(canonicalNumber(portions)) × \(food.portionDescription) of \(food.name): taken out (track \(v.trackID)) and not put back within \(canonicalNumber(within)) s; \(grams(g)) g protein.",
                    evidence: Evidence(
                        knowledge: [food.evidence], facts: [out.id], tracks: out.evidence.tracks,
                        rule: RuleEvidence(
                            name: "consumption.not-put-back",
                            text:
                                "a food taken out and not put back within \(canonicalNumber(within)) s was eaten or drunk: \(canonicalNumber(portions)) typical portion(s)"
                        ),
                        arithmetic:
                            "out for \(canonicalNumber((away * 1000).rounded() / 1000)) s ≥ \(canonicalNumber(within)) s; \(canonicalNumber(portions)) × \(grams(food.proteinPerPortion)) g = \(grams(g)) g"
                    )))
        }
        var facts = consumed
        var eatenFoods: [ConsumedFood] = []
        for f in consumed {
            guard let out = c.facts.first(where: { $0.id == f.evidence.facts.first }), case .track(let v) = out.value,
                let food = c.knowledge.food(forLabel: v.label)
            else { continue }
            eatenFoods.append(
                ConsumedFood(
                    fact: f.id, foodID: food.id, name: food.name, label: v.label, trackID: v.trackID, portions: portions,
                    proteinGrams: f.gramsValue ?? 0, energyKcal: round2(portions * food.energyKcalPer100g * food.portionGrams / 100),
                    time: v.time, origin: out.evidence.tracks.first?.sightings.last?.origin ?? ""))
        }
        if !consumed.isEmpty {
            let extra = round2(consumed.reduce(0) { $0 + ($1.gramsValue ?? 0) })
            let total = round2(eaten + extra)
            facts.append(
                Fact(
                    id: "\(id).proteinEaten", kind: .proteinEaten, value: .grams(total),
                    confidence: min(eatenFact.confidence, consumed.map(\.confidence).min() ?? 1),
                    summary: "Protein eaten today, with what was taken from storage: \(grams(total)) g.",
                    evidence: Evidence(
                        facts: [eatenFact.id] + consumed.map(\.id),
                        rule: RuleEvidence(name: "consumption.intake", text: "eaten = recorded intake + what the frames show was consumed"),
                        arithmetic: "\(grams(eaten)) + " + consumed.map { grams($0.gramsValue ?? 0) }.joined(separator: " + ")
                            + " = \(grams(total)) g"
                    )))
            inputs.insert(eatenFact.id, at: 0)
        }
        var parts: [String] = []
        if !consumed.isEmpty {
            parts.append(
                "\(consumed.count) food(s) taken out and not put back: intake rises to \(facts.last!.summary.split(separator: ":").last!.trimmingCharacters(in: .whitespaces))"
            )
        }
        if !pending.isEmpty { parts.append("still waiting for \(pending.joined(separator: ", ")) to come back") }
        if !returned.isEmpty { parts.append("put back: \(returned.joined(separator: ", "))") }
        let rationale =
            parts.isEmpty
            ? "No food was taken out of storage."
            : parts.joined(separator: "; ").prefix(1).uppercased() + parts.joined(separator: "; ").dropFirst()
                + (parts.last!.hasSuffix(".") ? "" : ".")
        var result = StepResult(inputs: inputs, outputs: facts, rationale: rationale)
        result.consumed = eatenFoods
        return result
    }
}
