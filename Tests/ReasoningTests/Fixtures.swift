import Foundation
import Reasoning
import SightlineCore
import SightlineTestSupport

/// Paths, loaders and the golden-file check shared by the reasoning tests.
enum Fixture {
    static let root = Reference.repoRoot
    /// The labelled fridge photos, read in place (see PROVENANCE.md there).
    static let fridgeData = TestData.fridge
    static let today = LocalDate("2026-11-22")!
    static let updateGolden = ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_GOLDEN"] == "1"

    static func knowledge() throws -> NutritionKnowledge {
        try NutritionKnowledge.load(path: root + "/Models/nutrition.json", name: "Models/nutrition.json")
    }

    static func chain() throws -> ChainDefinition {
        try ChainDefinition.load(path: root + "/Models/chains/fridge.json", name: "Models/chains/fridge.json")
    }

    static func reasoner() throws -> Reasoner { try Reasoner(chain: chain(), knowledge: knowledge()) }

    static func profile(_ name: String) throws -> Profile {
        try Profile.load(path: root + "/Samples/profiles/\(name).json", name: "Samples/profiles/\(name).json")
    }

    static func classes(_ dataset: String) throws -> [String] {
        let path = TestData.fridgeFile(dataset == "train" ? "classes.txt" : "\(dataset)/classes.txt")
        return try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .map(String.init).filter { !$0.isEmpty }
    }

    /// One YOLO label file as an observation: ground-truth boxes become detections with score 1.
    static func frame(dataset: String, file: String, width: Float, height: Float, sequence: UInt64, classes: [String]) throws -> Observation
    {
        let text = try String(contentsOfFile: TestData.fridgeFile("\(dataset)/labels/\(file)"), encoding: .utf8)
        var detections: [Detection] = []
        for line in text.split(separator: "\n") where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let f = line.split(separator: " ")
            guard f.count == 5, let c = Int(f[0]), c >= 0, c < classes.count,
                let cx = Float(f[1]), let cy = Float(f[2]), let w = Float(f[3]), let h = Float(f[4])
            else {
                throw ReferenceError(message: "\(dataset)/labels/\(file): bad label line \"\(line)\"")
            }
            detections.append(
                Detection(
                    label: classes[c], classID: c, score: 1,
                    box: Rect(x: (cx - w / 2) * width, y: (cy - h / 2) * height, width: w * width, height: h * height)))
        }
        let image = file.hasSuffix(".txt") ? String(file.dropLast(4)) + ".jpg" : file
        return Observation(
            sequence: sequence, timestamp: Timestamp(nanoseconds: sequence * 33_333_333),
            origin: "fridge/\(dataset)/images/\(image)", detections: detections)
    }

    struct Scene {
        var name: String
        var dataset: String
        var width: Float
        var height: Float
        var frames: [String]
        var profiles: [String]
    }

    static func scenes() throws -> [Scene] { try cachedScenes.get() }

    private static let cachedScenes: Result<[Scene], any Error> = Result {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: root + "/Samples/golden/scenes.json")))
        guard case .object(let doc) = try JSONValue.parse(bytes), case .array(let list)? = doc["scenes"] else {
            throw ReferenceError(message: "Samples/golden/scenes.json: no scenes")
        }
        func str(_ v: JSONValue?) -> String { if case .string(let s)? = v { return s }; return "" }
        func num(_ v: JSONValue?) -> Float { if case .number(let x)? = v { return Float(x) }; return 0 }
        func strs(_ v: JSONValue?) -> [String] { if case .array(let a)? = v { return a.map { str($0) } }; return [] }
        return list.compactMap { item in
            guard case .object(let o) = item else { return nil }
            return Scene(
                name: str(o["name"]), dataset: str(o["dataset"]), width: num(o["width"]), height: num(o["height"]),
                frames: strs(o["frames"]), profiles: strs(o["profiles"]))
        }
    }

    static func scene(_ name: String) throws -> [Observation] {
        guard let s = try scenes().first(where: { $0.name == name }) else { throw ReferenceError(message: "no scene \(name)") }
        return try observations(s)
    }

    static func observations(_ s: Scene) throws -> [Observation] {
        let classes = try classes(s.dataset)
        return try s.frames.enumerated().map { k, f in
            try frame(dataset: s.dataset, file: f, width: s.width, height: s.height, sequence: UInt64(k + 1), classes: classes)
        }
    }

    /// Compares `text` with the committed file byte for byte; with SIGHTLINE_UPDATE_GOLDEN=1,
    /// writes it instead. Returns nil when they match (or were updated), else a message.
    static func golden(_ text: String, _ relative: String) -> String? {
        let path = root + "/" + relative
        if updateGolden {
            try? FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try! text.write(toFile: path, atomically: true, encoding: .utf8)
            return nil
        }
        guard let committed = FileManager.default.contents(atPath: path) else {
            return "\(relative) is missing: run SIGHTLINE_UPDATE_GOLDEN=1 swift test --filter ReasoningTests and review it"
        }
        if [UInt8](committed) == Array(text.utf8) { return nil }
        let a = String(decoding: committed, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let b = text.split(separator: "\n", omittingEmptySubsequences: false)
        let line = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
        let want = line < a.count ? String(a[line]) : "<end>", got = line < b.count ? String(b[line]) : "<end>"
        return
            "\(relative) differs at line \(line + 1):\n  golden: \(want)\n  now:    \(got)\n(if the change is intended: SIGHTLINE_UPDATE_GOLDEN=1 swift test --filter ReasoningTests, and review the diff)"
    }

    /// A temporary file with `text`, removed by the caller if it likes.
    static func temp(_ name: String, _ text: String) throws -> String {
        let dir = NSTemporaryDirectory() + "sightline-reasoning-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func detection(_ label: String, _ score: Float = 0.9, x: Float = 10, y: Float = 10, w: Float = 50, h: Float = 50) -> Detection {
        Detection(label: label, classID: 0, score: score, box: Rect(x: x, y: y, width: w, height: h))
    }
}

