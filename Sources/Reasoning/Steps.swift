import SightlineCore

/// A fact id part from a label: letters and digits kept, anything else becomes "_".
func idPart(_ s: String) -> String {
    String(s.map { $0.isLetter || $0.isNumber ? $0 : "_" })
}

/// The lower median of a non-empty list.
func lowerMedian<T: Comparable>(_ xs: [T]) -> T {
    let s = xs.sorted()
    return s[(s.count - 1) / 2]
}

/// Detections in a canonical order (label, score descending, then box), so that the order a
/// detector reports them in never changes a result.
func canonical(_ ds: [Detection]) -> [Detection] {
    ds.sorted { a, b in
        if a.label != b.label { return a.label < b.label }
        if a.score != b.score { return a.score > b.score }
        if a.box.x != b.box.x { return a.box.x < b.box.x }
        if a.box.y != b.box.y { return a.box.y < b.box.y }
        if a.box.width != b.box.width { return a.box.width < b.box.width }
        return a.box.height < b.box.height
    }
}

/// The last `n` observations (the context holds them sorted by sequence).
func window(_ observations: [Observation], _ n: Int) -> ArraySlice<Observation> {
    observations.suffix(n)
}

// MARK: - scene

/// Is the wearer looking at food storage? Per frame: the best score of a storage class
/// (`refrigerator`) when it reaches `storageMinScore`, or the food evidence: the share of
/// `minFoodItems` food items (boxes of labels the knowledge base names, score ≥ `foodMinScore`)
/// in view, capped at 1, times their mean score. The scene score is the median of the per-frame
/// values over the last `window` frames; the scene is food storage when it reaches `threshold`.
struct SceneStep: ReasoningStep {
    let id: String
    let type = "scene"
    let storageLabels: Set<String>
    let storageMinScore: Double
    let foodMinScore: Double
    let minFoodItems: Int
    let threshold: Double
    let windowSize: Int

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        storageLabels = Set(try p.strings("storageLabels", default: ["refrigerator"]))
        storageMinScore = try p.double("storageMinScore", default: 0.5, in: 0...1)
        foodMinScore = try p.double("foodMinScore", default: 0.25, in: 0...1)
        minFoodItems = try p.int("minFoodItems", default: 3, in: 1...100)
        threshold = try p.double("threshold", default: 0.5, in: 0...1)
        windowSize = try p.int("window", default: 5, in: 1...1000)
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        let frames = window(c.observations, windowSize)
        var perFrame: [Double] = []
        var shown: [DetectionEvidence] = []
        var lastItems = 0
        var lastStorage = 0.0
        for frame in frames {
            var storage = 0.0
            var storageBox: Detection?
            var foods: [Detection] = []
            for d in canonical(frame.detections) {
                if storageLabels.contains(d.label) {
                    if Double(d.score) > storage { storage = Double(d.score); storageBox = d }
                } else if Double(d.score) >= foodMinScore, c.knowledge.food(forLabel: d.label) != nil {
                    foods.append(d)
                }
            }
            let mean = foods.isEmpty ? 0 : foods.reduce(0) { $0 + Double($1.score) } / Double(foods.count)
            let food = min(1, Double(foods.count) / Double(minFoodItems)) * mean
            perFrame.append(round4(max(storage >= storageMinScore ? storage : 0, food)))
            if frame.sequence == frames.last?.sequence {
                lastItems = foods.count
                lastStorage = storage
                // Evidence: the storage box, then the best box of each food label.
                var firstOfLabel: [Detection] = []
                for d in foods where !firstOfLabel.contains(where: { $0.label == d.label }) { firstOfLabel.append(d) }
                shown = ((storageBox.map { [$0] } ?? []) + firstOfLabel).map { DetectionEvidence($0, frame: frame) }
            }
        }
        let confidence = perFrame.isEmpty ? 0 : lowerMedian(perFrame)
        let yes = confidence >= threshold
        let values = perFrame.map(canonicalNumber).joined(separator: ", ")
        let fact = Fact(
            id: "\(id).foodStorage", kind: .scene, value: .flag(yes), confidence: yes ? confidence : 1 - confidence,
            summary: yes
                ? "The frames show food storage (scene score \(canonicalNumber(confidence)))."
                : "The frames do not show food storage (scene score \(canonicalNumber(confidence)) < \(canonicalNumber(threshold))).",
            evidence: Evidence(
                detections: shown,
                rule: RuleEvidence(
                    name: "scene.food-storage",
                    text:
                        "per frame: max(best \(storageLabels.sorted().joined(separator: "/")) score if ≥ \(canonicalNumber(storageMinScore)), min(1, known food items with score ≥ \(canonicalNumber(foodMinScore)) / \(minFoodItems)) × their mean score); scene score = median over the last \(windowSize) frames; food storage when ≥ \(canonicalNumber(threshold))"
                ),
                arithmetic: "median(\(values)) = \(canonicalNumber(confidence)) \(yes ? "≥" : "<") \(canonicalNumber(threshold))"))
        let rationale =
            "Looked at \(frames.count) frame(s); the latest shows \(lastItems) known food item(s)"
            + (lastStorage > 0 ? " and a storage class at \(canonicalNumber(round4(lastStorage)))" : "") + ". " + fact.summary
        return StepResult(inputs: [], outputs: [fact], rationale: rationale)
    }
}

