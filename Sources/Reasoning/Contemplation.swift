import SightlineCore

/// How hard the reasoner thinks. `quick`: the chain alone. `contemplating`: a step the chain
/// marks with `contemplate` is decided by a panel of specialists that deliberate in parallel.
public enum ReasoningMode: String, Sendable, CaseIterable, Codable {
    case quick, contemplating
}

/// The `contemplate` block of an action step: which specialists sit on the panel, how long each
/// may take, and the portion cap the portion specialist applies.
struct ContemplationSettings: Sendable, Equatable {
    var specialists: [String]
    var timeoutSeconds: Double
    var maxPortions: Int

    init?(_ p: inout StepParameters) throws(ReasoningError) {
        guard var r = try p.object("contemplate") else { return nil }
        do throws(FieldError) {
            let ids = try r.strings("specialists", default: SpecialistPanel.standardIDs)
            guard !ids.isEmpty else {
                throw FieldError(path: r.fieldPath("specialists"), message: "is empty: name at least one specialist")
            }
            for (k, id) in ids.enumerated() where !SpecialistPanel.standardIDs.contains(id) {
                throw FieldError(
                    path: r.fieldPath("specialists") + "[\(k)]",
                    message: "unknown specialist \"\(id)\" (known: \(SpecialistPanel.standardIDs.joined(separator: ", ")))")
            }
            guard Set(ids).count == ids.count else {
                throw FieldError(path: r.fieldPath("specialists"), message: "names a specialist twice")
            }
            specialists = ids.sorted()
            timeoutSeconds = try r.double("timeoutSeconds", default: 2, in: 0.001...60)
            maxPortions = try r.int("maxPortions", default: 3, in: 1...20)
            _ = try r.optionalString("note")
            try r.finish()
        } catch { throw p.wrap(error) }
    }
}

/// What the specialists deliberate over: the chain's facts up to the contemplated step (the same
/// immutable values for every specialist), the candidates, the deficit and the wearer.
public struct Deliberation: Sendable {
    /// The contemplated step's id.
    public let step: String
    public let facts: [Fact]
    public let knowledge: NutritionKnowledge
    public let profile: Profile
    public let today: LocalDate
    /// The step's candidate foods, in the chain's order.
    public let candidates: [FoodEntry]
    public let deficitFact: Fact
    public let deficit: Double
    public let maxPortions: Int

    public func facts(_ kind: FactKind) -> [Fact] { facts.filter { $0.kind == kind } }
}

/// One specialist's view of one candidate.
public struct SpecialistProposal: Sendable, Equatable {
    public enum Stance: String, Sendable, Codable { case support, veto }
    public var foodID: String
    public var stance: Stance
    /// The most portions this specialist would buy (nutrition: what covers the deficit; portion:
    /// its cap); nil when it has no view on the amount.
    public var quantity: Int?
    public var confidence: Double
    public var reason: String

    public init(foodID: String, stance: Stance, quantity: Int? = nil, confidence: Double, reason: String) {
        self.foodID = foodID
        self.stance = stance
        self.quantity = quantity
        self.confidence = round4(min(1, max(0, confidence)))
        self.reason = reason
    }
}

/// What a specialist concluded: its proposals, protein the wearer already has coming that the
/// chain did not count (e.g. on the grocery list), and its own trace.
public struct SpecialistOpinion: Sendable, Equatable, Encodable {
    public var proposals: [SpecialistProposal]
    public var coveredGrams: Double
    public var notes: [String]

    public init(proposals: [SpecialistProposal], coveredGrams: Double = 0, notes: [String]) {
        self.proposals = proposals
        self.coveredGrams = round2(coveredGrams)
        self.notes = notes
    }
}

/// A specialist reasoner of the contemplating panel. It reads the ``Deliberation`` (and, for the
/// pantry, the grocery list) and returns an opinion; it may throw, and it should honour task
/// cancellation (it is cancelled when it exceeds its time budget).
public protocol Specialist: Sendable {
    var id: String { get }
    /// The factor the decision's confidence is multiplied by when this specialist is not heard.
    var confidenceIfMissing: Double { get }
    func deliberate(_ d: Deliberation) async throws -> SpecialistOpinion
}

/// A line of the grocery list as the pantry specialist sees it.
public struct ListedGroceryItem: Sendable, Equatable {
    public var name: String
    public var quantity: Double
    public var unit: String
    /// The need keys that added to it (`greek_yogurt/2026-11-22`: knowledge id / day).
    public var needKeys: [String]

