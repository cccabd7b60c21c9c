import Foundation
import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct JSONTests {
    @Test func syntaxErrorsCarryLineAndColumn() {
        let cases: [(String, Int, Int)] = [
            ("{\n  \"a\": 1,\n  \"b\": tru\n}", 3, 8),
            ("[1, 2,\n]", 2, 1),
            ("{\"a\": 1} x", 1, 10),
            ("{\"a\": \"é\" \"b\"}", 1, 11),
            ("", 1, 1),
            ("{\"a\": 01}", 1, 7),
            ("{\"a\": 1, \"a\": 2}", 1, 10),
        ]
        for (text, line, column) in cases {
            #expect(throws: JSONSyntaxError.self) { try JSONValue.parse(text) }
            do { _ = try JSONValue.parse(text) } catch {
                #expect(error.line == line && error.column == column, "\(text.debugDescription): \(error)")
            }
        }
    }

    @Test func parsesAndWritesCanonically() throws {
        let v = try JSONValue.parse(#"{"b": [1, 2.5, -0.125, 1e3, true, null], "a": "x\"y\n\u00e9\ud83d\ude00"}"#)
        #expect(
            v.canonicalText()
                == "{\n  \"a\": \"x\\\"y\\né😀\",\n  \"b\": [\n    1,\n    2.5,\n    -0.125,\n    1000,\n    true,\n    null\n  ]\n}\n")
        #expect(try JSONValue.parse(v.canonicalText()) == v)
    }

    @Test func numbersHaveOneFormat() {
        #expect(canonicalNumber(44) == "44")
        #expect(canonicalNumber(0.1 + 0.2) == "0.3")
        #expect(canonicalNumber(Double(Float(0.87))) == "0.87")
        #expect(canonicalNumber(-2.5) == "-2.5")
        #expect(canonicalNumber(-0.0000001) == "0")
        #expect(canonicalNumber(1234567.0000004) == "1234567")
        #expect(canonicalNumber(6.2800000000000002) == "6.28")
    }
}

@Suite struct KnowledgeTests {
    @Test(.enabled(if: TestData.hasFridgeFile("classes.txt"), Comment(rawValue: TestData.fridgeMissing))) func everyFridgeClassIsKnown() throws {
        let k = try Fixture.knowledge()
        for label in try Fixture.classes("train") {
            #expect(k.food(forLabel: label) != nil, "Smart Refrigerator class \(label)")
        }
    }

    @Test func cocoFoodClassesAndRecommendationsAreKnown() throws {
        let k = try Fixture.knowledge()
        for label in ["banana", "apple", "sandwich", "orange", "broccoli", "carrot", "hot dog", "pizza", "donut", "cake"] {
            #expect(k.food(forLabel: label) != nil, "COCO class \(label)")
        }
        for id in ["greek_yogurt", "tofu_firm", "lentils_cooked", "lactose_free_milk", "yogurt", "salmon"] {
            #expect(k.food(id: id) != nil, "\(id)")
        }
        #expect(k.food(id: "tofu_firm")!.tags.contains(.vegan))
        #expect(k.food(id: "lentils_cooked")!.tags.contains(.vegan))
        #expect(!k.food(id: "lactose_free_milk")!.tags.contains(.lactose))
        #expect(k.food(id: "greek_yogurt")!.tags.contains(.lactose))
    }