// MARK: - inventory

/// What is in view: per frame, detections of the same label overlapping by IoU ≥ `mergeIoU` are
/// one item; across frames, a label is kept only when it was seen in at least `minFrames` of the
/// last `window` frames (capped at the number of frames given, so one photo counts), with the
/// median of its per-frame counts.
struct InventoryStep: ReasoningStep {
    let id: String
    let type = "inventory"
    let minScore: Float
    let mergeIoU: Float
    let windowSize: Int
    let minFrames: Int
    let ignore: Set<String>

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        minScore = Float(try p.double("minScore", default: 0.25, in: 0...1))
        mergeIoU = Float(try p.double("mergeIoU", default: 0.5, in: 0...1))
        windowSize = try p.int("window", default: 5, in: 1...1000)
        minFrames = try p.int("minFrames", default: 3, in: 1...1000)
        guard minFrames <= windowSize else { throw p.invalid("minFrames", "must not exceed window (\(windowSize)), found \(minFrames)") }
        ignore = Set(try p.strings("ignoreLabels", default: []))
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        let frames = Array(window(c.observations, windowSize))
        // Per label: (frame, kept boxes) for each frame where the label was seen.
        var seen: [String: [(frame: Observation, boxes: [Detection])]] = [:]
        var merged = 0
        for frame in frames {
            var kept: [String: [Detection]] = [:]
            for d in canonical(frame.detections) where d.score >= minScore && !ignore.contains(d.label) {
                if kept[d.label, default: []].contains(where: { $0.box.iou(d.box) >= mergeIoU }) {
                    merged += 1
                } else {
                    kept[d.label, default: []].append(d)
                }
            }
            for (label, boxes) in kept { seen[label, default: []].append((frame, boxes)) }
        }
        let needed = min(minFrames, frames.count)
        var facts: [Fact] = []
        var dropped: [String] = []
        for label in seen.keys.sorted() {
            let hits = seen[label]!
            guard hits.count >= needed else {
                dropped.append("\(label) (\(hits.count) of \(frames.count) frames)")
                continue
            }
            let counts = hits.map(\.boxes.count)
            let count = lowerMedian(counts)
            let meanBest = hits.reduce(0.0) { $0 + Double($1.boxes[0].score) } / Double(hits.count)
            let confidence = Double(hits.count) / Double(frames.count) * meanBest
            let latest = hits.last!
            facts.append(
                Fact(
                    id: "\(id).\(idPart(label))", kind: .item,
                    value: .item(ItemValue(label: label, count: count, framesSeen: hits.count, windowFrames: frames.count)),
                    confidence: confidence,
                    summary: "\(count) × \(label) in view (seen in \(hits.count) of \(frames.count) frames).",
                    evidence: Evidence(
                        detections: latest.boxes.map { DetectionEvidence($0, frame: latest.frame) },
                        rule: RuleEvidence(
                            name: "inventory.debounce",
                            text:
                                "score ≥ \(canonicalNumber(Double(minScore))); same-label boxes with IoU ≥ \(canonicalNumber(Double(mergeIoU))) are one item; kept when seen in ≥ \(needed) of the last \(frames.count) frames; count = median of per-frame counts"
                        ),
                        arithmetic:
                            "seen in \(hits.count) of \(frames.count) frames (≥ \(needed)); counts [\(counts.map(String.init).joined(separator: ", "))] → median \(count); confidence \(hits.count)/\(frames.count) × mean best score \(canonicalNumber(round4(meanBest))) = \(canonicalNumber(round4(confidence)))"
                    )))
        }
        var rationale = "Counted \(facts.count) item kind(s) over \(frames.count) frame(s)"
        if merged > 0 { rationale += "; merged \(merged) overlapping duplicate box(es)" }
        if !dropped.isEmpty { rationale += "; dropped as not seen often enough: \(dropped.joined(separator: ", "))" }
        return StepResult(inputs: [], outputs: facts, rationale: rationale + ".")
    }
}

