import Detection
import Foundation
import SightlineCore
import SightlineTestSupport
import Testing

private func box(_ x: Float, _ y: Float, _ w: Float, _ h: Float) -> Rect { Rect(x: x, y: y, width: w, height: h) }
private func gt(_ label: String, _ r: Rect) -> GroundTruthBox { GroundTruthBox(label: label, box: r) }
private func det(_ label: String, _ score: Float, _ r: Rect) -> Detection { Detection(label: label, classID: 0, score: score, box: r) }

/// Scores `images` for a model that can name `labels`, at an operating threshold of 0.25.
private func evaluate(_ images: [EvaluatedImage], labels: Set<String> = ["a", "b"], only: Set<String>? = nil) -> EvaluationReport {
    DetectionMetrics.evaluate(images, modelLabels: labels, only: only, scoreThreshold: 0.25)
}

/// Equal to 1e-12: COCO divides by tp + fp + ε (2.2e-16), so a perfect 1 can be 1 − 1e-16.
private func close(_ a: Double?, _ b: Double) -> Bool { a.map { abs($0 - b) < 1e-12 } ?? false }

private func image(_ gts: [GroundTruthBox], _ dets: [Detection]) -> EvaluatedImage {
    EvaluatedImage(name: "img", groundTruth: gts, detections: dets)
}

/// Hand-made cases whose COCO AP is known by hand.
@Suite struct EvaluationMetricTests {
    let g1 = box(10, 10, 100, 100), g2 = box(300, 300, 50, 80), g3 = box(0, 200, 40, 40)

    @Test func perfectDetectionsScoreOne() throws {
        let r = evaluate([
            image([gt("a", g1), gt("a", g2)], [det("a", 0.9, g1), det("a", 0.8, g2)]),
            image([gt("a", g3)], [det("a", 0.7, g3)]),
        ])
        let a = try #require(r.classes.first)
        #expect(r.classes.count == 1 && a.label == "a" && a.groundTruth == 3)
        #expect(a.apPerIoU.allSatisfy { close($0, 1) })
        #expect(close(r.map50, 1) && close(r.map, 1))
        #expect(a.precision == 1 && a.recall == 1 && a.truePositivesAtThreshold == 3)
    }

    /// Ranked FP, TP against one object: precision 0 then 0.5, envelope 0.5 everywhere.
    @Test func falsePositiveRankedAboveTheTruePositiveHalvesAP() throws {
        let r = evaluate([image([gt("a", g1)], [det("a", 0.9, g2), det("a", 0.8, g1)])])
        #expect(close(r.classes[0].ap50, 0.5))
        #expect(r.classes[0].precision == 0.5 && r.classes[0].recall == 1)
        // The same FP ranked below the TP costs nothing.
        let below = evaluate([image([gt("a", g1)], [det("a", 0.9, g1), det("a", 0.8, g2)])])
        #expect(close(below.classes[0].ap50, 1))
    }

    /// One of two objects found: precision 1 up to recall 0.5, i.e. 51 of the 101 points.
    @Test func aMissedObjectLimitsRecall() {
        let r = evaluate([image([gt("a", g1), gt("a", g2)], [det("a", 0.9, g1)])])
        #expect(abs(r.classes[0].ap50 - 51.0 / 101.0) < 1e-12)
        #expect(r.classes[0].recall == 0.5 && r.classes[0].precision == 1)
    }

    /// A second box on the same object is a false positive: AP unchanged (it comes after the
    /// TP), precision at the threshold halved.
    @Test func duplicateDetectionsAreFalsePositives() {
        let r = evaluate([image([gt("a", g1)], [det("a", 0.9, g1), det("a", 0.8, box(12, 10, 100, 100))])])
        #expect(close(r.classes[0].ap50, 1))
        #expect(r.classes[0].precision == 0.5 && r.classes[0].truePositivesAtThreshold == 1)
        // Duplicates below the operating threshold count for AP's ranking only.
        let low = evaluate([image([gt("a", g1)], [det("a", 0.9, g1), det("a", 0.1, g1)])])
        #expect(low.classes[0].precision == 1 && low.classes[0].detections == 2 && low.classes[0].detectionsAtThreshold == 1)
    }

