import Foundation
import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

/// The fridge scenario on real labelled photos (ground-truth boxes as detections), and the
/// outcome flipping with the profile.
@Suite struct ScenarioTests {
    func run(_ scene: String, _ profile: String) throws -> ReasoningRun {
        try Fixture.reasoner().run(observations: Fixture.scene(scene), profile: Fixture.profile(profile), today: Fixture.today)
    }

    func grams(_ run: ReasoningRun, _ kind: FactKind) -> Double? {
        run.trace.facts.last { $0.kind == kind }?.gramsValue
    }

    @Test func aFridgeWithChickenCoversTheGap() throws {
        let r = try run("smart-fridge", "deficit")
        let foods = r.trace.facts.filter { $0.kind == .food }.compactMap { f -> String? in
            if case .food(let v) = f.value { return v.foodID }; return nil
        }
        #expect(foods.contains("chicken") && foods.contains("cheese") && foods.contains("shrimp"))
        #expect(grams(r, .need) == 44)
        #expect(try #require(grams(r, .supply)) >= 44)
        #expect(grams(r, .deficit) == 0)
        #expect(r.proposal == nil)
        #expect(r.trace.facts.contains { $0.kind == .noAction })
    }

    @Test func eggsSalmonAndCheeseCoverAModestGap() throws {
        let r = try run("eggs-salmon-cheese", "deficit")
        #expect(try #require(grams(r, .supply)) >= 44)
        #expect(r.proposal == nil)
        // With 60 g to find, the deficit is exactly what the food in view leaves.
        let big = try run("eggs-salmon-cheese", "deficit-60")
        let need = try #require(grams(big, .need)), supply = try #require(grams(big, .supply))
        #expect(grams(big, .deficit) == max(0, ((need - supply) * 100).rounded() / 100))
    }

    @Test func fruitAndVegetablesDoNotCoverAGap() throws {
        let r = try run("potatoes", "deficit-20")
        let supply = try #require(grams(r, .supply))
        #expect(supply > 0 && supply < 20)
        let p = try #require(r.proposal)
        #expect(p.foodID == "greek_yogurt")
        #expect(p.deficitGrams == ((20 - supply) * 100).rounded() / 100)
    }

    @Test func enoughProteinMeansNoAction() throws {
        let r = try run("potatoes", "enough")
        #expect(grams(r, .need) == 2)
        #expect(grams(r, .deficit) == 0)
        #expect(r.proposal == nil)
    }