// MARK: - nutrition

/// Looks each item up in the knowledge base by its detector label. Labels naming the same food
/// are one food (their counts add up). A label the knowledge base does not name becomes an
/// unknown-food fact with no protein, never an error.
struct NutritionStep: ReasoningStep {
    let id: String
    let type = "nutrition"

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) { id = p.spec.id }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        let items = c.facts(.item)
        var byFood: [String: (entry: FoodEntry, items: [Fact], count: Int)] = [:]
        var unknown: [Fact] = []
        for item in items {
            guard case .item(let v) = item.value else { continue }
            if let entry = c.knowledge.food(forLabel: v.label) {
                var g = byFood[entry.id] ?? (entry, [], 0)
                g.items.append(item)
                g.count += v.count
                byFood[entry.id] = g
            } else {
                unknown.append(
                    Fact(
                        id: "\(id).unknown.\(idPart(v.label))", kind: .unknownFood, value: .text(v.label), confidence: item.confidence,
                        summary: "\"\(v.label)\" is not in the knowledge base: an unknown food, counted with no protein.",
                        evidence: Evidence(
                            detections: item.evidence.detections, facts: [item.id],
                            rule: RuleEvidence(
                                name: "nutrition.unknown-label",
                                text: "a label no knowledge entry names is an unknown food and supplies nothing"))))
            }
        }
        var facts: [Fact] = []
        for foodID in byFood.keys.sorted() {
            let g = byFood[foodID]!
            let e = g.entry
            let labels = g.items.compactMap { f -> String? in
                if case .item(let v) = f.value { return v.label }; return nil
            }
            facts.append(
                Fact(
                    id: "\(id).\(idPart(foodID))", kind: .food,
                    value: .food(
                        FoodValue(
                            foodID: e.id, name: e.name, label: labels.joined(separator: "+"), count: g.count,
                            portionName: e.portionDescription,
                            portionGrams: e.portionGrams, proteinPerPortionGrams: e.proteinPerPortion, tags: e.tags.map(\.rawValue).sorted()
                        )),
                    confidence: g.items.map(\.confidence).min() ?? 0,
                    summary: "\(g.count) × \(e.name): \(grams(e.proteinPerPortion)) g protein per \(e.portionDescription).",
                    evidence: Evidence(
                        detections: g.items.flatMap(\.evidence.detections), knowledge: [e.evidence], facts: g.items.map(\.id),
                        rule: RuleEvidence(
                            name: "nutrition.lookup",
                            text: "detector label → knowledge entry; protein per portion = protein per 100 g × portion grams / 100"),
                        arithmetic:
                            "\(grams(e.proteinPerPortion)) g = \(grams(e.proteinPer100g)) g/100 g × \(grams(e.portionGrams)) g / 100")))
        }
        facts += unknown
        var rationale = "Looked up \(items.count) item kind(s): \(byFood.count) known food(s)"
        if !unknown.isEmpty {
            rationale +=
                ", \(unknown.count) unknown ("
                + unknown.compactMap { f -> String? in
                    if case .text(let l) = f.value { return l }; return nil
                }.joined(separator: ", ") + ")"
        }
        return StepResult(inputs: items.map(\.id), outputs: facts, rationale: rationale + ".")
    }
}

