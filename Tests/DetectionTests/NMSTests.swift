import Detection
import SightlineCore
import Testing

@Suite struct NMSTests {
    func box(_ x: Float, _ y: Float, _ w: Float = 10, _ h: Float = 10) -> Rect { Rect(x: x, y: y, width: w, height: h) }

    @Test func overlappingBoxesOfOneClassKeepTheBest() {
        let c = [
            Candidate(classID: 1, score: 0.6, box: box(0, 0)),
            Candidate(classID: 1, score: 0.9, box: box(1, 1)),  // IoU with the first: 81/119 = 0.68
            Candidate(classID: 1, score: 0.7, box: box(50, 50)),
        ]
        let kept = nonMaximumSuppression(c, iouThreshold: 0.45)
        #expect(kept.map(\.score) == [0.9, 0.7])
        // A looser threshold keeps the overlapping pair.
        #expect(nonMaximumSuppression(c, iouThreshold: 0.7).count == 3)
    }

    @Test func differentClassesNeverSuppressEachOther() {
        let c = [Candidate(classID: 1, score: 0.9, box: box(0, 0)), Candidate(classID: 2, score: 0.8, box: box(0, 0))]
        #expect(nonMaximumSuppression(c, iouThreshold: 0.1).count == 2)
    }

    @Test func equalScoresAreDeterministic() {
        let c = [Candidate(classID: 0, score: 0.5, box: box(2, 0)), Candidate(classID: 0, score: 0.5, box: box(0, 0))]
        #expect(nonMaximumSuppression(c, iouThreshold: 0.3) == [c[0]])
        #expect(nonMaximumSuppression([], iouThreshold: 0.3).isEmpty)
    }
}
