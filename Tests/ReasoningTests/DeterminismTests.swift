import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct DeterminismTests {
    @Test(.enabled(if: GoldenTests.hasData("smart-fridge"), Comment(rawValue: TestData.fridgeMissing))) func twoRunsGiveIdenticalBytes() throws {
        let frames = try Fixture.scene("smart-fridge")
        let profile = try Fixture.profile("vegan")
        let a = try Fixture.reasoner().run(observations: frames, profile: profile, today: Fixture.today)
        let b = try Fixture.reasoner().run(observations: frames, profile: profile, today: Fixture.today)
        #expect(Array(a.trace.jsonText.utf8) == Array(b.trace.jsonText.utf8))
        #expect(a.trace.text == b.trace.text)
    }

    @Test(.enabled(if: GoldenTests.hasData("smart-fridge"), Comment(rawValue: TestData.fridgeMissing))) func orderOfDetectionsAndFramesDoesNotMatter() throws {
        let frames = try Fixture.scene("smart-fridge")
        let profile = try Fixture.profile("deficit-60")
        let reasoner = try Fixture.reasoner()
        let reference = try reasoner.run(observations: frames, profile: profile, today: Fixture.today).trace.jsonText
        var rng = SplitMix64(seed: 7)
        for _ in 0..<5 {
            var shuffled = frames.map { f in
                var g = f
                g.detections.shuffle(using: &rng)
                return g
            }
            shuffled.shuffle(using: &rng)
            let text = try reasoner.run(observations: shuffled, profile: profile, today: Fixture.today).trace.jsonText
            #expect(text == reference)
        }
    }

    @Test(.needsFridgeData) func todayIsAnInputNotTheClock() throws {
        let frames = try Fixture.scene("potatoes")
        let profile = try Fixture.profile("apple-health")
        let reasoner = try Fixture.reasoner()
        let today = try reasoner.run(observations: frames, profile: profile, today: Fixture.today)
        let yesterday = try reasoner.run(observations: frames, profile: profile, today: LocalDate("2026-11-21")!)
        #expect(today.trace.fact("health.proteinEaten")?.gramsValue == 38.5)
        #expect(yesterday.trace.fact("health.proteinEaten")?.gramsValue == 61.4)  // 22 + 27.4 + 12
        #expect(yesterday.proposal!.quantity < today.proposal!.quantity)
    }
}
