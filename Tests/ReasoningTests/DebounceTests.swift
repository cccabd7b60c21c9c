import Reasoning
import SightlineCore
import Testing

/// Inventory: duplicates within a frame merge by IoU; across frames an item needs K of the last N.
@Suite struct DebounceTests {
    func items(_ run: ReasoningRun) -> [String: Int] {
        var out: [String: Int] = [:]
        for f in run.trace.facts where f.kind == .item {
            if case .item(let v) = f.value { out[v.label] = v.count }
        }
        return out
    }

    func frame(_ seq: UInt64, _ ds: [Detection]) -> Observation {
        Observation(sequence: seq, origin: "frame-\(seq)", detections: ds)
    }

    let fridge: [Detection] = [
        Fixture.detection("refrigerator", 0.9, x: 0, y: 0, w: 600, h: 600),
        Fixture.detection("eggs", 0.8, x: 10, y: 10, w: 40, h: 30),
        Fixture.detection("milk", 0.7, x: 100, y: 10, w: 40, h: 90),
        Fixture.detection("chicken", 0.6, x: 200, y: 200, w: 80, h: 60),
    ]

    @Test func oneNoisyFrameChangesNothing() throws {
        let reasoner = try Fixture.reasoner()
        let profile = try Fixture.profile("deficit-60")
        let clean = (1...5).map { frame(UInt64($0), fridge) }
        // Frame 3: a spurious banana and pizza, and the chicken missed.
        var noisy = clean
        noisy[2] = frame(
            3,
            fridge.filter { $0.label != "chicken" } + [Fixture.detection("banana", 0.9, x: 300), Fixture.detection("pizza", 0.5, x: 400)])
        let a = try reasoner.run(observations: clean, profile: profile, today: Fixture.today)
        let b = try reasoner.run(observations: noisy, profile: profile, today: Fixture.today)
        #expect(items(a) == ["eggs": 1, "milk": 1, "chicken": 1])
        #expect(items(b) == items(a))
        #expect(a.proposal != nil)
        #expect(b.proposal == a.proposal)
        #expect(b.trace.fact("inference.supply")?.gramsValue == a.trace.fact("inference.supply")?.gramsValue)
        #expect(b.trace.fact("inference.deficit")?.gramsValue == a.trace.fact("inference.deficit")?.gramsValue)
        #expect(b.trace.steps[1].rationale.contains("banana (1 of 5 frames)"))
    }

    @Test func anItemSeenInEnoughFramesIsKept() throws {
        let reasoner = try Fixture.reasoner()
        let profile = try Fixture.profile("deficit")
        // Salmon in frames 2, 4, 5 of 5 (3 ≥ K = 3): kept; ham in frames 1, 2 (2 < 3): dropped.
        let frames = (1...5).map { k -> Observation in
            var ds = fridge
            if [2, 4, 5].contains(k) { ds.append(Fixture.detection("salmon", 0.7, x: 300, y: 300)) }
            if [1, 2].contains(k) { ds.append(Fixture.detection("ham", 0.7, x: 400, y: 300)) }
            return frame(UInt64(k), ds)
        }
        let r = try reasoner.run(observations: frames, profile: profile, today: Fixture.today)
        #expect(items(r)["salmon"] == 1)
        #expect(items(r)["ham"] == nil)
        let salmon = try #require(r.trace.fact("inventory.salmon"))
        #expect(salmon.confidence == 0.42)  // 3/5 × 0.7
        #expect(salmon.evidence.detections.first?.frame == 5)
    }

    @Test func onlyTheLastNFramesCount() throws {
        let reasoner = try Fixture.reasoner()
        // Shrimp in frames 1-4 only, then 5 frames without: outside the window of 5.
        let frames = (1...9).map { k in frame(UInt64(k), fridge + (k <= 4 ? [Fixture.detection("shrimp", 0.9, x: 500)] : [])) }
        let r = try reasoner.run(observations: frames, profile: Fixture.profile("deficit"), today: Fixture.today)
        #expect(items(r)["shrimp"] == nil)
        #expect(r.trace.frames == Array(1...9))
    }

    @Test func duplicatesInAFrameMergeByIoU() throws {
        let reasoner = try Fixture.reasoner()
        let ds = [
            Fixture.detection("eggs", 0.9, x: 10, y: 10, w: 40, h: 30),
            Fixture.detection("eggs", 0.6, x: 12, y: 11, w: 40, h: 30),  // the same egg box twice (IoU ≈ 0.85)
            Fixture.detection("eggs", 0.8, x: 200, y: 10, w: 40, h: 30),  // a second egg box
            Fixture.detection("milk", 0.2, x: 300, y: 10, w: 40, h: 90),  // below minScore
        ]
        let r = try reasoner.run(observations: [frame(1, ds)], profile: Fixture.profile("deficit"), today: Fixture.today)
        #expect(items(r) == ["eggs": 2])
        #expect(r.trace.steps[1].rationale.contains("merged 1 overlapping duplicate"))
    }

    @Test func theCountIsTheMedianOverFrames() throws {
        let reasoner = try Fixture.reasoner()
        let counts = [2, 3, 2, 1, 2]
        let frames = counts.enumerated().map { k, n in
            frame(UInt64(k + 1), (0..<n).map { Fixture.detection("tomato", 0.9, x: Float($0) * 100) })
        }
        let r = try reasoner.run(observations: frames, profile: Fixture.profile("deficit"), today: Fixture.today)
        #expect(items(r) == ["tomato": 2])
    }
}
