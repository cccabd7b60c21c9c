import Foundation
import Reasoning
import SightlineCore
import Testing

/// Bad inputs get clear errors naming the file and the line or field; never a crash.
@Suite struct BadInputTests {
    func chainError(_ text: String) throws -> ReasoningError {
        do {
            let chain = try ChainDefinition.decode(Array(text.utf8), file: "bad.json")
            _ = try Reasoner(chain: chain, knowledge: Fixture.knowledge())
        } catch let e as ReasoningError {
            return e
        }
        Issue.record("no error for: \(text)")
        return ReasoningError(.run, file: "", message: "none")
    }

    let head = #"{"format": "sightline-chain/1", "name": "t", "steps": ["#

    @Test func malformedChainNamesTheLine() throws {
        let text = head + "\n  {\"id\": \"scene\", \"type\": \"scene\"},\n  {\"id\": \"inv\" \"type\": \"inventory\"}\n]}\n"
        let e = try chainError(text)
        #expect(e.kind == .syntax)
        #expect(e.file == "bad.json")
        #expect(e.line == 3)
        #expect(e.description.hasPrefix("bad.json:3: "))
        #expect(e.message.contains("expected ',' or '}'"))
    }

    @Test func truncatedChainNamesTheLastLine() throws {
        let full = try String(contentsOfFile: Fixture.root + "/Models/chains/fridge.json", encoding: .utf8)
        let cut = String(full.prefix(full.count / 2))
        let e = try chainError(cut)
        #expect(e.kind == .syntax)
        #expect(e.line == cut.split(separator: "\n", omittingEmptySubsequences: false).count)
        #expect(e.message.contains("truncated"))
    }

