import Foundation
import SightlineTestSupport
import Testing

/// `sightline teach train`: the checks that refuse bad input before any time is spent, and one
/// real fine-tuning run (2 minutes) of the grocery model in the training environment
/// (scripts/train/setup installs it; scripts/test runs it first).
@Suite(.serialized) struct TeachTrainTests {
    /// A models folder of its own (the grocery model, the knowledge and taxonomy linked in), so
    /// a test never writes into the repository's Models/.
    func modelsFolder() throws -> String {
        let dir = tempDir() + "/Models"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for entry in ["grocery-yolov3-tiny", "nutrition.json", "grocery-taxonomy.json"] {
            try FileManager.default.createSymbolicLink(atPath: dir + "/" + entry, withDestinationPath: modelsDir + "/" + entry)
        }
        return dir
    }

    /// A labelled folder as `teach serve` saves it: the first two sample fridge photos with their
    /// labels; `classes` rewrites classes.txt's names (to make new ones).
    func labelledFolder(photos: [String] = Array(samplePhotos.prefix(2)), rename: [String: String] = [:]) throws -> String {
        let dir = tempDir()
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir + "/images", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: dir + "/labels", withIntermediateDirectories: true)
        for p in photos {
            let name = (p as NSString).lastPathComponent
            try fm.copyItem(atPath: p, toPath: dir + "/images/" + name)
            let labels = repoRoot + "/Samples/fridge/train/labels/" + (name as NSString).deletingPathExtension + ".txt"
            try fm.copyItem(atPath: labels, toPath: dir + "/labels/" + (name as NSString).deletingPathExtension + ".txt")
        }
        let classes = try String(contentsOfFile: repoRoot + "/Samples/fridge/classes.txt", encoding: .utf8)
            .split(separator: "\n").map { rename[String($0)] ?? String($0) }
        try (classes.joined(separator: "\n") + "\n").write(toFile: dir + "/classes.txt", atomically: true, encoding: .utf8)
        return dir
    }

    func entries(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    @Test func refusesBadInputNamingItAndWritesNothing() throws {
        let models = try modelsFolder()
        let before = entries(models)
        func refusal(_ folder: String, _ extra: [String] = [], name: String = "mine") throws -> String {
            let r = try sightline(["teach", "train", "--photos", folder, "--name", name, "--models-dir", models] + extra)
            #expect(r.status == 2, "\(r)")
            #expect(entries(models) == before, "teach train left \(entries(models)) after refusing: \(r.err)")
            return r.err
        }
        // An empty folder, and one with photos none of which is labelled.
        let empty = tempDir()
        #expect(try refusal(empty) == "error: \(empty): no photos (no .jpg or .jpeg files in the folder or in its images/)\n")
        let unlabelled = try recordingFolder()
        #expect(try refusal(unlabelled).contains("\(unlabelled): no labelled photos (none in \(unlabelled)/images)"))
        // A photo in images/ without its label file.
        let missing = try labelledFolder()
        let photo = (samplePhotos[0] as NSString).lastPathComponent
        try FileManager.default.removeItem(atPath: missing + "/labels/" + (photo as NSString).deletingPathExtension + ".txt")
        #expect(try refusal(missing).contains("\(missing)/images/\(photo): has no label file"))
        // A class index out of range.
        let range = try labelledFolder()
        let labelFile = range + "/labels/" + (photo as NSString).deletingPathExtension + ".txt"
        try "99 0.5 0.5 0.1 0.1\n".write(toFile: labelFile, atomically: true, encoding: .utf8)
        let r = try refusal(range)
        #expect(r.contains(labelFile) && r.contains("99"), "\(r)")
        // A class listed twice.
        let twice = try labelledFolder(rename: ["milk": "eggs"])
        let t = try refusal(twice)
        #expect(t.contains("\(twice)/classes.txt:") && t.contains("'eggs' is listed twice"), "\(t)")
        // Every label file empty: nothing to learn.
        let blank = try labelledFolder()
        for f in entries(blank + "/labels") { try "".write(toFile: blank + "/labels/" + f, atomically: true, encoding: .utf8) }
        #expect(try refusal(blank) == "error: \(blank): every label file is empty: there is no box to learn from\n")
        // A name that exists, the base itself, a bad name, too little time, an unknown base.
        let good = try labelledFolder()
        #expect(try refusal(good, name: "grocery-yolov3-tiny").contains("is the base model itself"))
        try FileManager.default.createDirectory(atPath: models + "/mine", withIntermediateDirectories: true)
        let taken = try sightline(["teach", "train", "--photos", good, "--name", "mine", "--models-dir", models])
        #expect(taken.status == 2 && taken.err.contains("a model named 'mine' exists") && taken.err.contains("--force"), "\(taken)")
        try FileManager.default.removeItem(atPath: models + "/mine")
        #expect(try refusal(good, name: "../escape").contains("cannot be a model name"))
        #expect(try refusal(good, ["--minutes", "1"]).contains("--minutes 1 is too little time"))
        #expect(try refusal(good, ["--minutes", "nan"]).contains("too little time"))
        #expect(try refusal(good, ["--base", "nope"]).contains("model 'nope' not found"))
        #expect(try refusal(good, ["--replay", good]) == "error: \(good): not the base's training data (--replay needs classes.txt, train/images/ and train/labels/ there)\n")
    }

    /// A real fine-tuning run: 2 photos, one class renamed to a name neither the base nor the
    /// knowledge has, 2 minutes. The model lands whole in the models folder and Sightline loads it.
    @Test func teachesAModelSightlineLoads() throws {
        let models = try modelsFolder()
        let folder = try labelledFolder(rename: ["milk": "kefir"])
        let others = try labelledFolder(photos: [samplePhotos[2]], rename: ["milk": "kefir"])
        let r = try sightline([
            "teach", "train", "--photos", folder, "--name", "mine", "--minutes", "2", "--evaluate", others, "--models-dir", models,
        ])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("taught mine in ") && r.out.contains("from 2 photos"), "\(r.out)")
        #expect(r.out.contains("new class kefir: not in the nutrition knowledge"), "\(r.out)")
        #expect(r.out.contains("before, on 1 photos") && r.out.contains("after, on the same 1 photos"), "\(r.out)")
        #expect(entries(models) == ["grocery-taxonomy.json", "grocery-yolov3-tiny", "mine", "nutrition.json"], "no staging left")
        #expect(entries(models + "/mine") == ["TRAINING.md", "manifest.json", "mine.cfg", "mine.names", "mine.weights"])
        let names = try String(contentsOfFile: models + "/mine/mine.names", encoding: .utf8).split(separator: "\n")
        #expect(names.count == 49 && names.last == "kefir" && names[47] == "fridge_interior", "\(names)")
        // The elapsed time stays inside the budget (2 minutes and the checks' few seconds).
        let log = try String(contentsOfFile: models + "/mine/TRAINING.md", encoding: .utf8)
        #expect(log.contains("| **mAP@0.5** |"), "\(log)")
        // Sightline loads it (sha256 of every file checked) and runs it on a taught photo.
        let d = try sightline(["detect", "--models-dir", models, "--model", "mine", "--json", samplePhotos[0]])
        #expect(d.status == 0, "\(d.err)")
        #expect(d.out.contains("\"label\""), "no detection on a taught photo: \(d.out)")
        // Teaching it again under the same name needs --force, and replaces it whole.
        let again = try sightline(["teach", "train", "--photos", folder, "--name", "mine", "--minutes", "2", "--models-dir", models])
        #expect(again.status == 2 && again.err.contains("exists"), "\(again)")
    }
}
