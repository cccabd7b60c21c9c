import Crypto
import Detection
import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// The repository's models (installed by scripts/fetch-model, which the test command runs).
let store = ModelStore(directory: Reference.repoRoot + "/Models")
let modelDir = store.directory + "/yolov3-tiny"

/// One detector for the suite (loading verifies 35 MB of weights); the suite that uses it is
/// serialized, and a detector is only ever used by one test at a time.
nonisolated(unsafe) let sharedDetector: OpenCVDetector = {
    do { return try OpenCVDetector(model: "yolov3-tiny", store: store) } catch {
        fatalError("cannot load yolov3-tiny (run scripts/fetch-model): \(error)")
    }
}()

struct RefDetection: Decodable {
    var classID: Int
    var score: Float
    var box: [Float]
    var rect: Rect { Rect(x: box[0], y: box[1], width: box[2], height: box[3]) }
}

func referenceDetections(_ command: String, _ input: String, extra: [String] = []) throws -> [RefDetection] {
    let out = try Reference.opencv([command, modelDir + "/yolov3-tiny.cfg", modelDir + "/yolov3-tiny.weights", input] + extra)
    return try JSONDecoder().decode([RefDetection].self, from: Data(out.utf8))
}

@Suite(.serialized) struct DetectorAgainstOpenCV {
    static let photos = ["dog", "person", "horses", "eagle", "giraffe", "kite", "fruits"]

    /// Fed the same tensor, OpenCV's own decode + cv2.dnn.NMSBoxes and Sightline's find the
    /// same objects: same classes, boxes IoU >= 0.9, scores equal to 1e-4.
    @Test(arguments: photos)
    func sameTensorSameDetections(name: String) throws {
        let path = Samples.photos.first { $0.name == name }!.path
        let frame = try FileIO.readJPEGFrame(path)
        let tensor = Tensor()
        let report = try Preprocessor(input: sharedDetector.input, kernels: .simd).run(frame, into: tensor)
        let ours = try sharedDetector.detect(tensor: tensor, letterbox: report.letterbox).detections
        let npy = Reference.tempDir + "/\(name)-tensor.npy"
        try FileIO.writeAtomically(npy, tensor.npyBytes())
        let ref = try referenceDetections("detect-tensor", npy)
        #expect(ours.count == ref.count, "\(name): \(ours.map(\.label)) vs \(ref.map { sharedDetector.labels[$0.classID] })")
        for r in ref {
            let box = report.letterbox.toSource(r.rect)
            let match = ours.first { $0.classID == r.classID && $0.box.iou(box) >= 0.9 }
            #expect(match != nil, "\(name): OpenCV's \(sharedDetector.labels[r.classID]) \(r.score) at \(box) has no match")
            if let match { #expect(abs(match.score - r.score) < 1e-4) }
        }
    }

    /// Against OpenCV doing the whole job its own way (cv2.dnn_DetectionModel: full decode,
    /// stretch resize to 416x416, its own decoding and NMS), Sightline run with a stretch input
    /// finds the same confident objects with boxes IoU >= 0.8. Objects near the threshold may
    /// flip either way with a different resampler, so each side is checked only for the other's
    /// detections scoring at least 0.1 above the 0.25 threshold.
    @Test(arguments: photos)
    func wholeJobAgainstDetectionModel(name: String) throws {
        let path = Samples.photos.first { $0.name == name }!.path
        var input = sharedDetector.manifest.input
        input.fit = .stretch
        let detector = try OpenCVDetector(model: "yolov3-tiny", store: store, input: input)
        let ours = try detector.detect(try FileIO.readJPEGFrame(path)).detections
        let ref = try referenceDetections("detect-model", path)
        for r in ref where r.score >= 0.35 {
            let match = ours.contains { $0.classID == r.classID && $0.box.iou(r.rect) >= 0.8 }
            #expect(match, "\(name): OpenCV's \(detector.labels[r.classID]) \(r.score) at \(r.rect) not found")
        }
        for d in ours where d.score >= 0.35 {
            let match = ref.contains { $0.classID == d.classID && $0.rect.iou(d.box) >= 0.8 }
            #expect(match, "\(name): our \(d.label) \(d.score) at \(d.box) not in OpenCV's")
        }
    }

    /// What YOLOv3-tiny at 416 with a 0.25 threshold is known to find in darknet's photos.
    @Test(arguments: [
        ("dog", ["dog", "car", "truck"]), ("person", ["person", "dog"]), ("horses", ["horse", "horse"]), ("eagle", ["bird"]),
    ])
    func expectedObjects(name: String, labels: [String]) throws {
        let path = Samples.photos.first { $0.name == name }!.path
        let found = try sharedDetector.detect(try FileIO.readJPEGFrame(path)).detections.map(\.label)
        for label in Set(labels) {
            #expect(found.filter { $0 == label }.count >= labels.filter { $0 == label }.count, "\(name): found \(found)")
        }
    }

    @Test func boxesAreInFramePixels() throws {
        let path = Samples.photos.first { $0.name == "dog" }!.path
        let result = try sharedDetector.detect(try FileIO.readJPEGFrame(path))
        let dog = try #require(result.detections.first { $0.label == "dog" })
        // The dog sits in the left half of the 768x576 photo, from about y=180 to the bottom.
        #expect(dog.box.x < 200 && dog.box.maxX < 420 && dog.box.y > 120 && dog.box.maxY > 450)
        for d in result.detections {
            #expect(d.box.x >= 0 && d.box.y >= 0 && d.box.maxX <= 768 && d.box.maxY <= 576)
        }
    }
}

@Suite struct DecodingTests {
    /// A hand-made output blob: 3 rows of 5 + 3 classes.
    @Test func decodesRowsAboveTheThreshold() {
        var rows: [Float] = [
            0.5, 0.5, 0.2, 0.4, 0.9, 0.0, 0.8, 0.1,  // class 1, score 0.8, centred
            0.1, 0.1, 0.1, 0.1, 0.9, 0.2, 0.1, 0.0,  // best 0.2 < 0.25: dropped
            0.0, 1.0, 0.2, 0.2, 0.9, 0.0, 0.0, 0.3,  // class 2 at the bottom-left corner
        ]
        let candidates = rows.withUnsafeMutableBufferPointer { b in
            decodeDarknetRegion([([3, 8], UnsafeBufferPointer(b))], classes: 3, inputWidth: 100, inputHeight: 200, scoreThreshold: 0.25)
        }
        #expect(candidates.count == 2)
        #expect(candidates[0] == Candidate(classID: 1, score: 0.8, box: Rect(x: 40, y: 60, width: 20, height: 80)))
        #expect(candidates[1].classID == 2)
        #expect(candidates[1].box == Rect(x: -10, y: 180, width: 20, height: 40))
    }