    @Test func unknownStepTypeNamesTheStep() throws {
        let e = try chainError(head + #"{"id": "a", "type": "scene"}, {"id": "b", "type": "telepathy"}]}"#)
        #expect(e.kind == .chain)
        #expect(e.stepIndex == 1)
        #expect(e.field == "steps[1].type")
        #expect(e.message.contains("unknown step type \"telepathy\""))
        #expect(e.message.contains("inventory"))  // lists the known ones
    }

    @Test func unknownParameterIsAnError() throws {
        let e = try chainError(head + #"{"id": "inv", "type": "inventory", "parameters": {"minFrame": 3}}]}"#)
        #expect(e.stepIndex == 0)
        #expect(e.field == "steps[0].parameters.minFrame")
        #expect(e.message.contains("unknown field"))
    }

    @Test func illTypedParameterIsAnError() throws {
        let e = try chainError(
            head + #"{"id": "s", "type": "scene"}, {"id": "inv", "type": "inventory", "parameters": {"window": "five"}}]}"#)
        #expect(e.stepIndex == 1)
        #expect(e.field == "steps[1].parameters.window")
        #expect(e.message.contains("must be a number, found a string"))
        let e2 = try chainError(head + #"{"id": "inv", "type": "inventory", "parameters": {"window": 2.5}}]}"#)
        #expect(e2.message.contains("must be an integer"))
        let e3 = try chainError(head + #"{"id": "inv", "type": "inventory", "parameters": {"minScore": 1.5}}]}"#)
        #expect(e3.message.contains("between 0 and 1"))
        let e4 = try chainError(head + #"{"id": "inv", "type": "inventory", "parameters": {"window": 2, "minFrames": 3}}]}"#)
        #expect(e4.field == "steps[0].parameters.minFrames")
    }

    @Test func missingAndUnknownFieldsAreErrors() throws {
        let e = try chainError(head + #"{"id": "a"}]}"#)
        #expect(e.field == "steps[0].type")
        #expect(e.message.contains("missing"))
        let e2 = try chainError(#"{"format": "sightline-chain/1", "name": "t", "stepz": []}"#)
        #expect(e2.field == "steps")
        let e3 = try chainError(#"{"format": "sightline-chain/1", "name": "t", "steps": [{"id": "a", "type": "scene"}], "extra": 1}"#)
        #expect(e3.field == "extra")
        #expect(e3.message.contains("unknown field"))
        let e4 = try chainError(head + #"{"id": "a", "type": "scene"}, {"id": "a", "type": "scene"}]}"#)
        #expect(e4.message.contains("duplicate step id"))
        let e5 = try chainError(head + #"{"id": "act", "type": "action", "parameters": {"candidates": ["caviar"]}}]}"#)
        #expect(e5.field == "steps[0].parameters.candidates")
        #expect(e5.message.contains("caviar"))
    }

    @Test func aStepWithoutItsInputsFailsNamingTheStep() throws {
        let chain = try ChainDefinition.decode(Array((head + #"{"id": "infer", "type": "inference"}]}"#).utf8), file: "c.json")
        let reasoner = try Reasoner(chain: chain, knowledge: Fixture.knowledge())
        let profile = try Fixture.profile("deficit")
        let e = try #require(
            #expect(throws: ReasoningError.self) {
                try reasoner.run(observations: [], profile: profile, today: Fixture.today)
            })
        #expect(e.kind == .run && e.stepIndex == 0 && e.file == "c.json" && e.message.contains("health step"))
    }

    func profileError(_ text: String) -> ReasoningError? {
        do { _ = try Profile.decode(Array(text.utf8), file: "p.json") } catch { return error }
        return nil
    }

    @Test func negativeTargetNamesTheField() throws {
        let e = try #require(
            profileError(#"{"format": "sightline-profile/1", "name": "x", "dailyProteinTargetGrams": -50, "proteinEatenTodayGrams": 10}"#))
        #expect(e.kind == .profile)
        #expect(e.file == "p.json")
        #expect(e.field == "dailyProteinTargetGrams")
        #expect(e.message.contains("must not be negative"))
        #expect(e.description == "p.json: dailyProteinTargetGrams: must not be negative (found -50); grams of protein a day")
    }

    @Test func otherBadProfiles() throws {
        let base = #"{"format": "sightline-profile/1", "name": "x", "#
        #expect(profileError(base + #""proteinGramsPerKg": 1.2, "bodyMassKg": -70}"#)?.field == "bodyMassKg")
        #expect(profileError(base + #""proteinGramsPerKg": 1.2}"#)?.field == "bodyMassKg")
        #expect(profileError(base + #""proteinEatenTodayGrams": 10}"#)?.field == "dailyProteinTargetGrams")
        #expect(
            profileError(base + #""dailyProteinTargetGrams": 80, "proteinGramsPerKg": 1.2, "bodyMassKg": 70}"#)?.field
                == "proteinGramsPerKg")
        #expect(profileError(base + #""dailyProteinTargetGrams": 80, "proteinEatenTodayGrams": -1}"#)?.field == "proteinEatenTodayGrams")
        #expect(profileError(base + #""dailyProteinTargetGrams": 80, "restrictions": ["carnivore"]}"#)?.field == "restrictions[0]")
        #expect(profileError(base + #""dailyProteinTargetGrams": "80"}"#)?.message.contains("must be a number") == true)
        #expect(profileError(base + #""dailyProteinTarget": 80}"#)?.field == "dailyProteinTarget")
        #expect(profileError(base + #""dailyProteinTargetGrams": 80,}"#)?.kind == .syntax)
        #expect(throws: ReasoningError.self) { try Profile(name: "x", dailyProteinTargetGrams: -1) }
    }

    func healthError(_ name: String, _ text: String) throws -> ReasoningError? {
        let path = try Fixture.temp(name, text)
        do { _ = try AppleHealthImporter.importExport(path: path) } catch { return error }
        return nil
    }

    @Test func truncatedExportNamesTheFileAndLine() throws {
        let full = AppleHealthSample.text
        let lines = full.split(separator: "\n", omittingEmptySubsequences: false)
        // Cut inside the 60th line's Record element.
        let cut = lines.prefix(59).joined(separator: "\n") + "\n" + lines[59].prefix(40)
        let e = try #require(try healthError("truncated.xml", String(cut)))
        #expect(e.kind == .health)
        #expect(e.file.hasSuffix("truncated.xml"))
        let line = try #require(e.line)
        #expect(line >= 59 && line <= 60)
        #expect(e.message.contains("truncated"))
        // Cut cleanly after a whole record: well-formed so far, but no </HealthData>.
        let clean = lines.prefix(59).joined(separator: "\n") + "\n"
        let e2 = try #require(try healthError("truncated2.xml", clean))
        #expect(e2.kind == .health && e2.message.contains("truncated"))
        #expect(e2.line != nil)
    }

    @Test func anXMLThatIsNotAppleHealthIsRefused() throws {
        let e = try #require(try healthError("gpx.xml", "<?xml version=\"1.0\"?>\n\n<gpx version=\"1.1\"><trk/></gpx>\n"))
        #expect(e.kind == .health)
        #expect(e.line == 3)
        #expect(e.message.contains("not an Apple Health export"))
        #expect(e.message.contains("<gpx>"))
        let e2 = try #require(try healthError("notxml.xml", "{\"json\": true}\n"))
        #expect(e2.kind == .health && e2.line == 1)
        let e3 = try #require(try healthError("empty.xml", ""))
        #expect(e3.kind == .health)
        let e4 = try #require(
            try healthError(
                "badunit.xml",
                "<HealthData>\n<Record type=\"HKQuantityTypeIdentifierBodyMass\" unit=\"stone\" startDate=\"2026-11-22 08:00:00 +0100\" endDate=\"2026-11-22 08:00:00 +0100\" value=\"11\"/>\n</HealthData>\n"
            ))
        #expect(e4.line == 2 && e4.message.contains("stone"))
        let e5 = try #require(
            try healthError(
                "baddate.xml",
                "<HealthData>\n<Record type=\"HKQuantityTypeIdentifierDietaryProtein\" unit=\"g\" startDate=\"22/11/2026\" value=\"11\"/>\n</HealthData>\n"
            ))
        #expect(e5.line == 2 && e5.message.contains("startDate"))
        #expect(throws: ReasoningError.self) { try AppleHealthImporter.importExport(path: "/nonexistent/export.xml") }
    }

    @Test func unknownDetectorLabelIsAnUnknownFood() throws {
        let frames = (1...3).map { k in
            Observation(
                sequence: UInt64(k), origin: "f\(k)",
                detections: [
                    Fixture.detection("refrigerator", 0.9, w: 600, h: 600), Fixture.detection("dragonfruit", 0.8, x: 100),
                    Fixture.detection("eggs", 0.8, x: 300),
                ])
        }
        let r = try Fixture.reasoner().run(observations: frames, profile: Fixture.profile("deficit"), today: Fixture.today)
        let unknown = try #require(r.trace.fact("nutrition.unknown.dragonfruit"))
        #expect(unknown.kind == .unknownFood)
        #expect(unknown.value == .text("dragonfruit"))
        #expect(unknown.evidence.detections.first?.label == "dragonfruit")
        #expect(r.trace.fact("inference.supply")?.gramsValue == 6.28)  // the eggs only
        #expect(r.proposal != nil)
    }

    @Test func badKnowledgeFiles() throws {
        func err(_ text: String) -> ReasoningError? {
            do { _ = try NutritionKnowledge.decode(Array(text.utf8), file: "n.json") } catch { return error }
            return nil
        }
        let entry =
            #"{"id": "egg", "name": "Egg", "labels": ["egg"], "proteinPer100g": 12.56, "energyKcalPer100g": 143, "portion": {"grams": 50, "name": "large"}, "tags": ["vegetarian"], "source": {"database": "SR", "description": "Egg", "file": "f"}}"#
        #expect(err(#"{"format": "sightline-nutrition/1", "foods": ["# + entry + "]}") == nil)
        let negative = entry.replacingOccurrences(of: "12.56", with: "-1")
        #expect(err(#"{"format": "sightline-nutrition/1", "foods": ["# + negative + "]}")?.field == "foods[0].proteinPer100g")
        let badTag = entry.replacingOccurrences(of: "vegetarian", with: "keto")
        #expect(err(#"{"format": "sightline-nutrition/1", "foods": ["# + badTag + "]}")?.field == "foods[0].tags[0]")
        #expect(err(#"{"format": "sightline-nutrition/1", "foods": ["# + entry + "," + entry + "]}")?.message.contains("duplicate") == true)
        #expect(err(#"{"format": "sightline-nutrition/1", "foods": [{"id": 1}]}"#)?.field == "foods[0].id")
    }
}