/// Writes a small Apple Health export in Apple's format (the layout of export.xml from the Health
/// app's "Export All Health Data": the DTD, ExportDate, Me, then Record elements with
/// MetadataEntry children). The project's own sample; no real person's data.
enum AppleHealthSample {
    static let path = "Samples/profiles/apple-health/export.xml"

    static func record(
        _ type: String, source: String, version: String, device: Bool = false, unit: String, created: String, start: String, end: String,
        value: String, meal: String? = nil
    ) -> String {
        var s = " <Record type=\"\(type)\" sourceName=\"\(source)\" sourceVersion=\"\(version)\""
        if device {
            s +=
                " device=\"&lt;&lt;HKDevice: 0x600003f1c0a0&gt;, name:Body Cardio, manufacturer:Withings, model:WBS04, hardware:1, software:1.2.3&gt;\""
        }
        s += " unit=\"\(unit)\" creationDate=\"\(created)\" startDate=\"\(start)\" endDate=\"\(end)\" value=\"\(value)\""
        if let meal {
            return s
                + ">\n  <MetadataEntry key=\"meal\" value=\"\(meal)\"/>\n  <MetadataEntry key=\"HKFoodType\" value=\"\(meal) (logged)\"/>\n </Record>\n"
        }
        return s + "/>\n"
    }

    static func protein(_ day: String, _ time: String, _ tz: String, _ grams: String, _ meal: String) -> String {
        let stamp = "\(day) \(time) \(tz)"
        return record(
            AppleHealthImporter.proteinType, source: "MyFitnessPal", version: "24.1.0", unit: "g",
            created: stamp, start: stamp, end: stamp, value: grams, meal: meal)
    }

    static func mass(_ stamp: String, _ value: String, _ unit: String) -> String {
        record(
            AppleHealthImporter.bodyMassType, source: "Health Mate", version: "6.3.1", device: true, unit: unit,
            created: stamp, start: stamp, end: stamp, value: value)
    }