    @Test func extraSetNamesMapWhereRight() throws {
        let k = try Fixture.knowledge()
        let expected = [
            "egg": "eggs", "mik": "milk", "cured_ goat_cheese": "goat_cheese", "eggBox": "eggs", "joghurt": "yogurt",
            "milk_bottle": "milk", "courgette": "zucchini", "salmon": "salmon", "mushroom": "mushrooms",
        ]
        for (label, id) in expected { #expect(k.food(forLabel: label)?.id == id, "\(label) → \(id)") }
        for (label, id) in ["milk_almond": "almond_milk", "oat": "oats", "oat_milk": "oat_milk", "squash": "squash"] {
            #expect(k.food(forLabel: label)?.id == id, "\(label) → \(id)")
        }
        // Containers are not foods: the knowledge does not name them (the chain ignores them).
        for label in ["can", "bottle", "water"] { #expect(k.food(forLabel: label) == nil, "\(label)") }
    }

    /// Every label the grocery detector emits (Models/grocery-taxonomy.json) is a food the
    /// knowledge names, or a label the fridge chain's inventory ignores: the containers, and
    /// `fridge_interior` (the view itself, which the scene step rests on).
    @Test func everyGroceryModelLabelIsKnownOrIgnored() throws {
        let k = try Fixture.knowledge()
        let taxonomy = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: Fixture.root + "/Models/grocery-taxonomy.json"))) as! [String: Any]
        let chain = try JSONSerialization.jsonObject(
            with: Data(contentsOf: URL(fileURLWithPath: Fixture.root + "/Models/chains/fridge.json"))) as! [String: Any]
        let inventory = (chain["steps"] as! [[String: Any]]).first { $0["type"] as? String == "inventory" }!
        let ignored = Set((inventory["parameters"] as! [String: Any])["ignoreLabels"] as! [String])
        let classes = taxonomy["classes"] as! [String]
        #expect(classes.count == 48 && classes.last == "fridge_interior")
        for label in classes {
            let known = k.food(forLabel: label) != nil
            #expect(known != ignored.contains(label), "\(label): known food \(known), ignored \(ignored.contains(label))")
        }
        #expect(classes.filter { ignored.contains($0) }.sorted() == ["bottle", "can", "fridge_interior"])
    }

    @Test func figuresAreSane() throws {
        let k = try Fixture.knowledge()
        #expect(k.foods.count >= 50)
        for f in k.foods {
            #expect(f.proteinPer100g >= 0 && f.proteinPer100g <= 100)
            // Protein cannot carry more energy than 4 kcal/g allows.
            #expect(f.proteinPer100g * 4 <= f.energyKcalPer100g + 1, "\(f.id)")
            #expect(!f.source.description.isEmpty && !f.source.file.isEmpty)
            #expect(f.source.ndbNumber != nil || f.source.database.contains("FoodData Central"), "\(f.id) has a USDA source")
        }
        let egg = try #require(k.food(id: "eggs"))
        #expect(egg.proteinPer100g == 12.56 && egg.portionGrams == 50 && egg.proteinPerPortion == 6.28)
        #expect(egg.source.ndbNumber == "01123" && egg.source.description == "Egg, whole, raw, fresh")
    }
}

@Suite struct AppleHealthTests {
    @Test func theCommittedSampleIsTheGeneratedOne() {
        if let problem = Fixture.golden(AppleHealthSample.text, AppleHealthSample.path) { Issue.record(Comment(rawValue: problem)) }
    }

    @Test func sumsTodaysProteinAndFindsTheLatestBodyMass() throws {
        let path = try Fixture.temp("export.xml", AppleHealthSample.text)
        let s = try AppleHealthImporter.importExport(path: path, name: "export.xml")
        #expect(s.file == "export.xml")
        let today = try #require(s.protein[LocalDate("2026-11-22")!])
        #expect(today.records == 3)
        #expect(abs(today.proteinGrams - 38.5) < 1e-9)
        #expect(abs(s.protein[LocalDate("2026-11-21")!]!.proteinGrams - 61.4) < 1e-9)
        #expect(s.protein[LocalDate("2026-11-19")!]?.records == 3)
        let mass = try #require(s.latestBodyMass)
        #expect(abs(mass.kilograms - 154.3 * 0.45359237) < 1e-9)
        #expect(mass.original == "154.3 lb")
        #expect(mass.date == "2026-11-21 07:10:42 +0100")
        #expect(s.recordCount == 16)  // 12 protein, 2 body mass, 1 step count, 1 energy
    }