    public init(name: String, quantity: Double, unit: String, needKeys: [String]) {
        (self.name, self.quantity, self.unit, self.needKeys) = (name, quantity, unit, needKeys)
    }
}

/// Read access to the grocery list (the Actions layer's store, adapted by the pipeline), so the
/// reasoner stays free of I/O of its own.
public protocol GroceryListReading: Sendable {
    func listedItems() async throws -> [ListedGroceryItem]
}

/// The specialists the chain can name, by id.
public struct SpecialistPanel: Sendable {
    public static let standardIDs = ["nutrition", "pantry", "portion", "preferences"]
    public private(set) var specialists: [String: any Specialist]

    /// The standard panel; the pantry reads `groceryList` (nil: it cannot check the list and says so).
    public static func standard(groceryList: (any GroceryListReading)?) -> SpecialistPanel {
        SpecialistPanel(specialists: [
            "nutrition": NutritionSpecialist(), "pantry": PantrySpecialist(list: groceryList), "portion": PortionSpecialist(),
            "preferences": PreferencesSpecialist(),
        ])
    }

    /// Replaces (or adds) the specialist with `specialist.id`.
    public mutating func replace(_ specialist: any Specialist) { specialists[specialist.id] = specialist }
}

// MARK: - The specialists

/// Nutrition: every candidate, with the portions that cover the deficit; the more protein a
/// portion holds, the higher its confidence (0.5…1 × the deficit's confidence).
public struct NutritionSpecialist: Specialist {
    public let id = "nutrition"
    public let confidenceIfMissing = 0.5
    public init() {}

    public func deliberate(_ d: Deliberation) async throws -> SpecialistOpinion {
        let best = d.candidates.map(\.proteinPerPortion).max() ?? 1
        let proposals = d.candidates.map { e in
            let q = portions(d.deficit, e.proteinPerPortion)
            return SpecialistProposal(
                foodID: e.id, stance: .support, quantity: q,
                confidence: d.deficitFact.confidence * (0.5 + 0.5 * e.proteinPerPortion / best),
                reason: "\(grams(e.proteinPerPortion)) g protein per \(e.portionDescription); \(q) cover \(grams(d.deficit)) g")
        }
        return SpecialistOpinion(
            proposals: proposals, notes: ["deficit \(grams(d.deficit)) g (\(d.deficitFact.id)); best portion \(grams(best)) g protein"])
    }
}

/// Pantry: what the wearer already has. A candidate already on the grocery list or already in
/// view is vetoed (nothing is bought twice), and protein already on the list counts as covered.
public struct PantrySpecialist: Specialist {
    public let id = "pantry"
    public let confidenceIfMissing = 0.7
    let list: (any GroceryListReading)?
    public init(list: (any GroceryListReading)?) { self.list = list }

    struct NoList: Error, CustomStringConvertible {
        var description: String { "no grocery list to read" }
    }

    public func deliberate(_ d: Deliberation) async throws -> SpecialistOpinion {
        guard let list else { throw NoList() }
        let items = try await list.listedItems()
        try Task.checkCancellation()
        var notes = ["read \(items.count) line(s) of the grocery list"]
        var covered = 0.0
        var proposals: [SpecialistProposal] = []
        let inView = d.facts(.food).compactMap { f -> FoodValue? in
            if case .food(let v) = f.value { return v }; return nil
        }
        for e in d.candidates {
            let key = normalisedName(e.name)
            if let item = items.first(where: { i in i.needKeys.contains { $0.hasPrefix(e.id + "/") } || normalisedName(i.name) == key }) {
                let sameUnit = item.unit == e.portionDescription
                let g = sameUnit ? round2(item.quantity * e.proteinPerPortion) : 0
                covered += g
                notes.append(
                    "\(e.id) is on the list: \(canonicalNumber(item.quantity)) × \(item.unit)"
                        + (sameUnit ? " = \(grams(g)) g protein already coming" : " (another unit: not counted)"))
                proposals.append(
                    SpecialistProposal(
                        foodID: e.id, stance: .veto, confidence: 1,
                        reason: "already on the grocery list (\(canonicalNumber(item.quantity)) × \(item.unit))"))
            } else if let v = inView.first(where: { $0.foodID == e.id }) {
                proposals.append(
                    SpecialistProposal(foodID: e.id, stance: .veto, confidence: 1, reason: "already in the fridge (\(v.count) in view)"))
            } else {
                proposals.append(SpecialistProposal(foodID: e.id, stance: .support, confidence: 1, reason: "not on the list, not in view"))
            }
        }
        return SpecialistOpinion(proposals: proposals, coveredGrams: covered, notes: notes)
    }
}

