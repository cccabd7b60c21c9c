public import SightlineCore

/// A human-made box: what it is and where, in image pixels.
public struct GroundTruthBox: Sendable, Hashable, Codable {
    public var label: String
    public var box: Rect

    public init(label: String, box: Rect) { (self.label, self.box) = (label, box) }
}

/// One image to score: its ground truth and a detector's detections, both in one label space.
public struct EvaluatedImage: Sendable {
    public var name: String
    public var groundTruth: [GroundTruthBox]
    public var detections: [Detection]

    public init(name: String, groundTruth: [GroundTruthBox], detections: [Detection]) {
        (self.name, self.groundTruth, self.detections) = (name, groundTruth, detections)
    }
}

/// The scores of one class.
public struct ClassScore: Sendable, Equatable, Codable {
    public var label: String
    /// Ground-truth boxes of this class over all images.
    public var groundTruth: Int
    /// Detections of this class at any score (what AP ranks).
    public var detections: Int
    /// Average precision at each IoU threshold of ``DetectionMetrics/iouThresholds``.
    public var apPerIoU: [Double]
    /// AP at IoU 0.5.
    public var ap50: Double
    /// AP averaged over IoU 0.50:0.05:0.95.
    public var ap: Double
    /// Detections scoring at least the operating threshold, and how many of them matched a
    /// ground-truth box at IoU 0.5.
    public var detectionsAtThreshold: Int
    public var truePositivesAtThreshold: Int
    /// At the operating threshold and IoU 0.5; nil when nothing scored that high.
    public var precision: Double?
    /// At the operating threshold and IoU 0.5.
    public var recall: Double

    public init(
        label: String, groundTruth: Int, detections: Int, apPerIoU: [Double], detectionsAtThreshold: Int, truePositivesAtThreshold: Int
    ) {
        self.label = label
        self.groundTruth = groundTruth
        self.detections = detections
        self.apPerIoU = apPerIoU
        ap50 = apPerIoU.first ?? 0
        ap = apPerIoU.isEmpty ? 0 : apPerIoU.reduce(0, +) / Double(apPerIoU.count)
        self.detectionsAtThreshold = detectionsAtThreshold
        self.truePositivesAtThreshold = truePositivesAtThreshold
        precision = detectionsAtThreshold > 0 ? Double(truePositivesAtThreshold) / Double(detectionsAtThreshold) : nil
        recall = groundTruth > 0 ? Double(truePositivesAtThreshold) / Double(groundTruth) : 0
    }
}

/// A label and how many boxes carry it.
public struct LabelCount: Sendable, Equatable, Codable {
    public var label: String
    public var count: Int
    public init(label: String, count: Int) { (self.label, self.count) = (label, count) }
}

/// What ``DetectionMetrics/evaluate(_:modelLabels:only:scoreThreshold:maxDetectionsPerClass:)`` found.
public struct EvaluationReport: Sendable, Equatable, Codable {
    public var images: Int
    /// The operating threshold precision and recall are given at.
    public var scoreThreshold: Float
    /// The classes that enter the means: those with ground truth that the model can name (and
    /// in the `only` set, when one was given), in label order.
    public var classes: [ClassScore]
    /// Mean AP at IoU 0.5 over ``classes``; nil when no class can be scored.
    public var map50: Double?
    /// Mean AP over IoU 0.50:0.05:0.95 and ``classes``.
    public var map: Double?
    /// Ground-truth classes the model has no label for (they cannot be found; not in the means).
    public var unnameable: [LabelCount]
    /// Labels the model reported (at the operating threshold) for which the images hold no
    /// ground truth; their detections are false positives no mean counts.
    public var detectedWithoutGroundTruth: [LabelCount]
}

/// COCO-style detection metrics (the computation of pycocotools' `COCOeval` for boxes, area
/// range "all"), pure: no I/O, deterministic.
///
/// Per image and class, detections are taken in order of falling score (at most
/// `maxDetectionsPerClass`), and each is matched to the unmatched ground-truth box of its class
/// with the highest IoU, if that IoU reaches the threshold; otherwise it is a false positive. Per
/// class, the detections of all images are ranked by score (ties: image order, then the
/// image's order), precision is made monotone (the envelope: each precision is the best at
/// that recall or higher), and AP is its mean at the 101 recall points 0, 0.01, …, 1 (0 where
/// the recall is never reached). This is done at the IoU thresholds 0.50, 0.55, …, 0.95.
public enum DetectionMetrics {
    /// 0.50:0.05:0.95, computed as numpy's `linspace(0.5, 0.95, 10)` does.
    public static let iouThresholds: [Double] = linspace(0.5, 0.95, 10)
    /// 0:0.01:1, as numpy's `linspace(0, 1, 101)`.
    public static let recallPoints: [Double] = linspace(0, 1, 101)