    @Test func zeroDetectionsAndMismatchedWidthsYieldNothing() {
        var zeros = [Float](repeating: 0, count: 16)
        let none = zeros.withUnsafeMutableBufferPointer { b in
            decodeDarknetRegion([([2, 8], UnsafeBufferPointer(b))], classes: 3, inputWidth: 10, inputHeight: 10, scoreThreshold: 0.25)
        }
        #expect(none.isEmpty)
        let wrong = zeros.withUnsafeMutableBufferPointer { b in
            decodeDarknetRegion([([2, 8], UnsafeBufferPointer(b))], classes: 80, inputWidth: 10, inputHeight: 10, scoreThreshold: 0)
        }
        #expect(wrong.isEmpty)
    }

    /// A box at the image border (and one entirely in the letterbox padding) after the
    /// letterbox is undone: clipped to the frame, or dropped.
    @Test func borderBoxesAreClipped() {
        let lb = Letterbox(sourceWidth: 1920, sourceHeight: 1080, input: .square(416))
        let atEdge = lb.toSource(Rect(x: -10, y: 80, width: 50, height: 40))
        #expect(atEdge.x == 0 && atEdge.y == 0)
        #expect(lb.toSource(Rect(x: 100, y: 0, width: 50, height: 60)).area == 0)
    }
}

@Suite struct BadModelTests {
    /// A scratch models folder holding a copy of the manifest and the given files.
    func scratchStore(files: [String: Data], manifest: String? = nil) throws -> ModelStore {
        let root = Reference.tempDir + "/models-\(UUID().uuidString)"
        let dir = root + "/yolov3-tiny"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = try manifest ?? String(contentsOfFile: modelDir + "/manifest.json", encoding: .utf8)
        try text.write(toFile: dir + "/manifest.json", atomically: true, encoding: .utf8)
        for (name, data) in files { try data.write(to: URL(fileURLWithPath: dir + "/" + name)) }
        return ModelStore(directory: root)
    }

