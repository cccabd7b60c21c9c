import SightlineCore

// The generic warning steps. A warning chain is a chain file that puts one of them after the
// steps whose facts it reads (docs/reasoning.md, "Warnings"); each is configured in the file.

/// The rule a warning step shows in the trace, read from its `rule` parameter.
private func readRule(_ p: inout StepParameters, default rule: RuleEvidence) throws(ReasoningError) -> RuleEvidence {
    guard var r = try p.object("rule") else { return rule }
    do throws(FieldError) {
        let name = try r.string("name"), text = try r.string("text")
        try r.finish()
        guard !name.isEmpty, !text.isEmpty else { throw FieldError(path: r.fieldPath("text"), message: "must not be empty") }
        return RuleEvidence(name: name, text: text)
    } catch { throw p.wrap(error) }
}

private func eventKind(_ p: inout StepParameters, _ key: String, _ name: String) throws(ReasoningError) -> SequenceEventKind {
    guard let kind = SequenceEventKind(rawValue: name) else {
        throw p.invalid(
            key, "\"\(name)\" is not an event kind (known: \(SequenceEventKind.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    return kind
}

/// `{item}`, `{elapsed}` and `{limit}` of a message template filled in.
private func fill(_ template: String, _ values: [String: String]) -> String {
    var out = template
    for (k, v) in values { out = out.replacingOccurrences(of: "{\(k)}", with: v) }
    return out
}

// MARK: - elapsed

/// Time since an event: for each sequence fact of kind `since` (taken out, storage in view) that
/// no later fact of kind `until` about the same item has ended (put back, storage out of view),
/// the time from its capture time to the latest frame's. At `limitSeconds` or more (or the
/// smallest `limitSecondsByTag` of the food's tags) it is a warning; below, it is pending.
/// `foodTags` keeps only foods carrying one of those tags (perishables); `labels` only those
/// labels. `message` is the warning's sentence, with `{item}`, `{elapsed}` and `{limit}`;
/// `rule` the rule the trace shows.
struct ElapsedStep: ReasoningStep {
    let id: String
    let type = "elapsed"
    var warns: Bool { true }
    let since: SequenceEventKind
    let until: SequenceEventKind?
    let limit: Double
    let limitsByTag: [(tag: DietaryTag, seconds: Double)]
    let foodTags: Set<DietaryTag>
    let labels: Set<String>
    let message: String
    let rule: RuleEvidence

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        let sinceName = try p.string("since", default: "")
        guard !sinceName.isEmpty else { throw p.invalid("since", "is missing: name the event kind the time runs from") }
        since = try eventKind(&p, "since", sinceName)
        let untilName = try p.string("until", default: "")
        until = untilName.isEmpty ? nil : try eventKind(&p, "until", untilName)
        limit = try p.double("limitSeconds", default: 7200, in: 1...604_800)
        var byTag: [(DietaryTag, Double)] = []
        if var r = try p.object("limitSecondsByTag") {
            for key in r.members.keys.sorted() {
                guard let tag = DietaryTag(rawValue: key) else {
                    throw p.invalid(
                        "limitSecondsByTag",
                        "\"\(key)\" is not a tag (known: \(DietaryTag.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                do { byTag.append((tag, try r.double(key, default: limit, in: 1...604_800))) } catch { throw p.wrap(error) }
            }
        }
        limitsByTag = byTag
        var tags = Set<DietaryTag>()
        for (k, name) in try p.strings("foodTags", default: []).enumerated() {
            guard let t = DietaryTag(rawValue: name) else { throw p.invalid("foodTags", "entry \(k) is \"\(name)\", not a tag") }
            tags.insert(t)
        }
        foodTags = tags
        labels = Set(try p.strings("labels", default: []))
        message = try p.string("message", default: "{item}: {elapsed} since it began, longer than {limit}.")
        rule = try readRule(
            &p, default: RuleEvidence(name: "elapsed.limit", text: "warn when the time since the event reaches the limit"))
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        let now = c.observations.last
        let nowTime = now?.timestamp ?? Timestamp(nanoseconds: 0)
        let ends = until.map { c.facts(FactKind($0)) } ?? []
        var facts: [Fact] = [], warnings: [Warning] = []
        var inputs: [String] = [], pending: [String] = [], ended: [String] = []
        for start in c.facts(FactKind(since)) {
            guard case .track(let v) = start.value, labels.isEmpty || labels.contains(v.label) else { continue }
            let food = c.knowledge.food(forLabel: v.label)
            if !foodTags.isEmpty, food.map({ !$0.tags.isDisjoint(with: foodTags) }) != true { continue }
            inputs.append(start.id)
            let item = food?.name ?? v.label
            if let end = ends.first(where: {
                guard case .track(let e) = $0.value, e.time >= v.time else { return false }
                return e.previousTrackID == v.trackID || (e.trackID == v.trackID && e.event != v.event)
            }) {
                inputs.append(end.id)
                ended.append("\(item) (\(end.id))")
                continue
            }
            let applicable = limitsByTag.filter { food?.tags.contains($0.tag) == true }
            let limit = applicable.map(\.seconds).min() ?? self.limit
            let limitRule = applicable.first { $0.seconds == limit }.map { " (limit for \($0.tag.rawValue))" } ?? ""
            // An item still tracked (the storage region in view) counts until its last sighting:
            // continuously in view means seen, not merely not yet given up.
            let seenUntil = c.storage.flatMap { $0.trackID == v.trackID ? $0.sightings.last?.timestamp : nil }
            let endTime = seenUntil ?? nowTime
            let elapsed = max(0, endTime.seconds(since: v.time))
            let shown = canonicalNumber((elapsed * 1000).rounded() / 1000)
            guard elapsed >= limit else {
                pending.append("\(item) (\(shown) s of \(canonicalNumber(limit)) s)")
                continue
            }
            let text = fill(message, ["item": item, "elapsed": duration(elapsed), "limit": duration(limit)])
            let fact = Fact(
                id: "\(id).\(idPart(v.label)).\(v.trackID)", kind: .warning, value: .text(text), confidence: start.confidence,
                summary: text,
                evidence: Evidence(
                    knowledge: food.map { [$0.evidence] } ?? [], facts: [start.id], tracks: start.evidence.tracks, rule: rule,
                    arithmetic:
                        "\(seconds(endTime)) s (\(seenUntil == nil ? "frame \(now?.sequence ?? 0)" : "last seen")) − \(seconds(v.time)) s (\(since.rawValue)) = \(shown) s ≥ \(canonicalNumber(limit)) s\(limitRule)"
                ))
            facts.append(fact)
            warnings.append(
                Warning(
                    fact: fact.id, message: text, rule: rule, subject: item,
                    frames: warningFrames(start.evidence.tracks, decided: now)))
        }
        var parts: [String] = []
        if !facts.isEmpty { parts.append("\(facts.count) warning(s): " + facts.map(\.summary).joined(separator: " ")) }
        if !pending.isEmpty { parts.append("within the limit: \(pending.joined(separator: ", "))") }
        if !ended.isEmpty { parts.append("ended by \(until?.rawValue ?? "a later event"): \(ended.joined(separator: ", "))") }
        let head = "Time since \(since.rawValue)" + (until.map { " not followed by \($0.rawValue)" } ?? "") + ", rule \(rule.name)"
        let rationale =
            head + ": " + (parts.isEmpty ? "no such event." : parts.joined(separator: "; ") + (parts.last!.hasSuffix(".") ? "" : "."))
        return StepResult(inputs: inputs, outputs: facts, rationale: rationale, warnings: warnings)
    }
}

// MARK: - conflict

/// A conflict with the profile: each known food in view (the nutrition step's `food` facts) or
/// taken out (the sequence step's `takenOut` facts), as `sources` says, that carries an allergen
/// or an intolerance the profile lists, or that a restriction forbids, as `fields` says. Each is a
/// warning naming the food and the profile field. Diets (vegan, vegetarian) count only with
/// `includeDiets`: an animal food in a vegan's view is no danger.
struct ConflictStep: ReasoningStep {
    enum Source: String, CaseIterable { case inView, takenOut }
    enum Field: String, CaseIterable { case allergens, intolerances, restrictions }

    let id: String
    let type = "conflict"
    var warns: Bool { true }
    let sources: [Source]
    let fields: [Field]
    let includeDiets: Bool
    let rule: RuleEvidence

    init(_ p: inout StepParameters, knowledge: NutritionKnowledge) throws(ReasoningError) {
        id = p.spec.id
        var sources: [Source] = []
        for (k, s) in try p.strings("sources", default: Source.allCases.map(\.rawValue)).enumerated() {
            guard let v = Source(rawValue: s) else {
                throw p.invalid("sources", "entry \(k) is \"\(s)\" (known: \(Source.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            sources.append(v)
        }
        var fields: [Field] = []
        for (k, s) in try p.strings("fields", default: Field.allCases.map(\.rawValue)).enumerated() {
            guard let v = Field(rawValue: s) else {
                throw p.invalid("fields", "entry \(k) is \"\(s)\" (known: \(Field.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            fields.append(v)
        }
        guard !sources.isEmpty, !fields.isEmpty else { throw p.invalid(sources.isEmpty ? "sources" : "fields", "must not be empty") }
        (self.sources, self.fields) = (sources, fields)
        includeDiets = try p.bool("includeDiets", default: false)
        rule = try readRule(
            &p,
            default: RuleEvidence(
                name: "conflict.profile", text: "a food carrying an allergen or intolerance of the profile, or forbidden by a restriction"))
    }

    /// The profile entries that `tags` conflict with: field path, value, how the wearer has it.
    func conflicts(_ tags: Set<DietaryTag>, _ profile: Profile) -> [(field: String, value: String, phrase: String)] {
        var out: [(String, String, String)] = []
        for f in fields {
            switch f {
            case .allergens:
                for (k, a) in profile.allergens.enumerated() where tags.contains(a) {
                    out.append(("allergens[\(k)]", a.rawValue, "is allergic to \(a.rawValue)"))
                }
            case .intolerances:
                for (k, a) in profile.intolerances.enumerated() where tags.contains(a) {
                    out.append(("intolerances[\(k)]", a.rawValue, "does not tolerate \(a.rawValue)"))
                }
            case .restrictions:
                for r in profile.restrictions.sorted() where (includeDiets || !r.isDiet) && !r.permits(tags) {
                    out.append(("restrictions", r.rawValue, r.wearerPhrase))
                }
            }
        }
        return out
    }

    func run(_ c: StepContext) throws(ReasoningError) -> StepResult {
        // (subject fact, food, where, id suffix, frames)
        var seen: [(fact: Fact, food: FoodEntry, place: String, suffix: String, frames: [WarningFrame])] = []
        let times = Dictionary(c.observations.map { ($0.sequence, $0.timestamp) }, uniquingKeysWith: { a, _ in a })
        for source in sources {
            switch source {
            case .inView:
                for f in c.facts(.food) {
                    guard case .food(let v) = f.value, let food = c.knowledge.food(id: v.foodID) else { continue }
                    let frames = f.evidence.detections.map {
                        WarningFrame(frame: $0.frame, origin: $0.origin, time: times[$0.frame] ?? Timestamp(nanoseconds: 0))
                    }
                    var unique = Set<WarningFrame>()
                    seen.append((f, food, "in view", "inView", frames.filter { unique.insert($0).inserted }))
                }
            case .takenOut:
                for f in c.facts(.takenOut) {
                    guard case .track(let v) = f.value, let food = c.knowledge.food(forLabel: v.label) else { continue }
                    seen.append((f, food, "taken out", "takenOut.\(v.trackID)", warningFrames(f.evidence.tracks, decided: nil)))
                }
            }
        }
        var facts: [Fact] = [], warnings: [Warning] = [], clear: [String] = []
        for s in seen {
            let found = conflicts(s.food.tags, c.profile)
            guard !found.isEmpty else { clear.append("\(s.food.name) (\(s.place))"); continue }
            let why = found.map { "\($0.phrase) (profile \($0.field))" }.joined(separator: " and ")
            let text = "\(s.food.name) \(s.place): the wearer \(why)."
            let fact = Fact(
                id: "\(id).\(idPart(s.food.id)).\(s.suffix)", kind: .warning, value: .text(text), confidence: s.fact.confidence,
                summary: text,
                evidence: Evidence(
                    detections: s.fact.evidence.detections, knowledge: [s.food.evidence],
                    profile: found.map { ProfileEvidence(field: $0.field, value: $0.value, source: c.profile.sourceName) },
                    facts: [s.fact.id], tracks: s.fact.evidence.tracks, rule: rule,
                    arithmetic:
                        "tags [\(s.food.tags.map(\.rawValue).sorted().joined(separator: ", "))] ∩ profile [\(found.map(\.value).joined(separator: ", "))]"
                ))
            facts.append(fact)
            warnings.append(
                Warning(fact: fact.id, message: text, rule: rule, subject: s.food.name, profileField: found[0].field, frames: s.frames))
        }
        let avoid =
            c.profile.allergens.map { "allergen \($0.rawValue)" } + c.profile.intolerances.map { "intolerance \($0.rawValue)" }
            + c.profile.restrictions.sorted().map(\.rawValue)
        var rationale =
            "Checked \(seen.count) food(s) \(sources.map { $0 == .inView ? "in view" : "taken out" }.joined(separator: " or ")) against the profile's "
            + "\(fields.map(\.rawValue).joined(separator: ", ")) (\(avoid.isEmpty ? "none listed" : avoid.joined(separator: ", "))): "
        rationale += facts.isEmpty ? "no conflict." : "\(facts.count) warning(s): " + facts.map(\.summary).joined(separator: " ")
        return StepResult(inputs: seen.map(\.fact.id), outputs: facts, rationale: rationale, warnings: warnings)
    }
}
