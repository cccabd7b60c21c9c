import Detection
import Foundation
import SightlineCore
import SightlineTestSupport
import Teach
import Testing

/// The saving side on real photos (the committed fridge samples): the folder it writes is one
/// `YOLODataset` (and so `sightline eval`) reads, a later session sees what was saved, and bad
/// input is refused with the file named, leaving what was saved as it was.
@Suite struct LabellingTests {
    let taxonomy = try! LabelTaxonomy.load(path: modelsDir + "/grocery-taxonomy.json")

    func session(_ folder: String) throws -> LabellingSession {
        try LabellingSession(photosFolder: folder, taxonomy: taxonomy, proposals: nil)
    }

    func box(_ label: String, _ x: Float, _ y: Float, _ w: Float, _ h: Float) -> LabelledBox {
        LabelledBox(label: label, box: Rect(x: x, y: y, width: w, height: h))
    }

    /// Boxes on one photo, "nothing here" on another, the third left alone: the folder has the
    /// first two (images linked or copied, byte for byte), their label files and a class list in
    /// first-use order, and reads back through `YOLODataset` to the same boxes.
    @Test func savesAFolderEvalReads() async throws {
        let folder = try recordingFolder()
        let s = try session(folder)
        let photos = s.photos
        #expect(photos.map(\.width) == [640, 640, 640] && photos.map(\.height) == [640, 640, 640])
        let boxes = [box("milk", 10, 20, 100, 200), box("eggs", 300.5, 400.25, 50, 60), box("milk", 0, 0, 640, 640)]
        let saved = try await s.save(0, boxes: boxes, nothingHere: false)
        #expect(saved.status == .labelled && saved.boxes == boxes)
        #expect(try await s.save(1, boxes: [], nothingHere: true).status == .nothingHere)
        #expect(await s.statuses == [.labelled, .nothingHere, .new])

        #expect(try String(contentsOfFile: folder + "/classes.txt", encoding: .utf8) == "milk\neggs\n")
        let images = try FileManager.default.contentsOfDirectory(atPath: folder + "/images").sorted()
        #expect(images == [photos[0].name, photos[1].name])
        for name in images { #expect(FileManager.default.contentsEqual(atPath: folder + "/images/" + name, andPath: folder + "/" + name)) }
        #expect(try String(contentsOfFile: folder + "/labels/" + photos[1].baseName + ".txt", encoding: .utf8).isEmpty)

        let dataset = try YOLODataset(folder: folder)
        #expect(dataset.images.map { ($0 as NSString).lastPathComponent } == images)
        let read = try dataset.groundTruth(forImage: dataset.images[0], width: 640, height: 640, taxonomy: .identity)
        #expect(read.map(\.label) == ["milk", "eggs", "milk"])
        for (r, b) in zip(read, boxes) {
            #expect(abs(r.box.x - b.box.x) < 0.01 && abs(r.box.y - b.box.y) < 0.01, "\(r.box) vs \(b.box)")
            #expect(abs(r.box.width - b.box.width) < 0.01 && abs(r.box.height - b.box.height) < 0.01)
        }
        #expect(try dataset.groundTruth(forImage: dataset.images[1], width: 640, height: 640, taxonomy: .identity).isEmpty)

        // A later session sees it all, shows the saved boxes, and appends new classes at the end.
        let again = try session(folder)
        #expect(await again.statuses == [.labelled, .nothingHere, .new])
        #expect(try await again.view(0).boxes.map(\.label) == ["milk", "eggs", "milk"])
        _ = try await again.addClass("Oat Drink")
        _ = try await again.save(2, boxes: [box("oat_drink", 1, 1, 10, 10), box("eggs", 5, 5, 20, 20)], nothingHere: false)
        #expect(try String(contentsOfFile: folder + "/classes.txt", encoding: .utf8) == "milk\neggs\noat_drink\n")
        let labels = try String(contentsOfFile: folder + "/labels/" + photos[2].baseName + ".txt", encoding: .utf8)
        #expect(labels.split(separator: "\n").map { $0.split(separator: " ")[0] } == ["2", "1"])
        // Relabelling a saved photo rewrites its label file whole.
        _ = try await again.save(0, boxes: [box("butter", 1, 2, 3, 4)], nothingHere: false)
        #expect(
            try YOLODataset(folder: folder).groundTruth(forImage: dataset.images[0], width: 640, height: 640, taxonomy: .identity).map(
                \.label) == ["butter"])
    }