    /// Scores `images`. `modelLabels` are the labels the model can emit; `only`, when given,
    /// restricts ground truth and detections to those labels. Precision and recall are given at
    /// `scoreThreshold` and IoU 0.5.
    public static func evaluate(
        _ images: [EvaluatedImage], modelLabels: Set<String>, only: Set<String>? = nil, scoreThreshold: Float,
        maxDetectionsPerClass: Int = 100
    ) -> EvaluationReport {
        let keep = { (label: String) in only.map { $0.contains(label) } ?? true }
        var gtCounts: [String: Int] = [:]
        var detectedCounts: [String: Int] = [:]
        for image in images {
            for g in image.groundTruth where keep(g.label) { gtCounts[g.label, default: 0] += 1 }
            for d in image.detections where keep(d.label) && d.score >= scoreThreshold { detectedCounts[d.label, default: 0] += 1 }
        }
        let scored = gtCounts.keys.filter { modelLabels.contains($0) }.sorted()
        let classes = scored.map { scoreClass($0, images: images, threshold: scoreThreshold, maxDetections: maxDetectionsPerClass) }
        func mean(_ xs: [Double]) -> Double? { xs.isEmpty ? nil : xs.reduce(0, +) / Double(xs.count) }
        return EvaluationReport(
            images: images.count, scoreThreshold: scoreThreshold, classes: classes, map50: mean(classes.map(\.ap50)),
            map: mean(classes.map(\.ap)),
            unnameable: gtCounts.keys.filter { !modelLabels.contains($0) }.sorted().map { LabelCount(label: $0, count: gtCounts[$0]!) },
            detectedWithoutGroundTruth: detectedCounts.keys.filter { gtCounts[$0] == nil }.sorted().map {
                LabelCount(label: $0, count: detectedCounts[$0]!)
            })
    }

    private static func scoreClass(_ label: String, images: [EvaluatedImage], threshold: Float, maxDetections: Int) -> ClassScore {
        // Per image: this class's detections by falling score (stable), its ground truth.
        let perImage = images.map { image -> (dets: [Detection], gts: [Rect]) in
            let ds = image.detections.filter { $0.label == label }
            let order = ds.indices.sorted { ds[$0].score != ds[$1].score ? ds[$0].score > ds[$1].score : $0 < $1 }
            return (order.prefix(maxDetections).map { ds[$0] }, image.groundTruth.filter { $0.label == label }.map(\.box))
        }
        let npig = perImage.reduce(0) { $0 + $1.gts.count }
        let all = perImage.flatMap(\.dets)
        // Ranking across images: falling score, ties in image order then within-image order.
        let rank = all.indices.sorted { all[$0].score != all[$1].score ? all[$0].score > all[$1].score : $0 < $1 }
        var apPerIoU: [Double] = []
        var tpAtThreshold = 0
        for (t, iouThreshold) in iouThresholds.enumerated() {
            var matched: [Bool] = []
            for (dets, gts) in perImage { matched += match(dets, gts, iouThreshold: iouThreshold) }
            if t == 0 { tpAtThreshold = zip(all, matched).filter { $0.0.score >= threshold && $0.1 }.count }
            apPerIoU.append(averagePrecision(rankedMatches: rank.map { matched[$0] }, groundTruth: npig))
        }
        return ClassScore(
            label: label, groundTruth: npig, detections: all.count, apPerIoU: apPerIoU,
            detectionsAtThreshold: all.filter { $0.score >= threshold }.count, truePositivesAtThreshold: tpAtThreshold)
    }

    /// Greedy matching in one image and class: `dets` in ranked order; each takes the unmatched
    /// ground-truth box with the highest IoU ≥ the threshold (on equal IoU, the later box, as
    /// pycocotools does). Returns, per detection, whether it matched.
    static func match(_ dets: [Detection], _ gts: [Rect], iouThreshold: Double) -> [Bool] {
        var taken = [Bool](repeating: false, count: gts.count)
        return dets.map { d in
            var best = -1
            var bestIoU = min(iouThreshold, 1 - 1e-10)
            for (g, gt) in gts.enumerated() where !taken[g] {
                let v = iou(d.box, gt)
                if v < bestIoU { continue }
                bestIoU = v
                best = g
            }
            if best >= 0 { taken[best] = true }
            return best >= 0
        }
    }

    /// AP of a ranked list of true/false positives against `groundTruth` boxes: the precision
    /// envelope sampled at the 101 recall points.
    public static func averagePrecision(rankedMatches: [Bool], groundTruth: Int) -> Double {
        guard groundTruth > 0, !rankedMatches.isEmpty else { return 0 }
        var recall: [Double] = [], precision: [Double] = []
        var tp = 0.0, fp = 0.0
        for m in rankedMatches {
            if m { tp += 1 } else { fp += 1 }
            recall.append(tp / Double(groundTruth))
            precision.append(tp / (tp + fp + Double.ulpOfOne))
        }
        for i in stride(from: precision.count - 1, to: 0, by: -1) where precision[i] > precision[i - 1] {
            precision[i - 1] = precision[i]
        }
        var sum = 0.0
        for r in recallPoints {
            // The first rank whose recall reaches r (numpy's searchsorted, side "left").
            var lo = 0, hi = recall.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if recall[mid] < r { lo = mid + 1 } else { hi = mid }
            }
            if lo < recall.count { sum += precision[lo] }
        }
        return sum / Double(recallPoints.count)
    }

    /// IoU as pycocotools computes it for boxes, in double precision.
    static func iou(_ a: Rect, _ b: Rect) -> Double {
        let ax = Double(a.x), ay = Double(a.y), aw = Double(a.width), ah = Double(a.height)
        let bx = Double(b.x), by = Double(b.y), bw = Double(b.width), bh = Double(b.height)
        let w = min(ax + aw, bx + bw) - max(ax, bx)
        let h = min(ay + ah, by + bh) - max(ay, by)
        guard w > 0, h > 0 else { return 0 }
        let inter = w * h
        return inter / (aw * ah + bw * bh - inter)
    }

    /// numpy's `linspace(start, stop, count)`: `start + i × step`, the last value exactly `stop`.
    private static func linspace(_ start: Double, _ stop: Double, _ count: Int) -> [Double] {
        let step = (stop - start) / Double(count - 1)
        return (0..<count).map { $0 == count - 1 ? stop : Double($0) * step + start }
    }
}
