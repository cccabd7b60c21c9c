import Foundation
import SightlineTestSupport
import Testing

/// `sightline explain` on a real fridge photo with the default detector set (the grocery model
/// for the food, COCO's YOLOv3-tiny for the refrigerator): the chain of thought lists the
/// groceries actually there and reasons with them. CNTK's test_5.jpg is a held-out validation
/// arrangement (Models/grocery-yolov3-tiny/validation.txt) with eggs, yogurt, ketchup, mushrooms,
/// mustard, an orange, water and two acorn squashes in it.
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
        #expect(r.out.contains("\"model\": \"grocery-yolov3-tiny\""))
        let text = try sightline(["explain", photo] + scene)
        #expect(text.out.contains(" by grocery-yolov3-tiny at "), "\(text.out)")
        #expect(text.out.contains("Decision: add"), "\(text.out)")
    }

    @Test func aModelFilterNamingAnUnknownLabelIsRefused() throws {
        let r = try sightline(["explain", photo, "--model", "yolov3-tiny:fridge"] + scene)
        #expect(r.status == 2 && r.err.contains("model 'yolov3-tiny': has no label 'fridge' to keep"), "\(r.err)")
        let empty = try sightline(["explain", photo, "--model", "yolov3-tiny:"] + scene)
        #expect(empty.status != 0 && empty.err.contains("no label after ':'"), "\(empty.err)")
    }
}

/// The fridge scene from a clone alone: the Smart Refrigerator photo committed under
/// Samples/fridge (held out of the grocery model's training) through the default detector set,
/// as scripts/demo runs it, to its decision.
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
        // The meat, fish and cheese in view do not count for a vegan: something is proposed.
        #expect(r.out.contains("Decision: add"), "\(r.out)")
        let deficit = try sightline(["explain", photo] + scene("deficit"))
        #expect(deficit.status == 0 && deficit.out.contains("\nDecision: "), "\(deficit.err)")
    }
}
