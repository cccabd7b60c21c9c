import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

/// Sequence facts through a ``ReasoningSession`` on frames built from a real labelled photo
/// (CNTK Grocery test_10, inside a fridge, 1000×1333): its ground-truth boxes are the
/// detections; the yogurt ("joghurt") box is moved to the left edge and out of view, as a hand
/// taking it out would, and in one variant comes back to where it was. Frames are 10 s apart.
@Suite(.needsFridgeData) struct SequenceTests {
    /// The yogurt's centre x per frame (nil: not in view). 21 frames, 0…200 s.
    static func yogurtPath(putBack: Bool) -> [Float?] {
        var xs: [Float?] = [338, 338, 338, 338, 298, 250, 190, 130, 70]  // leaves across the left edge (box x ≤ 50)
        xs += Array(repeating: nil, count: 6)  // frames 9…14: gone (taken out decided at 11)
        xs += Array(repeating: putBack ? 338 : nil, count: 6)  // frames 15…20
        return xs
    }

    static func frames(putBack: Bool) throws -> [Observation] {
        let classes = try Fixture.classes("extra/cntk_grocery")
        let base = try Fixture.frame(
            dataset: "extra/cntk_grocery", file: "test_10.txt", width: 1000, height: 1333, sequence: 0, classes: classes)
        return yogurtPath(putBack: putBack).enumerated().map { k, x in
            var detections = base.detections.filter { $0.label != "joghurt" }
            if let x, var yogurt = base.detections.first(where: { $0.label == "joghurt" }) {
                yogurt.box.x = x - yogurt.box.width / 2
                detections.append(yogurt)
            }
            return Observation(
                sequence: UInt64(k), timestamp: Timestamp(nanoseconds: UInt64(k) * 10_000_000_000), origin: base.origin,
                detections: detections, width: 1000, height: 1333)
        }
    }

    static func runs(putBack: Bool, profile: String = "deficit") throws -> [ReasoningRun] {
        var session = ReasoningSession(reasoner: try Fixture.reasoner(), window: 5)
        let wearer = try Fixture.profile(profile)
        return try frames(putBack: putBack).map { try session.observe($0, profile: wearer, today: Fixture.today) }
    }

