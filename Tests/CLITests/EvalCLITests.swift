import Foundation
import SightlineTestSupport
import Testing

/// `sightline eval` on real labelled photos beside the repository (CC BY 4.0 and the CNTK
/// examples, see PROVENANCE.md there), with the default COCO model.
@Suite struct EvalCLITests {
    let data = TestData.fridge
    var models: [String] { ["--models-dir", repoRoot + "/Models"] }

    /// Ground-truth boxes per class name in the label files of `images` (counted here, apart
    /// from the code under test).
    func countLabels(folder: String, images: [String], classes: [String]) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for name in images {
            let file = folder + "/labels/" + (name as NSString).deletingPathExtension + ".txt"
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                if let c = line.split(separator: " ").first.flatMap({ Int($0) }) { counts[classes[c], default: 0] += 1 }
            }
        }
        return counts
    }

    struct Output: Decodable {
        struct Class: Decodable {
            var label: String
            var groundTruth: Int
            var ap50: Double
            var ap: Double
            var recall: Double
        }
        struct Count: Decodable {
            var label: String
            var count: Int
        }
        struct Report: Decodable {
            var images: Int
            var classes: [Class]
            var map50: Double?
            var unnameable: [Count]
        }
        var model: String
        var report: Report
    }

    /// Eight EpicureAi photos: ground truth is read and mapped through the taxonomy (`egg` →
    /// `eggs`, `mik` → `milk`), only the classes COCO can name are scored, and the counts are
    /// the label files'.
    @Test(.needsFridgeData) func scoresARealFolderThroughTheTaxonomy() throws {
        let folder = data + "/extra/epicureai"
        let all = try FileManager.default.contentsOfDirectory(atPath: folder + "/images").sorted()
        let chosen = Array(all.prefix(8))
        let dir = tempDir()
        try ("# eight photos\n" + chosen.joined(separator: "\n") + "\n").write(toFile: dir + "/only.txt", atomically: true, encoding: .utf8)
        let r = try sightline(["eval", folder, "--only", dir + "/only.txt", "--json"] + models)
        #expect(r.status == 0, "\(r.err)")
        let out = try JSONDecoder().decode(Output.self, from: Data(r.out.utf8))
        #expect(out.model == "yolov3-tiny" && out.report.images == 8)
        let classes = try String(contentsOfFile: folder + "/classes.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        let expected = try countLabels(folder: folder, images: chosen, classes: classes)
        let coco = Set(["banana", "carrot", "apple", "orange", "broccoli", "bottle"])
        #expect(out.report.classes.map(\.label) == expected.keys.filter { coco.contains($0) }.sorted())
        for c in out.report.classes {
            #expect(c.groundTruth == expected[c.label], "\(c.label)")
            #expect((0...1).contains(c.ap50) && c.ap <= c.ap50 && (0...1).contains(c.recall))
        }
        let unnameable = Dictionary(uniqueKeysWithValues: out.report.unnameable.map { ($0.label, $0.count) })
        if let eggs = expected["egg"] { #expect(unnameable["eggs"] == eggs && unnameable["egg"] == nil) }
        #expect(unnameable["tomato"] == expected["tomato"])

        let text = try sightline(["eval", folder, "--only", dir + "/only.txt", "--classes", "banana,carrot"] + models)
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("mAP@0.5 ") && text.out.contains("mAP@0.5:0.95 "), "\(text.out)")
        #expect(text.out.contains("precision and recall at score ≥ 0.25, IoU 0.5"))
    }

    /// CNTK's fridge: `water` is scored as COCO's `bottle` (25 boxes, one in each photo).
    @Test(.needsFridgeData) func aliasesReachTheModelsLabels() throws {
        let r = try sightline(["eval", data + "/extra/cntk_grocery", "--classes", "bottle", "--json"] + models)
        #expect(r.status == 0, "\(r.err)")
        let out = try JSONDecoder().decode(Output.self, from: Data(r.out.utf8))
        #expect(out.report.classes.map(\.label) == ["bottle"] && out.report.classes[0].groundTruth == 25)
        #expect(out.report.images == 25 && out.report.unnameable.isEmpty)
    }

    @Test(.needsFridgeData) func badInputsAreNamed() throws {
        let dir = tempDir()
        let missing = try sightline(["eval", dir + "/nowhere"] + models)
        #expect(missing.status == 2 && missing.err.contains(dir + "/nowhere: no such folder"), "\(missing.err)")

        // A scratch folder with one real photo and a label file to spoil.
        let folder = dir + "/set"
        for sub in ["images", "labels"] { try FileManager.default.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true) }
        try FileManager.default.copyItem(atPath: data + "/extra/cntk_grocery/images/test_10.jpg", toPath: folder + "/images/a.jpg")
        try "apple\nbottle\n".write(toFile: folder + "/classes.txt", atomically: true, encoding: .utf8)
        func evalWith(label: String) throws -> (status: Int32, out: String, err: String) {
            try label.write(toFile: folder + "/labels/a.txt", atomically: true, encoding: .utf8)
            return try sightline(["eval", folder] + models)
        }
        let ok = try evalWith(label: "1 0.5 0.3 0.06 0.13\n")
        #expect(ok.status == 0, "\(ok.err)")
        let malformed = try evalWith(label: "1 0.5 0.3 0.06 0.13\n1 0.5 0.3 0.06\n")
        #expect(malformed.status == 1 && malformed.err.contains("a.txt:2: expected 'class cx cy w h'"), "\(malformed.err)")
        let range = try evalWith(label: "7 0.5 0.3 0.06 0.13\n")
        #expect(range.status == 1 && range.err.contains("a.txt:1: class index 7 out of range (2 classes"), "\(range.err)")
        let coords = try evalWith(label: "0 0.5 1.3 0.06 0.13\n")
        #expect(coords.status == 1 && coords.err.contains("a.txt:1: cx cy w h must be numbers in 0…1"), "\(coords.err)")

        try "0 0.5 0.5 0.1 0.1\n".write(toFile: folder + "/labels/b.txt", atomically: true, encoding: .utf8)
        let orphan = try sightline(["eval", folder] + models)
        #expect(orphan.status == 2 && orphan.err.contains("labels/b.txt: has no image"), "\(orphan.err)")
        try FileManager.default.removeItem(atPath: folder + "/labels/b.txt")

        try "# nothing of this folder\nother.jpg\n".write(toFile: dir + "/only.txt", atomically: true, encoding: .utf8)
        let none = try sightline(["eval", folder, "--only", dir + "/only.txt"] + models)
        #expect(none.status == 1 && none.err.contains("no image left to score"), "\(none.err)")

        try FileManager.default.removeItem(atPath: folder + "/classes.txt")
        let noClasses = try sightline(["eval", folder] + models)
        #expect(noClasses.status == 2 && noClasses.err.contains("no classes.txt"), "\(noClasses.err)")
    }
}