// MARK: - health

/// The wearer's protein target, protein eaten today and restrictions. Values from an imported
/// Apple Health export take precedence over the profile file (the wearable is the fresher source):
/// today's DietaryProtein sum when the export has records for today, and the latest body mass.
struct HealthStep: ReasoningStep {
    let id: String
    let type = "health"

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) { id = p.spec.id }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        let p = c.profile
        let src = p.source.isEmpty ? "profile" : p.source
        var facts: [Fact] = []
        // Target.
        if let t = p.dailyProteinTargetGrams {
            facts.append(
                Fact(
                    id: "\(id).proteinTarget", kind: .proteinTarget, value: .grams(round2(t)), confidence: 1,
                    summary: "Daily protein target: \(grams(t)) g (from the profile).",
                    evidence: Evidence(
                        profile: [ProfileEvidence(field: "dailyProteinTargetGrams", value: grams(t), source: src)],
                        rule: RuleEvidence(name: "health.target-given", text: "the profile gives the daily protein target in grams"))))
        } else if let perKg = p.proteinGramsPerKg {
            let massEvidence: ProfileEvidence
            let mass: Double
            if let m = p.health?.latestBodyMass {
                mass = round2(m.kilograms)
                massEvidence = ProfileEvidence(
                    field: "appleHealth.latestBodyMass", value: "\(grams(mass)) kg (\(m.original), \(m.date))",
                    source: "\(p.health!.file):\(m.line)")
            } else {
                mass = round2(p.bodyMassKg!)
                massEvidence = ProfileEvidence(field: "bodyMassKg", value: grams(mass), source: src)
            }
            let target = round2(mass * perKg)
            facts.append(
                Fact(
                    id: "\(id).proteinTarget", kind: .proteinTarget, value: .grams(target), confidence: 1,
                    summary: "Daily protein target: \(grams(target)) g (\(grams(mass)) kg × \(canonicalNumber(perKg)) g/kg).",
                    evidence: Evidence(
                        profile: [massEvidence, ProfileEvidence(field: "proteinGramsPerKg", value: canonicalNumber(perKg), source: src)],
                        rule: RuleEvidence(
                            name: "health.target-per-kg",
                            text: "target = body mass × grams of protein per kg (the wearable's latest body mass when imported)"),
                        arithmetic: "\(grams(mass)) kg × \(canonicalNumber(perKg)) g/kg = \(grams(target)) g")))
        }
        // Eaten today.
        if let h = p.health, let day = h.protein[c.today], day.records > 0 {
            let g = round2(day.proteinGrams)
            facts.append(
                Fact(
                    id: "\(id).proteinEaten", kind: .proteinEaten, value: .grams(g), confidence: 1,
                    summary: "Protein eaten today (\(c.today)): \(grams(g)) g from \(day.records) Apple Health record(s).",
                    evidence: Evidence(
                        profile: [
                            ProfileEvidence(
                                field: "appleHealth.DietaryProtein[\(c.today)]", value: "\(grams(g)) g in \(day.records) record(s)",
                                source: h.file)
                        ],
                        rule: RuleEvidence(
                            name: "health.eaten-wearable",
                            text: "sum of HKQuantityTypeIdentifierDietaryProtein records whose startDate falls on today"))))
        } else if let e = p.proteinEatenTodayGrams {
            facts.append(
                Fact(
                    id: "\(id).proteinEaten", kind: .proteinEaten, value: .grams(round2(e)), confidence: 1,
                    summary: "Protein eaten today: \(grams(e)) g (from the profile).",
                    evidence: Evidence(
                        profile: [ProfileEvidence(field: "proteinEatenTodayGrams", value: grams(e), source: src)],
                        rule: RuleEvidence(name: "health.eaten-given", text: "the profile gives the protein eaten so far today"))))
        } else {
            facts.append(
                Fact(
                    id: "\(id).proteinEaten", kind: .proteinEaten, value: .grams(0), confidence: 0.5,
                    summary: "Protein eaten today: unknown, taken as 0 g.",
                    evidence: Evidence(rule: RuleEvidence(name: "health.eaten-unknown", text: "no intake recorded for today: assume none")))
            )
        }
        let r = p.restrictions.sorted()
        facts.append(
            Fact(
                id: "\(id).restrictions", kind: .restrictions, value: .labels(r.map(\.rawValue)), confidence: 1,
                summary: r.isEmpty ? "No dietary restrictions." : "Dietary restrictions: \(r.map(\.rawValue).joined(separator: ", ")).",
                evidence: Evidence(
                    profile: [
                        ProfileEvidence(field: "restrictions", value: "[" + r.map(\.rawValue).joined(separator: ", ") + "]", source: src)
                    ],
                    rule: RuleEvidence(
                        name: "health.restrictions", text: r.isEmpty ? "no restriction" : r.map(\.ruleText).joined(separator: "; ")))))
        return StepResult(
            inputs: [], outputs: facts, rationale: "Read the wearer's goals for \(c.today): " + facts.map(\.summary).joined(separator: " "))
    }
}