    /// Today (2026-11-22) has 3 protein records summing to 38.5 g in the wearer's local dates
    /// (one written at 06:00 -0500 while travelling; one at 00:30 +0100 just after midnight);
    /// one at 23:50 +0100 on the 21st must not count. The latest body mass is 154.3 lb
    /// (69.99 kg) on the 21st; an older one is in kg.
    static var text: String {
        var s = """
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE HealthData [
            <!-- HealthKit Export Version: 14 -->
            <!ELEMENT HealthData (ExportDate,Me,(Record|Correlation|Workout|ActivitySummary|ClinicalRecord)*)>
            <!ATTLIST HealthData
              locale CDATA #REQUIRED
            >
            <!ELEMENT ExportDate EMPTY>
            <!ATTLIST ExportDate
              value CDATA #REQUIRED
            >
            <!ELEMENT Me EMPTY>
            <!ATTLIST Me
              HKCharacteristicTypeIdentifierDateOfBirth         CDATA #REQUIRED
              HKCharacteristicTypeIdentifierBiologicalSex       CDATA #REQUIRED
              HKCharacteristicTypeIdentifierBloodType           CDATA #REQUIRED
              HKCharacteristicTypeIdentifierFitzpatrickSkinType CDATA #REQUIRED
            >
            <!ELEMENT Record ((MetadataEntry|HeartRateVariabilityMetadataList)*)>
            <!ATTLIST Record
              type          CDATA #REQUIRED
              unit          CDATA #IMPLIED
              value         CDATA #IMPLIED
              sourceName    CDATA #REQUIRED
              sourceVersion CDATA #IMPLIED
              device        CDATA #IMPLIED
              creationDate  CDATA #IMPLIED
              startDate     CDATA #REQUIRED
              endDate       CDATA #REQUIRED
            >
            <!ELEMENT MetadataEntry EMPTY>
            <!ATTLIST MetadataEntry
              key   CDATA #REQUIRED
              value CDATA #REQUIRED
            >
            ]>
            <HealthData locale="en_GB">
             <ExportDate value="2026-11-22 20:15:03 +0100"/>
             <Me HKCharacteristicTypeIdentifierDateOfBirth="1991-03-14" HKCharacteristicTypeIdentifierBiologicalSex="HKBiologicalSexFemale" HKCharacteristicTypeIdentifierBloodType="HKBloodTypeNotSet" HKCharacteristicTypeIdentifierFitzpatrickSkinType="HKFitzpatrickSkinTypeNotSet"/>

            """
        s += mass("2026-11-15 07:02:11 +0100", "71.3", "kg")
        s += record(
            "HKQuantityTypeIdentifierStepCount", source: "Avery’s iPhone", version: "18.1", unit: "count",
            created: "2026-11-19 09:10:00 +0100", start: "2026-11-19 08:51:00 +0100", end: "2026-11-19 09:01:00 +0100", value: "1204")
        s += protein("2026-11-19", "08:10:00", "+0100", "21", "Breakfast")
        s += protein("2026-11-19", "13:05:00", "+0100", "34.2", "Lunch")
        s += protein("2026-11-19", "19:40:00", "+0100", "41", "Dinner")
        s += protein("2026-11-20", "08:20:00", "+0100", "19.5", "Breakfast")
        s += protein("2026-11-20", "12:55:00", "+0100", "30", "Lunch")
        s += protein("2026-11-20", "20:10:00", "+0100", "38.8", "Dinner")
        s += mass("2026-11-21 07:10:42 +0100", "154.3", "lb")
        s += protein("2026-11-21", "08:00:00", "+0100", "22", "Breakfast")
        s += protein("2026-11-21", "13:30:00", "+0100", "27.4", "Lunch")
        s += protein("2026-11-21", "23:50:00", "+0100", "12", "Snacks")
        s += protein("2026-11-22", "00:30:00", "+0100", "6", "Snacks")
        s += record(
            "HKQuantityTypeIdentifierDietaryEnergyConsumed", source: "MyFitnessPal", version: "24.1.0", unit: "kcal",
            created: "2026-11-22 08:05:00 +0100", start: "2026-11-22 08:05:00 +0100", end: "2026-11-22 08:05:00 +0100", value: "412")
        s += protein("2026-11-22", "08:05:00", "+0100", "23", "Breakfast")
        s += protein("2026-11-22", "06:00:00", "-0500", "9.5", "Snacks")
        s += "</HealthData>\n"
        return s
    }
}
