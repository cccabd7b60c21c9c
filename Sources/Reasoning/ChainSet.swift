/// Several chains over one stream (the fridge chain and the warning chains): one
/// ``ReasoningSession`` each, so each chain's tracker follows its own `tracking` settings (the
/// left-out chain waits two hours for a put-back, the fridge chain two minutes), run in the order
/// given. Their runs make one deterministic trace (``ChainSetRun``).
///
/// ```swift
/// var chains = ChainSetSession(reasoners: [fridge, leftOut, doorOpen, allergen], window: 5)
/// let run = try chains.observe(frame, profile: profile, today: today)
/// run.warnings      // every chain's, in chain order
/// run.jsonText      // one trace
/// ```
public struct ChainSetSession: Sendable {
    public private(set) var sessions: [ReasoningSession]

    /// One session per reasoner, each keeping the last `window` observations.
    public init(reasoners: [Reasoner], window: Int = 5) {
        sessions = reasoners.map { ReasoningSession(reasoner: $0, window: window) }
    }

    public var reasoners: [Reasoner] { sessions.map(\.reasoner) }

    /// Adds one frame to every chain's tracker and window and runs every chain.
    public mutating func observe(
        _ o: Observation, profile: Profile, today: LocalDate, history: IntakeHistory = .none
    ) throws(ReasoningError) -> ChainSetRun {
        var runs: [ReasoningRun] = []
        for k in sessions.indices { runs.append(try sessions[k].observe(o, profile: profile, today: today, history: history)) }
        return ChainSetRun(runs: runs)
    }

    /// Adds one frame to every chain's tracker and window; returns what each chain reasons over.
    public mutating func record(_ o: Observation) -> [ReasonerInput] {
        sessions.indices.map { sessions[$0].record(o) }
    }
}

/// The runs of several chains over the same frames, as one record.
public struct ChainSetRun: Sendable, Equatable {
    /// One run per chain, in chain order.
    public var runs: [ReasoningRun]

    public init(runs: [ReasoningRun]) { self.runs = runs }

    /// The first chain's decision (the fridge chain's grocery proposal).
    public var proposal: GroceryProposal? { runs.lazy.compactMap(\.proposal).first }

    /// Every chain's warnings, in chain order.
    public var warnings: [Warning] { runs.flatMap { $0.trace.warnings ?? [] } }

    /// Whether any chain has a warning step (so "no warning" is a finding, not a silence).
    public var watches: Bool { runs.contains { $0.trace.warnings != nil } }

    /// The trace as canonical JSON: one chain's trace as it is (format `sightline-trace/1`);
    /// several as `sightline-traces/1`, with the warnings first and each chain's trace in order.
    public var jsonText: String {
        if runs.count == 1 { return runs[0].trace.jsonText }
        return (try? CanonicalJSON.text(Combined(self))) ?? "null\n"
    }

    /// The chains of thought for people: the warnings first, then each chain's trace.
    public var text: String {
        if runs.count == 1 { return runs[0].trace.text }
        guard let first = runs.first?.trace else { return "No chain.\n" }
        var out =
            "\(runs.count) chains (\(runs.map(\.trace.chain).joined(separator: ", "))) for \(first.profileName) on \(first.today)"
        out +=
            first.frames.isEmpty ? ", no frames.\n" : ", \(first.frames.count) frame(s) (\(first.frames.first!)…\(first.frames.last!)).\n"
        if watches { out += warningsText(warnings) }
        for (k, run) in runs.enumerated() { out += "\n=== chain \(k + 1) of \(runs.count) ===\n" + run.trace.text }
        return out
    }

    /// The shape of `sightline-traces/1`.
    private struct Combined: Encodable {
        let run: ChainSetRun
        init(_ run: ChainSetRun) { self.run = run }
        func encode(to encoder: any Encoder) throws {
            let t = run.runs.first?.trace
            try encoder.encodeFields(
                ["format": "sightline-traces/1", "warnings": run.warnings, "decision": run.proposal, "chains": run.runs.map(\.trace)],
                extras: ["today": t?.today.description, "profile": t.map { ["name": $0.profileName, "source": $0.profileSource] }])
        }
    }
}