    /// A photo already in `images/` (a folder in the YOLO layout) is labelled in place.
    @Test func labelsAFolderAlreadyInTheYOLOLayout() async throws {
        let folder = tempDir()
        try FileManager.default.createDirectory(atPath: folder + "/images", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: samplePhotos[0], toPath: folder + "/images/a.jpg")
        let s = try session(folder)
        #expect(s.photos.map(\.path) == [folder + "/images/a.jpg"])
        _ = try await s.save(0, boxes: [box("tomato", 5, 5, 50, 50)], nothingHere: false)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/images") == ["a.jpg"])
        #expect(try YOLODataset(folder: folder).images.count == 1)
    }

    /// Each bad photos folder is refused before anything is served, naming what is wrong.
    @Test func refusesBadPhotoFolders() throws {
        func refusal(_ folder: String) -> String {
            do {
                _ = try session(folder)
                return "accepted"
            } catch { return "\(error)" }
        }
        let missing = tempDir() + "/nowhere"
        #expect(refusal(missing) == "\(missing): no such folder")
        let file = tempDir() + "/photo.jpg"
        try FileManager.default.copyItem(atPath: samplePhotos[0], toPath: file)
        #expect(refusal(file).contains("not a folder"))
        let empty = tempDir()
        try "frame\tts\n".write(toFile: empty + "/frames.tsv", atomically: true, encoding: .utf8)
        #expect(refusal(empty).contains("no photos"), "\(refusal(empty))")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: samplePhotos[0]))
        for (name, content, says) in [
            ("truncated.jpg", bytes.prefix(bytes.count / 2), "truncated"), ("empty.jpg", Data(), "empty"),
            ("png.jpg", Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 64)), "PNG"),
        ] {
            let dir = try recordingFolder()
            try content.write(to: URL(fileURLWithPath: dir + "/" + name))
            let message = refusal(dir)
            #expect(message.hasPrefix(dir + "/" + name + ": unreadable photo"), "\(message)")
            #expect(message.contains(says), "\(message)")
        }
        let twins = try recordingFolder([samplePhotos[0]])
        try FileManager.default.copyItem(atPath: samplePhotos[1], toPath: twins + "/x.jpg")
        try FileManager.default.copyItem(atPath: samplePhotos[1], toPath: twins + "/x.JPEG")
        #expect(refusal(twins).contains("would share the label file x.txt"), "\(refusal(twins))")
    }

    /// A labelled folder left in a bad state is refused with the file and line named.
    @Test func refusesBadLabelledFolders() throws {
        func refusal(_ setUp: (String) throws -> Void) throws -> String {
            let folder = try recordingFolder()
            try FileManager.default.createDirectory(atPath: folder + "/labels", withIntermediateDirectories: true)
            try setUp(folder)
            do {
                _ = try session(folder)
                return "accepted"
            } catch { return "\(error)" }
        }
        let base = ((samplePhotos[0] as NSString).lastPathComponent as NSString).deletingPathExtension
        let twice = try refusal { try "milk\neggs\nmilk\n".write(toFile: $0 + "/classes.txt", atomically: true, encoding: .utf8) }
        #expect(twice.hasSuffix("classes.txt:3: class 'milk' is listed twice (also line 1)"), "\(twice)")
        let blank = try refusal { try "milk\n\neggs\n".write(toFile: $0 + "/classes.txt", atomically: true, encoding: .utf8) }
        #expect(blank.hasSuffix("classes.txt:2: blank line: every line is a class name, its index the line number − 1"), "\(blank)")
        let range = try refusal {
            try "milk\neggs\n".write(toFile: $0 + "/classes.txt", atomically: true, encoding: .utf8)
            try "0 0.5 0.5 0.1 0.1\n2 0.5 0.5 0.1 0.1\n".write(toFile: $0 + "/labels/\(base).txt", atomically: true, encoding: .utf8)
        }
        #expect(range.hasSuffix("labels/\(base).txt:2: class index 2 out of range (2 classes, 0…1)"), "\(range)")
        let orphan = try refusal {
            try "milk\n".write(toFile: $0 + "/classes.txt", atomically: true, encoding: .utf8)
            try "0 0.5 0.5 0.1 0.1\n".write(toFile: $0 + "/labels/gone.txt", atomically: true, encoding: .utf8)
        }
        #expect(orphan.hasSuffix("labels/gone.txt: has no photo (no gone.jpg in the photos or in images/)"), "\(orphan)")
        let noClasses = try refusal {
            try "0 0.5 0.5 0.1 0.1\n".write(toFile: $0 + "/labels/\(base).txt", atomically: true, encoding: .utf8)
        }
        #expect(noClasses.contains("has labels but") && noClasses.hasSuffix("classes.txt is missing"), "\(noClasses)")
    }

    /// Saves that cannot be right are refused, naming the photo; nothing is written for them.
    @Test func refusesBadSaves() async throws {
        let folder = try recordingFolder()
        let s = try session(folder)
        let name = s.photos[0].name
        func refusal(_ boxes: [LabelledBox], nothingHere: Bool = false) async -> String {
            do {
                _ = try await s.save(0, boxes: boxes, nothingHere: nothingHere)
                return "saved"
            } catch { return "\(error)" }
        }
        #expect(await refusal([]) == "\(name): no boxes to save; say \"nothing here\" to save a photo with nothing to label")
        #expect(await refusal([box("milk", 1, 1, 5, 5)], nothingHere: true) == "\(name): \"nothing here\" with 1 box; delete them first")
        #expect(await refusal([box("kombucha", 1, 1, 5, 5)]) == "\(name): box 1: unknown class 'kombucha'; add it as a new class first")
        #expect(await refusal([box("milk", 1, 1, 5, 5), box("milk", 600, 1, 50, 5)]).contains("box 2 (milk)"))
        #expect(await refusal([box("milk", 10, 10, 0, 5)]).contains("has no area"))
        #expect(await refusal([box("milk", .nan, 10, 5, 5)]).contains("box 1 (milk)"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/labels"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/classes.txt"))
        do {
            _ = try await s.save(3, boxes: [], nothingHere: true)
            Issue.record("photo 3 of 3 saved")
        } catch { #expect("\(error)".contains("no photo 3 (there are 3, 0…2)")) }

        // An alias of the taxonomy names its class; half a pixel over the edge is the edge.
        let saved = try await s.save(0, boxes: [box("egg", -0.4, 600, 50, 40.3)], nothingHere: false).boxes
        let r = try #require(saved.first?.box)
        #expect(
            saved.map(\.label) == ["eggs"] && r.x == 0 && r.y == 600 && abs(r.width - 49.6) < 1e-4 && abs(r.height - 40) < 1e-4, "\(saved)")
    }

    /// New class names are normalised; empty ones, odd characters and names already on offer
    /// (also as an alias) are refused.
    @Test func addsClassesOnce() async throws {
        let s = try session(try recordingFolder())
        #expect(try await s.addClass("  Oat   Drink ") == "oat_drink")
        #expect(await s.classes.last == "oat_drink")
        #expect(await s.classes.prefix(taxonomy.classes.count) == ArraySlice(taxonomy.classes))
        for (name, says) in [
            ("", "cannot be empty"), ("oat drink", "already on the list"), ("Milk", "already on the list"),
            ("egg", "already on the list as 'eggs'"), ("a/b", "only letters, digits"),
            (String(repeating: "a", count: 65), "longer than 64"),
        ] {
            do {
                _ = try await s.addClass(name)
                Issue.record("'\(name)' added")
            } catch { #expect(error.description.contains(says), "\(name): \(error)") }
        }
    }

    /// A write that fails is an error, and the files saved before stay as they were, with no
    /// temporary file left behind.
    @Test func aFailedWriteLeavesTheSavedFiles() async throws {
        let folder = try recordingFolder()
        let s = try session(folder)
        _ = try await s.save(0, boxes: [box("milk", 1, 1, 10, 10)], nothingHere: false)
        let labels = folder + "/labels/" + s.photos[0].baseName + ".txt"
        let before = try String(contentsOfFile: labels, encoding: .utf8)
        // The label file of photo 1 cannot be written: a folder stands in its place.
        try FileManager.default.createDirectory(
            atPath: folder + "/labels/" + s.photos[1].baseName + ".txt", withIntermediateDirectories: true)
        do {
            _ = try await s.save(1, boxes: [box("eggs", 1, 1, 10, 10)], nothingHere: false)
            Issue.record("saved over a folder")
        } catch { #expect("\(error)".contains(s.photos[1].baseName + ".txt"), "\(error)") }
        #expect(try String(contentsOfFile: labels, encoding: .utf8) == before)
        let left =
            try FileManager.default.contentsOfDirectory(atPath: folder + "/labels")
            + FileManager.default.contentsOfDirectory(atPath: folder + "/images")
        #expect(!left.contains { $0.contains(".tmp-") }, "\(left)")
        #expect(await s.statuses[1] == .new)
        // Its image went into images/ first and is taken out again: no photo without its labels.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder + "/images") == [s.photos[0].name])
        // classes.txt only grows: eggs was appended before the label file failed, and is harmless.
        #expect(try String(contentsOfFile: folder + "/classes.txt", encoding: .utf8) == "milk\neggs\n")
    }
}