    @Test func defaultIsGreekYogurtWithTheArithmetic() throws {
        let r = try run("potatoes", "deficit")
        let p = try #require(r.proposal)
        let yogurt = try #require(Fixture.knowledge().food(id: "greek_yogurt"))
        #expect(p.foodID == "greek_yogurt")
        #expect(p.item == "Greek yogurt, plain, nonfat")
        #expect(p.quantity == Int((p.deficitGrams / yogurt.proteinPerPortion).rounded(.up)))
        #expect(p.unit == "container (156 g)")
        #expect(p.factIDs.contains("inference.deficit") && p.factIDs.contains("action.proposal"))
        for id in p.factIDs { #expect(r.trace.fact(id) != nil, "fact \(id) is in the trace") }
    }

    @Test func veganGetsAPlantSourceNotYogurt() throws {
        let r = try run("potatoes", "vegan")
        let p = try #require(r.proposal)
        #expect(p.foodID != "greek_yogurt")
        let food = try #require(Fixture.knowledge().food(id: p.foodID))
        #expect(food.tags.contains(.vegan))
        #expect(p.foodID == "tofu_firm")
    }

    @Test func veganDoesNotCountAnimalFoodsInView() throws {
        let omnivore = try run("smart-fridge", "deficit")
        let vegan = try run("smart-fridge", "vegan")
        #expect(try #require(grams(vegan, .supply)) < (try #require(grams(omnivore, .supply))))
        let excluded = vegan.trace.facts.filter { $0.kind == .excludedFood }.compactMap { f -> String? in
            if case .text(let t) = f.value { return t }; return nil
        }
        #expect(excluded.contains("chicken") && excluded.contains("cheese") && excluded.contains("shrimp"))
        #expect(vegan.proposal?.foodID == "tofu_firm")
    }

    @Test func lactoseFreeGetsALactoseFreeOption() throws {
        let r = try run("potatoes", "lactose-free")
        let p = try #require(r.proposal)
        let food = try #require(Fixture.knowledge().food(id: p.foodID))
        #expect(!food.tags.contains(.lactose))
        #expect(p.foodID == "lactose_free_milk")
    }

    @Test func aLargerDeficitGivesALargerQuantity() throws {
        let small = try #require(try run("potatoes", "deficit-20").proposal)
        let large = try #require(try run("potatoes", "deficit-60").proposal)
        #expect(large.deficitGrams > small.deficitGrams)
        #expect(large.quantity > small.quantity)
        #expect(small.foodID == large.foodID)
    }

    @Test func appleHealthProfileUsesTheExport() throws {
        let r = try run("potatoes", "apple-health")
        let target = try #require(r.trace.fact("health.proteinTarget"))
        #expect(target.gramsValue == 83.99)  // 154.3 lb = 69.99 kg × 1.2
        let mass = try #require(target.evidence.profile.first { $0.field == "appleHealth.latestBodyMass" })
        #expect(mass.source.hasPrefix("Samples/profiles/apple-health/export.xml:"))
        #expect(mass.value.contains("154.3 lb"))
        #expect(r.trace.fact("health.proteinEaten")?.gramsValue == 38.5)
    }

    @Test func notAFoodStorageSceneMeansNoAction() throws {
        let frames = (1...3).map { k in
            Observation(
                sequence: UInt64(k), origin: "street-\(k)", detections: [Fixture.detection("person"), Fixture.detection("car", x: 100)])
        }
        let r = try Fixture.reasoner().run(observations: frames, profile: Fixture.profile("deficit"), today: Fixture.today)
        #expect(r.trace.fact("scene.foodStorage")?.value == .flag(false))
        #expect(r.proposal == nil)
        #expect(r.trace.fact("action.none") != nil)
    }

    @Test func aRefrigeratorAloneIsFoodStorage() throws {
        let frames = [Observation(sequence: 1, origin: "f", detections: [Fixture.detection("refrigerator", 0.8)])]
        let r = try Fixture.reasoner().run(observations: frames, profile: Fixture.profile("deficit"), today: Fixture.today)
        let scene = try #require(r.trace.fact("scene.foodStorage"))
        #expect(scene.value == .flag(true))
        #expect(scene.confidence == 0.8)
        #expect(r.proposal?.quantity == 3)  // 44 g / 16.07 g per container → ⌈2.74⌉
    }

    /// Every labelled photo of every set, one frame each: the chain never throws, every label is a
    /// food or an unknown food, and the supply is exactly the sum the knowledge base gives.
    @Test(.needsFridgeData) func everyLabelledPhotoFollowsTheArithmetic() throws {
        let reasoner = try Fixture.reasoner()
        let knowledge = try Fixture.knowledge()
        let profile = try Fixture.profile("deficit")
        let sets: [(String, Float, Float)] = [
            ("train", 640, 640), ("extra/epicureai", 512, 512), ("extra/cntk_grocery", 1000, 1333),
            ("extra/fridgeobjects_icevision", 499, 666),
        ]
        let ignored: Set<String> = ["water", "water_bottle", "can"]  // containers the chain ignores
        var photos = 0
        for (set, w, h) in sets {
            let classes = try Fixture.classes(set)
            let files = try FileManager.default.contentsOfDirectory(atPath: Fixture.fridgeData + "/\(set)/labels").filter {
                $0.hasSuffix(".txt")
            }.sorted()
            for file in files {
                let frame = try Fixture.frame(dataset: set, file: file, width: w, height: h, sequence: 1, classes: classes)
                let r = try reasoner.run(observations: [frame], profile: profile, today: Fixture.today)
                photos += 1
                var expected = 0.0
                var perFood: [String: Int] = [:]
                for label in Set(frame.detections.map(\.label)) where !ignored.contains(label) {
                    if let food = knowledge.food(forLabel: label) {
                        // Count after merging same-label boxes with IoU ≥ 0.5 (ground truth rarely overlaps that much).
                        var kept: [Rect] = []
                        let ordered = frame.detections.sorted {
                            ($0.box.x, $0.box.y, $0.box.width, $0.box.height) < ($1.box.x, $1.box.y, $1.box.width, $1.box.height)
                        }
                        for d in ordered where d.label == label && !kept.contains(where: { $0.iou(d.box) >= 0.5 }) { kept.append(d.box) }
                        perFood[food.id, default: 0] += kept.count
                    } else {
                        #expect(
                            r.trace.facts.contains { $0.kind == .unknownFood && $0.value == .text(label) },
                            "\(file): \(label) is an unknown food")
                    }
                }
                for (id, count) in perFood {
                    expected += Double(min(count, 2)) * knowledge.food(id: id)!.proteinPerPortion
                }
                let supply = try #require(r.trace.fact("inference.supply")?.gramsValue)
                #expect(abs(supply - expected) < 0.011, "\(set)/\(file): supply \(supply) vs \(expected)")
                let need = 44.0
                let deficit = try #require(r.trace.fact("inference.deficit")?.gramsValue)
                #expect(abs(deficit - max(0, need - supply)) < 0.011)
                if let p = r.proposal {
                    #expect(p.quantity == Int((deficit / knowledge.food(id: "greek_yogurt")!.proteinPerPortion - 1e-9).rounded(.up)))
                } else {
                    #expect(deficit < 0.5 || r.trace.fact("scene.foodStorage")?.value == .flag(false))
                }
            }
        }
        #expect(photos == 22 + 225 + 25 + 6)
    }
}