// MARK: - inference

/// need = max(0, target − eaten); supply = Σ over known foods in view that the restrictions allow
/// of min(count, `maxPortionsPerFood`) × protein per portion; deficit = max(0, need − supply).
struct InferenceStep: ReasoningStep {
    let id: String
    let type = "inference"
    let maxPortions: Int
    /// Past days of the journal weighed (0: today only).
    let historyDays: Int
    /// Short on at least this many of them is a pattern …
    let minShortDays: Int
    /// … and the grocery gap then covers this many more days at the mean shortfall.
    let extraDays: Int

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        maxPortions = try p.int("maxPortionsPerFood", default: 2, in: 1...100)
        historyDays = try p.int("historyDays", default: 0, in: 0...31)
        minShortDays = try p.int("minShortDays", default: 4, in: 1...31)
        guard historyDays == 0 || minShortDays <= historyDays else {
            throw p.invalid("minShortDays", "must not exceed historyDays (\(historyDays)), found \(minShortDays)")
        }
        extraDays = try p.int("extraDays", default: 1, in: 0...7)
    }

    /// The wearer's last `historyDays` days against today's target: the days used, and when short
    /// on at least `minShortDays` of them, the extra grams for the grocery list.
    func history(_ c: StepContext, target: Fact, targetGrams: Double) -> Fact? {
        guard historyDays > 0, !c.history.isNone else { return nil }
        let days = c.history.days(before: c.today, count: historyDays)
        let evidence = days.map { d in
            DayEvidence(
                day: d.day.description, proteinGrams: d.proteinGrams, targetGrams: targetGrams, short: d.proteinGrams < targetGrams,
                sources: d.sources)
        }
        let short = evidence.filter(\.short)
        let gaps = short.map { round2(targetGrams - $0.proteinGrams) }
        let mean = gaps.isEmpty ? 0 : round2(gaps.reduce(0, +) / Double(gaps.count))
        let pattern = short.count >= minShortDays
        let extra = pattern ? round2(Double(extraDays) * mean) : 0
        let listed = evidence.map { "\($0.day) \(grams($0.proteinGrams)) g\($0.short ? " (short)" : "")" }.joined(separator: ", ")
        let summary =
            days.isEmpty
            ? "No day of the last \(historyDays) is in the journal: today's deficit alone decides."
            : "Short of the \(grams(targetGrams)) g target on \(short.count) of the \(days.count) recorded day(s) of the last \(historyDays)"
                + (pattern
                    ? " (≥ \(minShortDays)): the grocery gap covers \(extraDays) more day(s) at the mean shortfall, \(grams(extra)) g."
                    : " (< \(minShortDays)): today's deficit alone decides.")
        return Fact(
            id: "\(id).history", kind: .history, value: .grams(extra), confidence: target.confidence, summary: summary,
            evidence: Evidence(
                facts: [target.id],
                rule: RuleEvidence(
                    name: "inference.history",
                    text:
                        "a day is short when its protein (glasses + Apple Health) is below today's target; short on ≥ \(minShortDays) of the last \(historyDays) days: add \(extraDays) day(s) × the mean shortfall of the short days"
                ),
                arithmetic: days.isEmpty
                    ? "no recorded day: 0 g"
                    : "\(listed); mean shortfall \(gaps.isEmpty ? "0" : "(" + gaps.map(grams).joined(separator: " + ") + ") / \(gaps.count)") = \(grams(mean)) g; "
                        + (pattern ? "\(extraDays) × \(grams(mean)) = \(grams(extra)) g" : "\(short.count) < \(minShortDays): 0 g"),
                days: evidence))
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        guard let targetFact = c.fact(.proteinTarget), let target = targetFact.gramsValue,
            let eatenFact = c.fact(.proteinEaten), let eaten = eatenFact.gramsValue
        else {
            throw ReasoningError(
                .run, file: "", message: "step \"\(id)\" (inference) needs the protein target and intake: put a health step before it")
        }
        let restrictions = c.profile.restrictions.sorted()
        let restrictionFact = c.fact(.restrictions)
        let need = round2(max(0, target - eaten))
        let needFact = Fact(
            id: "\(id).need", kind: .need, value: .grams(need), confidence: min(targetFact.confidence, eatenFact.confidence),
            summary: "Protein still needed today: \(grams(need)) g.",
            evidence: Evidence(
                facts: [targetFact.id, eatenFact.id],
                rule: RuleEvidence(name: "inference.need", text: "need = max(0, target − eaten)"),
                arithmetic: "max(0, \(grams(target)) − \(grams(eaten))) = \(grams(need)) g"))
        var facts = [needFact]
        var terms: [String] = []
        var supply = 0.0
        var used: [Fact] = []
        let foods = c.facts(.food)
        for food in foods {
            guard case .food(let v) = food.value else { continue }
            let tags = Set(v.tags.compactMap(DietaryTag.init(rawValue:)))
            if let blocking = restrictions.first(where: { !$0.permits(tags) }) {
                facts.append(
                    Fact(
                        id: "\(id).excluded.\(idPart(v.foodID))", kind: .excludedFood, value: .text(v.foodID), confidence: 1,
                        summary: "\(v.name) does not count: the wearer \(blocking.wearerPhrase).",
                        evidence: Evidence(
                            facts: [food.id] + (restrictionFact.map { [$0.id] } ?? []),
                            rule: RuleEvidence(name: "inference.restriction", text: blocking.ruleText))))
                continue
            }
            if let avoided = c.profile.avoided(tags) {
                facts.append(
                    Fact(
                        id: "\(id).excluded.\(idPart(v.foodID))", kind: .excludedFood, value: .text(v.foodID), confidence: 1,
                        summary: "\(v.name) does not count: the wearer \(avoided.phrase).",
                        evidence: Evidence(
                            profile: [ProfileEvidence(field: avoided.field, value: avoided.tag.rawValue, source: c.profile.sourceName)],
                            facts: [food.id],
                            rule: RuleEvidence(
                                name: "inference.avoided", text: "no food carrying an allergen or intolerance of the profile"))))
                continue
            }
            let portions = min(v.count, maxPortions)
            let g = round2(Double(portions) * v.proteinPerPortionGrams)
            supply += g
            used.append(food)
            terms.append("\(v.foodID) \(portions) × \(grams(v.proteinPerPortionGrams))")
        }
        supply = round2(supply)
        let supplyConfidence = used.map(\.confidence).min() ?? 1
        let supplyFact = Fact(
            id: "\(id).supply", kind: .supply, value: .grams(supply), confidence: supplyConfidence,
            summary: "The food in view can supply \(grams(supply)) g of protein today.",
            evidence: Evidence(
                facts: used.map(\.id) + (restrictionFact.map { [$0.id] } ?? []),
                rule: RuleEvidence(
                    name: "inference.supply",
                    text:
                        "supply = Σ over known foods in view that the restrictions allow of min(count, \(maxPortions)) typical portions × protein per portion"
                ),
                arithmetic: terms.isEmpty ? "no allowed food in view: 0 g" : terms.joined(separator: " + ") + " = \(grams(supply)) g"))
        facts.append(supplyFact)
        let deficit = round2(max(0, need - supply))
        facts.append(
            Fact(
                id: "\(id).deficit", kind: .deficit, value: .grams(deficit), confidence: min(needFact.confidence, supplyConfidence),
                summary: deficit > 0
                    ? "Protein deficit today: \(grams(deficit)) g." : "No protein deficit: the food in view covers the need.",
                evidence: Evidence(
                    facts: [needFact.id, supplyFact.id],
                    rule: RuleEvidence(name: "inference.deficit", text: "deficit = max(0, need − supply)"),
                    arithmetic: "max(0, \(grams(need)) − \(grams(supply))) = \(grams(deficit)) g")))
        var rationale =
            "Need \(grams(need)) g (target \(grams(target)) − eaten \(grams(eaten))); the food in view supplies \(grams(supply)) g; "
            + (deficit > 0 ? "deficit \(grams(deficit)) g." : "no deficit.")
        if let h = history(c, target: targetFact, targetGrams: target) {
            facts.append(h)
            rationale += " " + h.summary
        }
        return StepResult(
            inputs: [targetFact.id, eatenFact.id] + (restrictionFact.map { [$0.id] } ?? []) + foods.map(\.id), outputs: facts,
            rationale: rationale)
    }
}