/// Preferences and restrictions: candidates the wearer's restrictions forbid are vetoed; the
/// others are supported in the chain's order of preference (1, 0.8, 0.6, … for the first,
/// second, third allowed candidate).
public struct PreferencesSpecialist: Specialist {
    public let id = "preferences"
    public let confidenceIfMissing = 0.5
    public init() {}

    public func deliberate(_ d: Deliberation) async throws -> SpecialistOpinion {
        let r = d.profile.restrictions.sorted()
        var rank = 0
        let proposals = d.candidates.map { e in
            if let blocking = r.first(where: { !$0.permits(e.tags) }) {
                return SpecialistProposal(foodID: e.id, stance: .veto, confidence: 1, reason: blocking.ruleText)
            }
            rank += 1
            return SpecialistProposal(
                foodID: e.id, stance: .support, confidence: max(0.1, 1.2 - 0.2 * Double(rank)),
                reason: (r.isEmpty ? "no restriction" : "suits " + r.map(\.rawValue).joined(separator: ", "))
                    + "; preference #\(rank) among the allowed candidates")
        }
        return SpecialistOpinion(
            proposals: proposals, notes: [r.isEmpty ? "no restrictions" : "restrictions: " + r.map(\.rawValue).joined(separator: ", ")])
    }
}

/// Budget and portions: at most `maxPortions` portions per purchase; a candidate that needs
/// more is supported with less confidence (the share of the deficit the cap covers).
public struct PortionSpecialist: Specialist {
    public let id = "portion"
    public let confidenceIfMissing = 0.8
    public init() {}

    public func deliberate(_ d: Deliberation) async throws -> SpecialistOpinion {
        let cap = d.maxPortions
        let proposals = d.candidates.map { e in
            let need = portions(d.deficit, e.proteinPerPortion)
            let q = min(need, cap)
            let share = min(1, Double(q) * e.proteinPerPortion / max(d.deficit, 0.01))
            return SpecialistProposal(
                foodID: e.id, stance: .support, quantity: q, confidence: share,
                reason: need <= cap
                    ? "\(need) portion(s), within the cap of \(cap)"
                    : "needs \(need) portions; capped at \(cap) (\(grams(Double(cap) * e.proteinPerPortion)) g of \(grams(d.deficit)) g)")
        }
        return SpecialistOpinion(proposals: proposals, notes: ["at most \(cap) portion(s) per purchase"])
    }
}

/// ⌈deficit / per portion⌉, at least 1.
func portions(_ deficit: Double, _ per: Double) -> Int { max(1, Int((deficit / per - 1e-9).rounded(.up))) }

/// Lower-cased, spaces collapsed (as the grocery list matches names).
func normalisedName(_ s: String) -> String {
    s.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
}

// MARK: - The record of a debate

/// How one specialist took part.
public struct SpecialistRecord: Sendable, Equatable {
    public enum Status: String, Sendable, Codable { case answered, failed, timedOut }
    public var specialist: String
    public var status: Status
    /// The error, or the time budget it exceeded.
    public var detail: String?
    public var opinion: SpecialistOpinion?
}

/// How the synthesiser weighed one candidate.
public struct CandidateAssessment: Sendable, Equatable {
    public var foodID: String
    /// Σ of the supporting specialists' confidences.
    public var score: Double
    /// "nutrition 0.9" per supporter, in specialist order.
    public var support: [String]
    /// "pantry: already on the grocery list …" per veto.
    public var vetoes: [String]
    public var quantity: Int?
}

/// The debate behind a contemplated decision: who said what, and why one proposal won.
public struct ContemplationRecord: Sendable, Equatable {
    public var step: String
    public var timeoutSeconds: Double
    /// Every specialist on the panel, sorted by id (never by completion order).
    public var specialists: [SpecialistRecord]
    public var coveredGrams: Double
    public var remainingDeficit: Double
    /// The candidates in the chain's order.
    public var candidates: [CandidateAssessment]
    public var winner: String?
    public var why: String
    public var confidence: Double
}

// MARK: - Deliberating and synthesising

