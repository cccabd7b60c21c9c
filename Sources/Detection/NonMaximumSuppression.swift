public import SightlineCore

/// A candidate box before non-maximum suppression, in model-input pixels.
public struct Candidate: Sendable, Hashable {
    public var classID: Int
    public var score: Float
    public var box: Rect

    public init(classID: Int, score: Float, box: Rect) { (self.classID, self.score, self.box) = (classID, score, box) }
}

/// Class-wise greedy non-maximum suppression: within each class, boxes are taken in order of
/// falling score (ties: lower index first, so the result is deterministic) and a box is dropped
/// when its IoU with an already kept box of the same class exceeds `iouThreshold`.
/// Returns the kept candidates, highest score first.
public func nonMaximumSuppression(_ candidates: [Candidate], iouThreshold: Float) -> [Candidate] {
    let order = candidates.indices.sorted {
        candidates[$0].score != candidates[$1].score ? candidates[$0].score > candidates[$1].score : $0 < $1
    }
    var kept: [Candidate] = []
    for i in order {
        let c = candidates[i]
        let suppressed = kept.contains { $0.classID == c.classID && $0.box.iou(c.box) > iouThreshold }
        if !suppressed { kept.append(c) }
    }
    return kept
}
