import Foundation
import Reasoning
import SightlineCore
import Testing

/// Issue 16's hostile inputs to the reasoning's readers: huge numbers, values outside the
/// profile's ranges in an Apple Health export, paths that are not files. Each is an error that
/// names the input; none traps.
@Suite struct HostileReasoningInputTests {
    /// Numbers past Int64 are written out in full, never trapped on (`Int64(x)` used to).
    @Test func canonicalNumbersOfAnySize() {
        #expect(canonicalNumber(1e19) == "10000000000000000000")
        #expect(canonicalNumber(-1e19) == "-10000000000000000000")
        #expect(canonicalNumber(9.3e18) == "9300000000000000000")
        #expect(canonicalNumber(0x1p64) == "18446744073709551616")
        #expect(canonicalNumber(1e308).count == 309)
        #expect(canonicalNumber(1e308).hasPrefix("1000000000000000010979"))
        #expect(canonicalNumber(.greatestFiniteMagnitude).hasPrefix("17976931348623157"))
        #expect(canonicalNumber(1.5e13) == "15000000000000")
    }

    /// A profile whose body mass is 1e19 is refused with its range (formatting the message
    /// used to trap).
    @Test func aHugeBodyMassInAProfileIsOutOfRange() {
        let text = #"{"format": "sightline-profile/1", "name": "x", "proteinGramsPerKg": 1.2, "bodyMassKg": 1e19}"#
        #expect {
            _ = try Profile.decode(Array(text.utf8), file: "p.json")
        } throws: { error in
            "\(error)".contains("p.json: bodyMassKg: must be between 2 and 500, found 10000000000000000000")
        }
    }

    func export(_ records: String) throws -> String {
        try Fixture.temp(
            "hostile-\(UUID().uuidString.prefix(8)).xml",
            AppleHealthSample.text.replacingOccurrences(of: "</HealthData>", with: records + "</HealthData>"))
    }

    @Test(arguments: [
        ("1e19", "g", "DietaryProtein"), ("1e300", "kg", "BodyMass"), ("0", "kg", "BodyMass"), ("1", "g", "BodyMass"),
    ])
    func appleHealthValuesOutsideTheProfilesRangesAreRefusedByLine(_ value: String, _ unit: String, _ kind: String) throws {
        let record =
            kind == "BodyMass"
            ? AppleHealthSample.mass("2026-11-22 07:00:00 +0100", value, unit)
            : AppleHealthSample.protein("2026-11-22", "12:00:00", "+0100", value, "Lunch")
        let path = try export(record)
        #expect {
            _ = try AppleHealthImporter.importExport(path: path, name: "export.xml")
        } throws: { error in
            let text = "\(error)"
            return text.hasPrefix("export.xml:") && text.contains(kind) && text.contains(value)
        }
    }

    /// A byte that is not UTF-8 in an attribute name trapped inside Foundation's XMLParser
    /// (found by fuzzing the importer); it is now refused with its line before the parser sees it.
    @Test func anAttributeNameThatIsNotUTF8IsRefusedByLine() throws {
        let record = AppleHealthSample.protein("2026-11-22", "12:00:00", "+0100", "20", "Lunch")
            .replacingOccurrences(of: "sourceName", with: "source\u{1}Name")
        var bytes = Array(try String(contentsOfFile: export(record), encoding: .utf8).utf8)
        let at = try #require(bytes.firstIndex(of: 1))
        bytes[at] = 0xE9  // Latin-1 é, not UTF-8
        let path = try Fixture.temp("hostile-latin1.xml", "")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let line = bytes[..<at].count(where: { $0 == 0x0A }) + 1
        #expect {
            _ = try AppleHealthImporter.importExport(path: path, name: "export.xml")
        } throws: { error in
            "\(error)".hasPrefix("export.xml:\(line):") && "\(error)".contains("not UTF-8")
        }
    }

    /// Characters of two, three and four bytes cut by the importer's 64 KiB chunks are read
    /// whole: an export full of them imports as the same export without them.
    @Test func multiByteCharactersAcrossChunksAreRead() throws {
        var records = ""
        for i in 0..<900 {
            records += AppleHealthSample.record(
                "HKQuantityTypeIdentifierStepCount", source: "Avery’s iPhone é 😀 \(String(repeating: "ü", count: i % 7))", version: "18.1",
                unit: "count", created: "2026-11-20 10:00:00 +0100", start: "2026-11-20 10:00:00 +0100",
                end: "2026-11-20 10:00:00 +0100", value: "23")
        }
        let summary = try AppleHealthImporter.importExport(path: export(records))
        let plain = try AppleHealthImporter.importExport(path: export(""))
        #expect(summary.recordCount == plain.recordCount + 900)
        #expect(summary.protein == plain.protein)
    }

    /// A directory (or a FIFO) given as the export is named as such, without XML parser codes.
    @Test func anAppleHealthPathThatIsNotAFileIsNamed() throws {
        let dir = NSTemporaryDirectory() + "sightline-health-dir-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect {
            _ = try AppleHealthImporter.importExport(path: dir)
        } throws: { error in
            "\(error)".contains(dir) && "\(error)".contains("EISDIR") && !"\(error)".contains("XML parser error")
        }
        let fifo = dir + "/export.xml"
        unlink(fifo)
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect {
            _ = try AppleHealthImporter.importExport(path: fifo)
        } throws: { error in
            "\(error)".contains("FIFO")
        }
    }

    /// A nutrition file whose numbers are 1e308: errors naming the field, no trap.
    @Test func hugeNumbersInTheKnowledgeAreOutOfRange() throws {
        let text = try String(contentsOfFile: Fixture.root + "/Models/nutrition.json", encoding: .utf8)
        for field in ["proteinPer100g", "fdcId"] {
            let hostile = text.replacingOccurrences(
                of: "\"\(field)\": null", with: "\"\(field)\": 1e308", options: [], range: nil)
            let replaced =
                hostile == text
                ? text.replacingOccurrences(
                    of: #""\#(field)": [0-9.]+"#, with: "\"\(field)\": 1e308", options: .regularExpression)
                : hostile
            #expect(replaced != text)
            #expect {
                _ = try NutritionKnowledge.decode(Array(replaced.utf8), file: "n.json")
            } throws: { error in
                "\(error)".contains("n.json") && "\(error)".contains(field)
            }
        }
    }

    /// A FIFO named like a chain is refused at once, not waited on.
    @Test func aFIFONamedLikeAChainIsRefused() throws {
        let dir = NSTemporaryDirectory() + "sightline-fifo-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let fifo = dir + "/chain.json"
        unlink(fifo)
        #expect(mkfifo(fifo, 0o644) == 0)
        #expect {
            _ = try ChainDefinition.load(path: fifo)
        } throws: { error in
            "\(error)".contains(fifo) && "\(error)".contains("FIFO")
        }
    }
}