extension ActionStep {
    /// Asks every specialist of `settings` in parallel (each within its time budget), then merges
    /// their opinions. The result depends only on the opinions, sorted by specialist id.
    func contemplate(_ c: StepContext, _ settings: ContemplationSettings, panel: SpecialistPanel) async throws(ReasoningError) -> (
        StepResult, ContemplationRecord
    ) {
        let quick = try run(c)
        // Only a real decision is worth a debate: no scene, no deficit or no allowed food ends here.
        guard quick.proposal != nil, let deficitFact = c.fact(.deficit), let deficit = deficitFact.gramsValue else {
            return (
                quick,
                ContemplationRecord(
                    step: id, timeoutSeconds: settings.timeoutSeconds, specialists: [], coveredGrams: 0, remainingDeficit: 0,
                    candidates: [], winner: nil, why: "nothing to decide: \(quick.rationale)",
                    confidence: quick.outputs.first?.confidence ?? 1)
            )
        }
        let d = Deliberation(
            step: id, facts: c.facts, knowledge: c.knowledge, profile: c.profile, today: c.today, candidates: candidates,
            deficitFact: deficitFact, deficit: deficit, maxPortions: settings.maxPortions)
        let records = await Self.consult(
            settings.specialists.map { panel.specialists[$0] }, ids: settings.specialists, d, settings.timeoutSeconds)
        var factors: [String: Double] = [:]
        for id in settings.specialists { factors[id] = panel.specialists[id]?.confidenceIfMissing ?? 0.5 }
        return synthesise(records, d, quick: quick, settings: settings, factors: factors)
    }