    /// IoU exactly 0.5 matches at 0.5 only; 0.49 never; 0.76 at 0.50 … 0.75 (6 of 10).
    @Test(arguments: [(Float(50), 1.0, 0.1), (49, 0, 0), (76, 1, 0.6)])
    func iouAtTheThresholds(height: Float, ap50: Double, ap: Double) {
        let r = evaluate([image([gt("a", box(0, 0, 100, 100))], [det("a", 0.9, box(0, 0, 100, height))])])
        #expect(close(r.classes[0].ap50, ap50))
        #expect(abs(r.classes[0].ap - ap) < 1e-12)
    }

    /// Right box, wrong class: a miss for the true class, a false positive for the other, which
    /// has no ground truth and so enters no mean.
    @Test func classConfusionIsAMissAndAFalsePositive() {
        let r = evaluate([image([gt("a", g1)], [det("b", 0.9, g1)])])
        #expect(r.classes.map(\.label) == ["a"])
        #expect(close(r.classes[0].ap50, 0) && r.classes[0].recall == 0 && r.classes[0].precision == nil)
        #expect(r.detectedWithoutGroundTruth == [LabelCount(label: "b", count: 1)])
        #expect(close(r.map50, 0))
    }

    /// Images without ground truth: nothing there changes nothing; a box there is a false positive.
    @Test func emptyImages() {
        let base = image([gt("a", g1)], [det("a", 0.8, g1)])
        #expect(close(evaluate([base, image([], [])]).classes[0].ap50, 1))
        #expect(close(evaluate([base, image([], [det("a", 0.9, g2)])]).classes[0].ap50, 0.5))
        #expect(close(evaluate([base, image([], [det("a", 0.5, g2)])]).classes[0].ap50, 1))
        let nothing = evaluate([image([], []), image([], [])])
        #expect(nothing.classes.isEmpty && nothing.map50 == nil && nothing.images == 2)
    }

    /// Means are over the classes with ground truth the model can name; the others are listed
    /// apart; `only` restricts both sides.
    @Test func whichClassesEnterTheMean() {
        let images = [
            image(
                [gt("a", g1), gt("b", g2), gt("c", g3)],
                [det("a", 0.9, g1), det("b", 0.9, g3), det("b", 0.8, g2), det("d", 0.9, g3)])
        ]
        let r = evaluate(images)
        #expect(r.classes.map(\.label) == ["a", "b"])
        #expect(close(r.map50, 0.75))
        #expect(r.unnameable == [LabelCount(label: "c", count: 1)])
        #expect(r.detectedWithoutGroundTruth == [LabelCount(label: "d", count: 1)])
        let onlyA = evaluate(images, only: ["a", "c"])
        #expect(onlyA.classes.map(\.label) == ["a"] && close(onlyA.map50, 1))
        #expect(onlyA.unnameable.map(\.label) == ["c"] && onlyA.detectedWithoutGroundTruth.isEmpty)
    }

    /// The detection with the higher score takes the ground truth it overlaps most, even when
    /// that leaves a weaker detection without a match (greedy, not optimal assignment).
    @Test func matchingIsGreedyByScore() {
        let r = evaluate([
            image(
                [gt("a", box(0, 0, 100, 100)), gt("a", box(60, 0, 100, 100))],
                [det("a", 0.9, box(30, 0, 100, 100)), det("a", 0.8, box(0, 0, 80, 100))])
        ])
        // The first (IoU 0.54 with each, the later box wins the tie) takes the second ground
        // truth; the second detection then matches the first (IoU 0.8).
        #expect(r.classes[0].truePositivesAtThreshold == 2)
    }
}

/// The same numbers as pycocotools' COCOeval (scripts/reference/coco_eval_ref.py, in the
/// virtualenv scripts/setup makes) on made-up but realistic data: jittered boxes, misses,
/// duplicates, false positives, class confusions and empty images.
@Suite struct EvaluationAgainstPycocotools {
    static let python = Reference.repoRoot + "/.build-reference/venv/bin/python"

