import Detection
import Foundation
import SightlineCore
import SightlineTestSupport
import Testing

/// The committed grocery model (rebuilt by scripts/fetch-model grocery-yolov3-tiny, which the
/// test command runs), loaded and run through Sightline's own path (decode, preprocessing,
/// OpenCV DNN, Sightline's decoding and NMS) on labelled validation photos it never trained on.
/// Recall at its own score threshold and IoU 0.5 must stay a little under what was measured
/// (docs/detection.md), so a broken export, weights file or label map fails here.
@Suite(.serialized, .needsFridgeData) struct GroceryModelRecallTests {
    static let data = TestData.fridge

    func recall(folder: String) throws -> (pooled: Double, perClass: [String: Double], report: EvaluationReport) {
        let detector = try OpenCVDetector(model: "grocery-yolov3-tiny", store: store)
        let taxonomy = try LabelTaxonomy.load(path: Reference.repoRoot + "/Models/grocery-taxonomy.json")
        #expect(detector.labels == taxonomy.classes, "the model's labels are the taxonomy's, in order")
        // Loaded with its batch normalisation folded (one copy of the weights), so the recall
        // below is the folded network's.
        #expect(detector.network.foldedLayers == 11)
        let only = try ImageSelection.load(path: store.directory + "/grocery-yolov3-tiny/validation.txt")
        let images = try evaluatedImages(
            detector: detector, datasets: [try YOLODataset(folder: Self.data + "/" + folder)], taxonomy: taxonomy, only: only)
        let report = DetectionMetrics.evaluate(
            images, modelLabels: Set(detector.labels), scoreThreshold: detector.manifest.thresholds.score)
        let tp = report.classes.reduce(0) { $0 + $1.truePositivesAtThreshold }
        let gt = report.classes.reduce(0) { $0 + $1.groundTruth }
        return (Double(tp) / Double(max(gt, 1)), Dictionary(uniqueKeysWithValues: report.classes.map { ($0.label, $0.recall) }), report)
    }

    /// The five CNTK fridge arrangements held out by scene: measured pooled recall 0.822 (37 of
    /// 45 boxes), squash 9/10, orange 5/5, bottle 5/5.
    @Test func findsTheGroceriesInAFridgeItNeverSaw() throws {
        let r = try recall(folder: "extra/cntk_grocery")
        #expect(r.report.images == 5 && r.report.unnameable.isEmpty)
        #expect(r.pooled >= 0.7, "pooled recall \(r.pooled): \(r.perClass)")
        #expect((r.perClass["squash"] ?? 0) >= 0.8 && (r.perClass["orange"] ?? 0) >= 0.8, "\(r.perClass)")
        #expect((r.perClass["bottle"] ?? 0) >= 0.6, "\(r.perClass)")
    }

    /// The EpicureAi scene groups held out: measured pooled recall 0.866 (284 of 328), potato
    /// 44/44, eggs 54/56 (the data set's `egg`, through the taxonomy's alias).
    @Test func findsTheGroceriesOfHeldOutTableScenes() throws {
        let r = try recall(folder: "extra/epicureai")
        #expect(r.report.images == 43)
        #expect(r.pooled >= 0.75, "pooled recall \(r.pooled): \(r.perClass)")
        #expect((r.perClass["potato"] ?? 0) >= 0.8 && (r.perClass["eggs"] ?? 0) >= 0.8, "\(r.perClass)")
    }
}