    @Test func aLaterRecordInKilogramsWins() throws {
        let text = AppleHealthSample.text.replacingOccurrences(
            of: "</HealthData>", with: AppleHealthSample.mass("2026-11-21 22:00:00 -0800", "68.2", "kg") + "</HealthData>")
        let s = try AppleHealthImporter.importExport(path: Fixture.temp("later.xml", text))
        #expect(s.latestBodyMass?.kilograms == 68.2)  // 2026-11-22 06:00 UTC, after 2026-11-21 06:10 UTC
    }
}

@Suite struct PerformanceReport {
    /// Prints the reasoner's cost per run (no assertion on time: tests check correctness only).
    /// Build with -c release for a meaningful figure.
    @Test(.needsFridgeData) func printCostPerRun() throws {
        let reasoner = try Fixture.reasoner()
        let profile = try Fixture.profile("deficit")
        let single = try Fixture.scene("eggs-salmon-cheese")
        let window = try Fixture.scene("smart-fridge")
        for (name, frames) in [("1 frame", single), ("8 frames", window)] {
            _ = try reasoner.run(observations: frames, profile: profile, today: Fixture.today)
            let n = 200
            let clock = ContinuousClock()
            var json = 0
            let t = try clock.measure {
                for _ in 0..<n { json &+= try reasoner.run(observations: frames, profile: profile, today: Fixture.today).trace.steps.count }
            }
            let t2 = try clock.measure {
                for _ in 0..<n {
                    json &+= try reasoner.run(observations: frames, profile: profile, today: Fixture.today).trace.jsonText.utf8.count
                }
            }
            let us = Double(t.components.attoseconds) / 1e12 / Double(n) + Double(t.components.seconds) * 1e6 / Double(n)
            let us2 = Double(t2.components.attoseconds) / 1e12 / Double(n) + Double(t2.components.seconds) * 1e6 / Double(n)
            print(
                "reasoner cost (\(name), \(frames.reduce(0) { $0 + $1.detections.count }) detections): \(Int(us)) µs per run; \(Int(us2)) µs with the JSON trace [\(json)]"
            )
        }
    }
}

@Suite struct ModelEvidenceTests {
    /// Boxes from a detector set name their model in the evidence (JSON and text); human-made
    /// boxes name none (the golden traces of labelled photos do not change).
    @Test func evidenceNamesTheModelThatSawTheBox() throws {
        let box = Rect(x: 10, y: 10, width: 50, height: 50)
        let frame = Observation(
            sequence: 1, origin: "fridge.jpg",
            detections: [
                Detection(label: "eggs", classID: 12, score: 0.9, box: box, model: "grocery-yolov3-tiny"),
                Detection(label: "refrigerator", classID: 72, score: 0.8, box: Rect(x: 0, y: 0, width: 400, height: 600), model: "yolov3-tiny"),
                Detection(label: "cheese", classID: 7, score: 1, box: Rect(x: 100, y: 10, width: 50, height: 50)),
            ])
        let run = try Fixture.reasoner().run(observations: [frame], profile: try Fixture.profile("deficit"), today: Fixture.today)
        let eggs = try #require(run.trace.fact("inventory.eggs"))
        #expect(eggs.evidence.detections.map(\.model) == ["grocery-yolov3-tiny"])
        #expect(run.trace.fact("inventory.cheese")?.evidence.detections.map(\.model) == [nil])
        #expect(run.trace.text.contains("eggs 0.9 by grocery-yolov3-tiny at (10,10 50x50) frame 1"))
        #expect(run.trace.text.contains("refrigerator 0.8 by yolov3-tiny at"))
        #expect(run.trace.text.contains("cheese 1 at (100,10 50x50) frame 1"))
        #expect(run.trace.jsonText.contains("\"model\": \"grocery-yolov3-tiny\""))
    }
}