    @Test(arguments: [UInt64(1), 2, 3])
    func sameAPAsCOCOeval(seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let labels = ["apple", "eggs", "milk", "bottle"]
        var images: [EvaluatedImage] = []
        for _ in 0..<30 {
            var gts: [GroundTruthBox] = [], dets: [Detection] = []
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                let r = box(
                    Float(Int.random(in: 0...500, using: &rng)), Float(Int.random(in: 0...500, using: &rng)),
                    Float(Int.random(in: 10...200, using: &rng)), Float(Int.random(in: 10...200, using: &rng)))
                let label = labels.randomElement(using: &rng)!
                gts.append(gt(label, r))
                let roll = Int.random(in: 0..<10, using: &rng)
                if roll < 7 {  // found, more or less tightly; sometimes twice, sometimes as another class
                    for _ in 0..<(roll == 0 ? 2 : 1) {
                        let j = { (v: Float) in v * Float.random(in: -0.35...0.35, using: &rng) }
                        let d = box(r.x + j(r.width), r.y + j(r.height), r.width + j(r.width), r.height + j(r.height))
                        dets.append(det(roll == 6 ? labels.randomElement(using: &rng)! : label, Float.random(in: 0.01...1, using: &rng), d))
                    }
                }
            }
            for _ in 0..<Int.random(in: 0...2, using: &rng) {  // false positives anywhere
                dets.append(
                    det(
                        labels.randomElement(using: &rng)!, Float.random(in: 0.01...0.9, using: &rng),
                        box(Float.random(in: 0...500, using: &rng), Float.random(in: 0...500, using: &rng), 50, 60)))
            }
            images.append(EvaluatedImage(name: "img", groundTruth: gts, detections: dets))
        }
        let ours = DetectionMetrics.evaluate(images, modelLabels: Set(labels), scoreThreshold: 0.25)

        func n(_ v: Float) -> Double { Double(v) }
        let spec: [String: Any] = [
            "images": images.map { im in
                [
                    "gt": im.groundTruth.map { [$0.label, n($0.box.x), n($0.box.y), n($0.box.width), n($0.box.height)] as [Any] },
                    "dt": im.detections.map { [$0.label, n($0.score), n($0.box.x), n($0.box.y), n($0.box.width), n($0.box.height)] as [Any] },
                ]
            }
        ]
        let input = Reference.tempDir + "/coco-\(seed).json"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: input))
        let r = try run(Self.python, [Reference.repoRoot + "/scripts/reference/coco_eval_ref.py", input])
        #expect(r.status == 0, "coco_eval_ref.py failed (run scripts/setup): \(r.err)")
        let theirs = try JSONDecoder().decode([String: [Double]].self, from: Data(r.out.utf8))
        #expect(Set(theirs.keys) == Set(ours.classes.map(\.label)))
        for c in ours.classes {
            let ref = try #require(theirs[c.label])
            for (t, (a, b)) in zip(c.apPerIoU, ref).enumerated() {
                #expect(abs(a - b) < 1e-12, "\(c.label) at IoU index \(t): ours \(a), pycocotools \(b)")
            }
        }
        // Non-trivial data: APs spread between 0 and 1.
        #expect(ours.classes.contains { $0.ap50 > 0.2 && $0.ap50 < 0.95 })
    }
}

@Suite struct TaxonomyTests {
    @Test func theGroceryTaxonomyMapsDataSetNames() throws {
        let t = try LabelTaxonomy.load(path: Reference.repoRoot + "/Models/grocery-taxonomy.json")
        #expect(t.classes.count == 48 && t.classes.prefix(3) == ["apple", "banana", "beef"])
        #expect(t.canonical("eggBox") == "eggs" && t.canonical("water") == "bottle" && t.canonical("refrigerator") == "refrigerator")
    }

    @Test func badTaxonomiesAreNamed() throws {
        let path = Reference.tempDir + "/taxonomy-\(UUID().uuidString).json"
        for (text, message) in [
            (#"{"format": "sightline-taxonomy/1", "classes": ["a"], "aliases": {"x": "b"}}"#, "alias 'x' maps to 'b', which is not a class"),
            (#"{"format": "sightline-taxonomy/1", "classes": ["a"], "alias": {}}"#, "unknown field 'alias'"),
            (#"{"format": "sightline-taxonomy/1", "classes": ["a", "a"]}"#, "a class is listed twice"),
            ("[1]", "not a JSON object"),
        ] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            #expect(throws: DetectionError.dataset(path: path, detail: message)) { try LabelTaxonomy.load(path: path) }
        }
    }
}
