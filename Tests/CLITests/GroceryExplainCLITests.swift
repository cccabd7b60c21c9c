import Foundation
import SightlineTestSupport
import Testing

/// `sightline explain` on a real fridge photo with the default detector set (the grocery model
/// alone: the food and the view itself, its `fridge_interior` class): the chain of thought lists
/// the groceries actually there and reasons with them. CNTK's test_5.jpg (eggs, yogurt, ketchup,
/// mushrooms, mustard, an orange, water and two acorn squashes) is one the model trained on;
/// its figures on arrangements it never saw come from the training's folds (TRAINING.md).
@Suite(.needsFridgeData) struct GroceryExplainCLITests {
    let photo = TestData.fridge + "/extra/cntk_grocery/images/test_5.jpg"
    var scene: [String] {
        ["--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--models-dir", repoRoot + "/Models"]
    }

    @Test func listsTheGroceriesThereAndReasonsWithThem() throws {
        let r = try sightline(["explain", photo, "--json"] + scene)
        #expect(r.status == 0, "\(r.err)")
        // The default chains (the fridge chain, then the warnings) make one sightline-traces/1 trace.
        let traces = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        #expect(traces["format"] as? String == "sightline-traces/1")
        let trace = try #require((traces["chains"] as? [[String: Any]])?.first)
        #expect((trace["chain"] as? [String: Any])?["name"] as? String == "fridge-protein")
        let steps = try #require(trace["steps"] as? [[String: Any]])
        func facts(_ step: String) -> [[String: Any]] {
            (steps.first { $0["id"] as? String == step }?["outputs"] as? [[String: Any]]) ?? []
        }
        let inStock = Set(facts("inventory").compactMap { ($0["value"] as? [String: Any])?["label"] as? String })
        let there: Set<String> = ["eggs", "yogurt", "ketchup", "mushrooms", "mustard", "orange", "squash"]
        #expect(inStock.intersection(there).count >= 3, "inventory \(inStock)")
        #expect(inStock.isSubset(of: there), "something not in the photo: \(inStock.subtracting(there))")
        // The chain uses them: each is a known food, they supply protein, the scene is food storage.
        let foods = facts("nutrition").filter { $0["kind"] as? String == "food" }
        #expect(foods.count == inStock.count)
        #expect((facts("scene").first?["value"] as? [String: Any])?["value"] as? Bool == true, "\(facts("scene"))")
        // The scene rests on the fridge class: its box is the scene step's first evidence.
        let sceneEvidence = (facts("scene").first?["evidence"] as? [String: Any])?["detections"] as? [[String: Any]] ?? []
        #expect(sceneEvidence.first?["label"] as? String == "fridge_interior", "\(sceneEvidence)")
        #expect(r.out.contains("\"model\": \"grocery-yolov3-tiny\""))
        #expect(!r.out.contains("\"model\": \"yolov3-tiny\""), "the default set is the grocery model alone")
        let text = try sightline(["explain", photo] + scene)
        #expect(text.out.contains(" by grocery-yolov3-tiny at "), "\(text.out)")
        #expect(text.out.contains("Decision: add"), "\(text.out)")
    }

    /// The sample photos without a fridge (Samples/photos.tsv): the scene step says it is not
    /// food storage, and nothing is proposed.
    @Test(arguments: ["dog", "eagle", "giraffe", "horses", "kite", "person", "messi5"])
    func noFoodStorageWithoutAFridge(_ name: String) throws {
        let photo = try #require(Samples.photos.first { $0.name == name }).path
        let r = try sightline(["explain", photo] + scene)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("The frames do not show food storage"), "\(r.out)")
        #expect(!r.out.contains("Decision: add"), "\(r.out)")
    }

    @Test func aModelFilterNamingAnUnknownLabelIsRefused() throws {
        let r = try sightline(["explain", photo, "--model", "yolov3-tiny:fridge"] + scene)
        #expect(r.status == 2 && r.err.contains("model 'yolov3-tiny': has no label 'fridge' to keep"), "\(r.err)")
        let empty = try sightline(["explain", photo, "--model", "yolov3-tiny:"] + scene)
        #expect(empty.status != 0 && empty.err.contains("no label after ':'"), "\(empty.err)")
    }
}

/// The fridge scene from a clone alone: the Smart Refrigerator photo committed under
/// Samples/fridge through the default detector set, as scripts/demo runs it, to its decision.
@Suite struct CommittedFridgeCLITests {
    let photo = TestData.samples + "/train/images/DSC_5683_JPG_jpg.rf.217cc81d806a1bef85684bcf695f99ff.jpg"
    func scene(_ profile: String) -> [String] {
        ["--profile", repoRoot + "/Samples/profiles/\(profile).json", "--today", "2026-11-22", "--models-dir", repoRoot + "/Models"]
    }

    @Test func theGroceryModelSeesTheFridgeAndTheChainDecides() throws {
        let r = try sightline(["explain", photo] + scene("vegan"))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains(" by grocery-yolov3-tiny at "), "\(r.out)")
        #expect(r.out.contains("The frames show food storage"), "\(r.out)")
        #expect(r.out.contains("fridge_interior"), "the scene rests on the fridge class: \(r.out)")
        // The meat, fish and cheese in view do not count for a vegan: something is proposed.
        #expect(r.out.contains("Decision: add"), "\(r.out)")
        let deficit = try sightline(["explain", photo] + scene("deficit"))
        #expect(deficit.status == 0 && deficit.out.contains("\nDecision: "), "\(deficit.err)")
    }

    /// The scene commands take --runtime and --threads: OpenCV DNN and ONNX Runtime (float) see
    /// the same objects, so the chain of thought is the same word for word. Without ONNX Runtime
    /// the default scene runs on OpenCV with one notice for its two models; asked for by name,
    /// ONNX Runtime is an error that says how to install it.
    @Test func theSceneCommandsChooseTheRuntime() throws {
        let opencv = try sightline(["explain", photo, "--runtime", "opencv", "--threads", "2"] + scene("vegan"))
        let onnx = try sightline(["explain", photo, "--runtime", "onnxruntime"] + scene("vegan"))
        #expect(opencv.status == 0 && onnx.status == 0, "\(opencv.err) \(onnx.err)")
        #expect(opencv.out == onnx.out && opencv.out.contains(" by grocery-yolov3-tiny at "), "\(opencv.out)\n\(onnx.out)")
        let missing = ["SIGHTLINE_ONNXRUNTIME_LIBRARY": "/nonexistent/libonnxruntime.so.1"]
        let fallback = try sightline(["explain", photo] + scene("vegan"), environment: missing)
        #expect(fallback.status == 0 && fallback.out == opencv.out, "\(fallback.err)")
        #expect(fallback.err.split(separator: "\n").count == 1 && fallback.err.hasPrefix("notice: "), "\(fallback.err)")
        let asked = try sightline(["explain", photo, "--runtime", "onnxruntime"] + scene("vegan"), environment: missing)
        #expect(asked.status == 2 && asked.err.contains("scripts/setup"), "\(asked.err)")
        let zero = try sightline(["explain", photo, "--threads", "0"] + scene("vegan"))
        #expect(zero.status != 0 && zero.err.contains("--threads must be between 1"), "\(zero.err)")
    }
}