    @Test func takenOutAndNotPutBackCountsAsEaten() throws {
        let runs = try Self.runs(putBack: false)
        // Decided on the third frame without it (frame 11), not before.
        #expect(runs[10].trace.fact("sequence.takenOut.9") == nil)
        let out = try #require(runs[11].trace.facts.first { $0.kind == .takenOut })
        guard case .track(let v) = out.value else { Issue.record("not a track value"); return }
        #expect(v.label == "joghurt" && v.time == Timestamp(nanoseconds: 80_000_000_000))
        let track = try #require(out.evidence.tracks.first)
        #expect(track.sightings.first?.frame == 0 && track.sightings.last?.frame == 8 && track.decidedAt == 11)
        #expect(track.sightings.last?.box.x == 12)
        // Out for 110 s at frame 19: still pending; 120 s at frame 20: eaten.
        #expect(runs[19].trace.facts.allSatisfy { $0.kind != .consumed })
        #expect(
            runs[19].trace.steps.first { $0.id == "consumption" }?.rationale.contains(
                "Still waiting for joghurt (track 2, out for 110 s of 120)") == true)
        let last = runs[20].trace
        let eaten = try #require(last.fact("consumption.proteinEaten"))
        #expect(eaten.gramsValue == 51.92)  // 40 + one 227 g container of yogurt (11.92 g)
        #expect(last.fact("inference.need")?.gramsValue == 32.08)
        #expect(last.fact("inference.need")?.evidence.facts.contains("consumption.proteinEaten") == true)
        if let p = Fixture.golden(last.text, "Samples/golden/sequence/yogurt-taken-out.deficit.txt") { Issue.record(Comment(rawValue: p)) }
        if let p = Fixture.golden(last.jsonText, "Samples/golden/sequence/yogurt-taken-out.deficit.json") {
            Issue.record(Comment(rawValue: p))
        }
    }

    @Test func putBackWithinTheTimeCountsNothing() throws {
        let runs = try Self.runs(putBack: true)
        let last = runs[20].trace
        let back = try #require(last.facts.first { $0.kind == .putBack })
        guard case .track(let v) = back.value else { Issue.record("not a track value"); return }
        #expect(v.previousTrackID != nil && v.label == "joghurt")
        #expect(back.evidence.tracks.count == 2)  // the new track and the taken-out one
        #expect(back.summary.contains("IoU 1 with where it was"))
        #expect(last.fact("consumption.proteinEaten") == nil)
        #expect(last.fact("inference.need")?.gramsValue == 44)
        if let p = Fixture.golden(last.text, "Samples/golden/sequence/yogurt-put-back.deficit.txt") { Issue.record(Comment(rawValue: p)) }
    }

    /// The intake rises, so the need shrinks compared with the same frames and no tracking
    /// (a chain without the sequence steps).
    @Test func theDeficitShrinksAgainstTheSameFramesWithoutConsumption() throws {
        var def = try Fixture.chain()
        def.steps.removeAll { $0.type == "consumption" || $0.type == "sequence" }
        def.steps = def.steps.enumerated().map { k, s in
            var s = s; s.index = k; return s
        }
        var plain = ReasoningSession(reasoner: try Reasoner(chain: def, knowledge: Fixture.knowledge()), window: 5)
        let wearer = try Fixture.profile("deficit")
        var without: ReasoningRun?
        for f in try Self.frames(putBack: false) { without = try plain.observe(f, profile: wearer, today: Fixture.today) }
        let with = try Self.runs(putBack: false)[20].trace
        let a = try #require(without?.trace.fact("inference.need")?.gramsValue), b = try #require(with.fact("inference.need")?.gramsValue)
        #expect(b == a - 11.92)
    }

    @Test func identicalAcrossRuns() throws {
        let a = try Self.runs(putBack: false).map(\.trace.jsonText), b = try Self.runs(putBack: false).map(\.trace.jsonText)
        #expect(a == b)
    }

    @Test func badTrackingAndSequenceParametersAreNamed() throws {
        let knowledge = try Fixture.knowledge()
        func refuse(_ text: String) -> ReasoningError? {
            do {
                _ = try Reasoner(chain: try ChainDefinition.decode(Array(text.utf8), file: "c.json"), knowledge: knowledge)
                return nil
            } catch { return error }
        }
        let head = "{\"format\": \"sightline-chain/1\", \"name\": \"n\", "
        let e1 = refuse(head + "\"tracking\": {\"minIOU\": 0.3}, \"steps\": [{\"id\": \"s\", \"type\": \"sequence\"}]}")
        #expect(e1?.description.hasPrefix("c.json: tracking.minIOU: unknown field") == true, "\(String(describing: e1))")
        let e2 = refuse(head + "\"tracking\": {\"putBackSeconds\": -1}, \"steps\": [{\"id\": \"s\", \"type\": \"sequence\"}]}")
        #expect(e2?.field == "tracking.putBackSeconds", "\(String(describing: e2))")
        let e3 = refuse(head + "\"steps\": [{\"id\": \"s\", \"type\": \"sequence\", \"parameters\": {\"kinds\": [\"stolen\"]}}]}")
        #expect(e3?.description.contains("step 0: steps[0].parameters.kinds: entry 0 is \"stolen\"") == true, "\(String(describing: e3))")
        let e4 = refuse(head + "\"steps\": [{\"id\": \"c\", \"type\": \"consumption\", \"parameters\": {\"labels\": [\"unicorn\"]}}]}")
        #expect(e4?.field == "steps[0].parameters.labels", "\(String(describing: e4))")
        // A consumption step with no health step before it fails at run time, naming the step.
        let chain = try ChainDefinition.decode(
            Array((head + "\"steps\": [{\"id\": \"c\", \"type\": \"consumption\"}]}").utf8), file: "c.json")
        #expect(throws: ReasoningError.self) {
            try Reasoner(chain: chain, knowledge: knowledge).run(
                observations: [], profile: Fixture.profile("deficit"), today: Fixture.today)
        }
    }
}