    func real(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: modelDir + "/" + name)) }

    func loadError(_ store: ModelStore, model: String = "yolov3-tiny") -> DetectionError? {
        do {
            _ = try OpenCVDetector(model: model, store: store)
            return nil
        } catch { return error }
    }

    @Test func missingWeightsNamesTheFetchCommand() throws {
        let s = try scratchStore(files: ["coco.names": try real("coco.names"), "yolov3-tiny.cfg": try real("yolov3-tiny.cfg")])
        let e = loadError(s)
        guard case .missingFile(_, "weights", let path, "scripts/fetch-model yolov3-tiny")? = e else {
            Issue.record("expected a missing weights error, got \(String(describing: e))")
            return
        }
        #expect(path.hasSuffix("yolov3-tiny.weights"))
        #expect(e!.description.contains("install it with: scripts/fetch-model yolov3-tiny"))
    }

    @Test func truncatedAndAlteredWeights() throws {
        let weights = try real("yolov3-tiny.weights")
        let base = ["coco.names": try real("coco.names"), "yolov3-tiny.cfg": try real("yolov3-tiny.cfg")]
        let truncated = loadError(try scratchStore(files: base.merging(["yolov3-tiny.weights": weights.prefix(1000)]) { $1 }))
        #expect(truncated?.description.contains("truncated: 1000 of 35434956 bytes") == true, "\(String(describing: truncated))")
        var altered = weights
        altered[altered.count / 2] ^= 0xFF
        let wrong = loadError(try scratchStore(files: base.merging(["yolov3-tiny.weights": altered]) { $1 }))
        #expect(wrong?.description.contains("sha256") == true, "\(String(describing: wrong))")
    }

    @Test func configThatDoesNotParse() throws {
        let cfg = Data("[net]\nwidth=416\nheight=416\n[convolutional]\nfilters=banana\n".utf8)
        let digest = SHA256.hash(data: cfg).map { String(format: "%02x", $0) }.joined()
        var manifest = try String(contentsOfFile: modelDir + "/manifest.json", encoding: .utf8)
        manifest = manifest.replacingOccurrences(of: "4349b56496c065b353d40d786a28ad6e7758780db8124a22342458f780f4ff00", with: digest)
        manifest = manifest.replacingOccurrences(of: "\"bytes\": 1914", with: "\"bytes\": \(cfg.count)")
        let s = try scratchStore(
            files: ["coco.names": try real("coco.names"), "yolov3-tiny.cfg": cfg, "yolov3-tiny.weights": try real("yolov3-tiny.weights")],
            manifest: manifest)
        guard case .runtime(let model, let detail)? = loadError(s) else {
            Issue.record("a config that does not parse was accepted")
            return
        }
        #expect(model == "yolov3-tiny")
        #expect(detail.contains("yolov3-tiny.cfg"))
    }

    @Test func manifestWithAnUnknownFieldOrBadJSON() throws {
        var text = try String(contentsOfFile: modelDir + "/manifest.json", encoding: .utf8)
        text = text.replacingOccurrences(of: "\"fit\": \"letterbox\"", with: "\"fitt\": \"letterbox\"")
        let e = loadError(try scratchStore(files: [:], manifest: text))
        #expect(e?.description.contains("unknown field 'input.fitt'") == true, "\(String(describing: e))")
        let bad = loadError(try scratchStore(files: [:], manifest: "{ \"name\": "))
        #expect(bad?.description.contains("not valid JSON") == true)
        let missing = loadError(try scratchStore(files: [:], manifest: "{ \"name\": \"x\" }"))
        #expect(missing?.description.contains("missing field") == true, "\(String(describing: missing))")
    }

    @Test func unknownModel() {
        let e = loadError(store, model: "nope")
        #expect(e?.description.contains("model 'nope' not found") == true)
        #expect(e?.description.contains("yolov3-tiny") == true)
    }
}