// MARK: - action

/// Proposes the first of `candidates` (knowledge ids) that the restrictions allow, in
/// quantity = ⌈deficit / protein per portion⌉ portions; nothing when there is no deficit (or it is
/// below `minDeficitGrams`), or when `requireScene` is set and the scene is not food storage.
struct ActionStep: ReasoningStep {
    let id: String
    let type = "action"
    let candidates: [FoodEntry]
    let requireScene: Bool
    let minDeficit: Double
    /// When set, contemplating mode decides this step with a panel of specialists.
    let contemplate: ContemplationSettings?

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        let ids = try p.strings("candidates", default: ["greek_yogurt", "lactose_free_milk", "tofu_firm", "lentils_cooked"])
        var entries: [FoodEntry] = []
        for (k, foodID) in ids.enumerated() {
            guard let e = knowledge.food(id: foodID) else {
                throw p.invalid("candidates", "entry \(k) names \"\(foodID)\", which is not in the knowledge base")
            }
            guard e.proteinPerPortion > 0 else { throw p.invalid("candidates", "entry \(k) (\"\(foodID)\") supplies no protein") }
            entries.append(e)
        }
        guard !entries.isEmpty else { throw p.invalid("candidates", "must name at least one food") }
        candidates = entries
        requireScene = try p.bool("requireScene", default: true)
        minDeficit = try p.double("minDeficitGrams", default: 0.5, in: 0...1000)
        contemplate = try ContemplationSettings(&p)
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        guard let deficitFact = c.fact(.deficit), case .grams(let deficit) = deficitFact.value else {
            throw ReasoningError(.run, file: "", message: "step \"\(id)\" (action) needs a deficit: put an inference step before it")
        }
        let scene = c.fact(.scene)
        var inputs = [deficitFact.id]
        if let scene { inputs.insert(scene.id, at: 0) }
        func none(_ why: String, _ rule: String, _ facts: [String]) -> StepResult {
            let f = Fact(
                id: "\(id).none", kind: .noAction, value: .text(why), confidence: deficitFact.confidence,
                summary: "Nothing to add to the grocery list: \(why).",
                evidence: Evidence(facts: facts, rule: RuleEvidence(name: "action.none", text: rule)))
            return StepResult(inputs: inputs, outputs: [f], rationale: f.summary)
        }
        if requireScene, let scene, scene.value == .flag(false) {
            return none("the frames do not show food storage", "act only on a food storage scene", [scene.id])
        }
        guard deficit >= minDeficit, deficit > 0 else {
            return none("no protein deficit today", "no deficit (or below \(grams(minDeficit)) g): no action", [deficitFact.id])
        }
        let restrictions = c.profile.restrictions.sorted()
        let restrictionFact = c.fact(.restrictions)
        if let r = restrictionFact { inputs.append(r.id) }
        var skipped: [String] = []
        guard
            let choice = candidates.first(where: { e in
                if let blocking = restrictions.first(where: { !$0.permits(e.tags) }) {
                    skipped.append("\(e.name) (\(blocking.rawValue))")
                    return false
                }
                if let avoided = c.profile.avoided(e.tags) {
                    skipped.append("\(e.name) (\(avoided.field): \(avoided.tag.rawValue))")
                    return false
                }
                return true
            })
        else {
            return none(
                "no candidate food suits the restrictions", "candidates in order: \(candidates.map(\.id).joined(separator: ", "))",
                [deficitFact.id] + (restrictionFact.map { [$0.id] } ?? []))
        }
        let per = choice.proteinPerPortion
        let history = c.fact(.history).flatMap { f in (f.gramsValue ?? 0) > 0 ? f : nil }
        let extra = history?.gramsValue ?? 0
        let gap = round2(deficit + extra)
        let ratio = gap / per
        let quantity = max(1, Int((ratio - 1e-9).rounded(.up)))
        let supplied = round2(Double(quantity) * per)
        var related = c.facts.filter { [.scene, .proteinTarget, .proteinEaten, .need, .supply].contains($0.kind) }.map(\.id)
        related.append(deficitFact.id)
        if let history { related.append(history.id) }
        if let r = restrictionFact { related.append(r.id) }
        let ruleText =
            "first candidate the restrictions allow, in order: \(candidates.map(\.id).joined(separator: ", "))"
            + (skipped.isEmpty ? "" : "; skipped: \(skipped.joined(separator: ", "))")
            + "; quantity = ⌈deficit / protein per portion⌉"
        let fact = Fact(
            id: "\(id).proposal", kind: .proposal, value: .text(choice.id), confidence: deficitFact.confidence,
            summary:
                "Add \(quantity) × \(choice.portionDescription) of \(choice.name) to the grocery list (\(grams(supplied)) g protein for a \(grams(deficit)) g deficit"
                + (history == nil ? ")." : " and \(grams(extra)) g for the days the journal shows short)."),
            evidence: Evidence(
                knowledge: [choice.evidence], facts: related,
                rule: RuleEvidence(name: "action.grocery", text: ruleText),
                arithmetic: (history == nil ? "⌈\(grams(deficit))" : "⌈(\(grams(deficit)) + \(grams(extra)))")
                    + " / \(grams(per))⌉ = ⌈\(canonicalNumber(round2(ratio)))⌉ = \(quantity)"))
        var supplyText = "0", needText = "?"
        if let f = c.fact(.supply), case .grams(let g) = f.value { supplyText = grams(g) }
        if let f = c.fact(.need), case .grams(let g) = f.value { needText = grams(g) }
        let proposal = GroceryProposal(
            item: choice.name, foodID: choice.id, quantity: quantity, unit: choice.portionDescription,
            reason:
                "Short of \(grams(deficit)) g protein today (need \(needText) g, the food in view supplies \(supplyText) g)"
                + (history == nil ? "" : ", and often short on past days (+\(grams(extra)) g)")
                + "; \(quantity) × \(choice.portionDescription) of \(choice.name) supply \(grams(supplied)) g.",
            factIDs: related + [fact.id], deficitGrams: deficit, day: c.today.description)
        return StepResult(inputs: inputs, outputs: [fact], rationale: fact.summary, proposal: proposal)
    }
}