    /// Runs the specialists concurrently in a task group; returns their records sorted by id.
    static func consult(_ specialists: [(any Specialist)?], ids: [String], _ d: Deliberation, _ budget: Double) async -> [SpecialistRecord]
    {
        await withTaskGroup(of: SpecialistRecord.self) { group in
            for (k, s) in specialists.enumerated() {
                let id = ids[k]
                group.addTask {
                    guard let s else { return SpecialistRecord(specialist: id, status: .failed, detail: "not on the panel") }
                    return await consultOne(s, d, budget)
                }
            }
            var out: [SpecialistRecord] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.specialist < $1.specialist }
        }
    }

    /// One specialist against its time budget: whichever finishes first wins; the other is cancelled.
    static func consultOne(_ s: any Specialist, _ d: Deliberation, _ budget: Double) async -> SpecialistRecord {
        enum Outcome: Sendable { case opinion(SpecialistOpinion), timedOut, failed(String) }
        let outcome = await withTaskGroup(of: Outcome.self) { group -> Outcome in
            group.addTask {
                do { return .opinion(try await s.deliberate(d)) } catch is CancellationError { return .timedOut } catch {
                    return .failed("\(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(nanoseconds: UInt64(budget * 1e9))
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
        switch outcome {
        case .opinion(let o): return SpecialistRecord(specialist: s.id, status: .answered, opinion: o)
        case .timedOut:
            return SpecialistRecord(specialist: s.id, status: .timedOut, detail: "no answer within \(canonicalNumber(budget)) s")
        case .failed(let e): return SpecialistRecord(specialist: s.id, status: .failed, detail: e)
        }
    }

    /// Merges the specialists' opinions into the step's result and the debate's record: the
    /// pure ``ContemplationVerdict`` (what wins and by how much), then its wording.
    func synthesise(
        _ records: [SpecialistRecord], _ d: Deliberation, quick: StepResult, settings: ContemplationSettings, factors: [String: Double]
    ) -> (StepResult, ContemplationRecord) {
        let verdict = ContemplationVerdict(records, d, quick: quick, factors: factors, minDeficit: minDeficit)
        return word(verdict, records, d, quick: quick, settings: settings)
    }

    /// The verdict in words: the step's fact, rationale and proposal, and the record of the debate.
    func word(
        _ v: ContemplationVerdict, _ records: [SpecialistRecord], _ d: Deliberation, quick: StepResult, settings: ContemplationSettings
    ) -> (StepResult, ContemplationRecord) {
        let missingText = v.missing.map {
            "\($0.specialist) \($0.status == .timedOut ? "timed out" : "failed") (× \(canonicalNumber($0.factor)))"
        }
        let missingNote = missingText.isEmpty ? "" : "; not heard: " + missingText.joined(separator: ", ")
        func record(_ winner: String?, why: String, confidence: Double) -> ContemplationRecord {
            ContemplationRecord(
                step: id, timeoutSeconds: settings.timeoutSeconds, specialists: records, coveredGrams: v.covered,
                remainingDeficit: v.remaining, candidates: v.assessments, winner: winner, why: why, confidence: round4(confidence))
        }
        let factor = v.factor
        guard case let .decided(outcome) = v.outcome, var quickProposal = quick.proposal, var fact = quick.outputs.first else {
            // Without nutrition there is no amount to weigh: the quick chain's decision stands.
            var result = quick
            let confidence = (quick.outputs.first?.confidence ?? 1) * factor
            if var f = result.outputs.first {
                f = Fact(id: f.id, kind: f.kind, value: f.value, confidence: confidence, summary: f.summary, evidence: f.evidence)
                result.outputs = [f]
            }
            let why = "the nutrition specialist was not heard: the quick chain's decision stands" + missingNote
            result.rationale = "Contemplated: \(why). " + quick.rationale
            return (result, record(quick.proposal?.foodID, why: why, confidence: confidence))
        }
        let (covered, remaining, assessments) = (v.covered, v.remaining, v.assessments)
        let base = fact.confidence
        /// No purchase: an `action.none` fact and the record saying why.
        func nothing(_ value: String, _ summary: String, _ rule: RuleEvidence, arithmetic: String? = nil, why: String) -> (
            StepResult, ContemplationRecord
        ) {
            let f = Fact(
                id: "\(id).none", kind: .noAction, value: .text(value), confidence: base * factor,
                summary: "Nothing to add to the grocery list: \(summary).",
                evidence: Evidence(facts: [d.deficitFact.id], rule: rule, arithmetic: arithmetic))
            return (
                StepResult(inputs: quick.inputs, outputs: [f], rationale: "Contemplated: " + f.summary),
                record(nil, why: why + missingNote, confidence: base * factor)
            )
        }
        let index: Int, q: Int
        switch outcome {
        case .covered:
            return nothing(
                "already covered by the grocery list", "what is on it covers the deficit",
                RuleEvidence(
                    name: "contemplation.covered",
                    text: "remaining = deficit − protein already on the list; nothing below \(grams(minDeficit)) g"),
                arithmetic: "max(0, \(grams(d.deficit)) − \(grams(covered))) = \(grams(remaining)) g",
                why: "the grocery list already brings \(grams(covered)) g of the \(grams(d.deficit)) g deficit: nothing more to buy")
        case .allVetoed:
            return nothing(
                "every candidate vetoed", "the specialists vetoed every candidate",
                RuleEvidence(
                    name: "contemplation.vetoed",
                    text: assessments.map { "\($0.foodID): \($0.vetoes.joined(separator: "; "))" }.joined(separator: " | ")),
                why: "every candidate was vetoed")
        case let .chosen(i, quantity):
            (index, q) = (i, quantity)
        }
        let a = assessments[index]
        let e = d.candidates[index]
        let supplied = round2(Double(q) * e.proteinPerPortion)
        let runnersUp = assessments.filter { $0.foodID != a.foodID }.map { x in
            x.vetoes.isEmpty ? "\(x.foodID) \(canonicalNumber(x.score))" : "\(x.foodID) vetoed"
        }
        let why =
            "\(e.id) has the highest score (\(canonicalNumber(a.score)): \(a.support.joined(separator: ", ")))"
            + (runnersUp.isEmpty ? "" : " against \(runnersUp.joined(separator: ", "))")
            + "; quantity = min(⌈\(grams(remaining)) / \(grams(e.proteinPerPortion))⌉, the specialists' amounts) = \(q)" + missingNote
        let confidence = base * factor
        fact = Fact(
            id: "\(id).proposal", kind: .proposal, value: .text(e.id), confidence: confidence,
            summary:
                "Add \(q) × \(e.portionDescription) of \(e.name) to the grocery list (\(grams(supplied)) g protein for a \(grams(remaining)) g deficit), as the specialists agreed.",
            evidence: Evidence(
                knowledge: [e.evidence], facts: fact.evidence.facts,
                rule: RuleEvidence(
                    name: "contemplation.synthesis",
                    text:
                        "specialists in parallel, merged by id: vetoed candidates are out; score = Σ supporting confidences; highest wins (ties: chain order); remaining deficit = deficit − protein already on the list; confidence × a factor for each specialist not heard"
                ),
                arithmetic:
                    "remaining \(grams(d.deficit)) − \(grams(covered)) = \(grams(remaining)) g; ⌈\(grams(remaining)) / \(grams(e.proteinPerPortion))⌉ capped → \(q); confidence \(canonicalNumber(base)) × \(canonicalNumber(factor)) = \(canonicalNumber(round4(confidence)))"
            ))
        quickProposal.item = e.name
        quickProposal.foodID = e.id
        quickProposal.quantity = q
        quickProposal.unit = e.portionDescription
        quickProposal.deficitGrams = remaining
        quickProposal.reason =
            "Short of \(grams(d.deficit)) g protein today"
            + (covered > 0 ? " (\(grams(covered)) g already on the grocery list)" : "")
            + "; \(q) × \(e.portionDescription) of \(e.name) supply \(grams(supplied)) g (decided by \(v.heard.count) of \(records.count) specialists)."
        quickProposal.factIDs = Array(quickProposal.factIDs.dropLast()) + [fact.id]
        return (
            StepResult(inputs: quick.inputs, outputs: [fact], rationale: "Contemplated: " + fact.summary, proposal: quickProposal),
            record(e.id, why: why, confidence: confidence)
        )
    }
}

/// What the synthesiser decided from the specialists' opinions, as numbers only: who was heard,
/// the confidence factor for those who were not, each candidate's score and amount, and the
/// outcome. Pure: the same opinions give the same verdict. ``ActionStep/word(_:_:_:quick:settings:)``
/// puts it in words.
struct ContemplationVerdict {
    enum Decided: Equatable {
        /// The list already covers the deficit.
        case covered
        /// Every candidate was vetoed.
        case allVetoed
        /// Candidate `index` (in the chain's order) wins, `quantity` portions.
        case chosen(index: Int, quantity: Int)
    }

    enum Outcome: Equatable {
        /// Nutrition was not heard (or the chain proposed nothing): the quick decision stands.
        case quickStands
        case decided(Decided)
    }

    var outcome: Outcome
    var heard: [SpecialistRecord]
    /// The specialists not heard, with the factor each costs the confidence.
    var missing: [(specialist: String, status: SpecialistRecord.Status, factor: Double)]
    /// The product of the missing specialists' factors (rounded to 4 decimals).
    var factor: Double
    var assessments: [CandidateAssessment] = []
    var covered = 0.0
    var remaining: Double

    init(_ records: [SpecialistRecord], _ d: Deliberation, quick: StepResult, factors: [String: Double], minDeficit: Double) {
        heard = records.filter { $0.status == .answered }
        missing = records.filter { $0.status != .answered }.map { ($0.specialist, $0.status, factors[$0.specialist] ?? 0.5) }
        factor = round4(missing.reduce(1.0) { $0 * $1.factor })
        remaining = d.deficit
        guard heard.contains(where: { $0.specialist == "nutrition" }), quick.proposal != nil, !quick.outputs.isEmpty else {
            outcome = .quickStands
            return
        }
        covered = round2(heard.reduce(0) { $0 + ($1.opinion?.coveredGrams ?? 0) })
        remaining = round2(max(0, d.deficit - covered))
        for e in d.candidates {
            var score = 0.0
            var support: [String] = [], vetoes: [String] = []
            var quantities: [Int] = [portions(remaining, e.proteinPerPortion)]
            for r in heard {
                for p in r.opinion?.proposals ?? [] where p.foodID == e.id {
                    switch p.stance {
                    case .veto: vetoes.append("\(r.specialist): \(p.reason)")
                    case .support:
                        score += p.confidence
                        support.append("\(r.specialist) \(canonicalNumber(p.confidence))")
                        if let q = p.quantity { quantities.append(q) }
                    }
                }
            }
            assessments.append(
                CandidateAssessment(
                    foodID: e.id, score: round4(score), support: support, vetoes: vetoes,
                    quantity: vetoes.isEmpty && score > 0 ? quantities.min() : nil))
        }
        if remaining < minDeficit || remaining <= 0 {
            outcome = .decided(.covered)
            return
        }
        let eligible = assessments.enumerated().filter { $0.element.quantity != nil }
        guard
            let best = eligible.max(by: { a, b in
                a.element.score != b.element.score ? a.element.score < b.element.score : a.offset > b.offset
            })
        else {
            outcome = .decided(.allVetoed)
            return
        }
        outcome = .decided(.chosen(index: best.offset, quantity: best.element.quantity!))
    }
}
