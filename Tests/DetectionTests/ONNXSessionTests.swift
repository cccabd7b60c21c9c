import Crypto
import Detection
import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// ONNX Runtime sessions (Sources/CONNXRuntime, `ONNXSession`) on the models' ONNX files, which
/// scripts/fetch-model generates with scripts/onnx/export.py: real sessions, real photos, and
/// OpenCV running the Darknet files as the reference.
@Suite(.serialized) struct ONNXSessionTests {
    static let fridge = Reference.repoRoot + "/../shared/data/fridge"
    static let python = Reference.repoRoot + "/.build-onnxruntime/venv/bin/python"

    /// Photos for each model: COCO photos for YOLOv3-tiny, held-out fridge photos for the
    /// grocery model (one CNTK fridge arrangement, one held-out EpicureAi table with four kinds of
    /// food on it: the single-item IMG_04xx shots give the model nothing it scores 0.5 or more).
    static let photos: [String: [String]] = [
        "yolov3-tiny": ["dog", "person", "fruits"].map { n in Samples.photos.first { $0.name == n }!.path },
        "grocery-yolov3-tiny": [
            fridge + "/extra/cntk_grocery/images/test_10.jpg",
            firstValidationPhoto(in: "extra/epicureai", startingWith: "banana_salmon_tomato_potato"),
        ],
    ]

    static func firstValidationPhoto(in folder: String, startingWith prefix: String = "") -> String {
        let names = (try? String(contentsOfFile: Reference.repoRoot + "/Models/grocery-yolov3-tiny/validation.txt", encoding: .utf8)) ?? ""
        let dir = fridge + "/" + folder + "/images/"
        let hit = names.split(separator: "\n").map(String.init).first {
            !$0.hasPrefix("#") && $0.hasPrefix(prefix) && FileManager.default.fileExists(atPath: dir + $0)
        }
        return dir + (hit ?? "missing.jpg")
    }

    func tensor(_ path: String, _ manifest: ModelManifest) throws -> (Tensor, Letterbox) {
        let t = Tensor()
        let report = try Preprocessor(input: manifest.input, kernels: .simd).run(try FileIO.readJPEGFrame(path), into: t)
        return (t, report.letterbox)
    }

    func labels(_ name: String) throws -> Int {
        let manifest = try store.manifest(name)
        let text = try String(contentsOfFile: store.directory + "/\(name)/" + manifest.files.labels.path, encoding: .utf8)
        return text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.count
    }

    /// The outputs of one run, copied while the session (which owns them) is surely alive.
    func values(_ s: ONNXSession, _ t: Tensor) throws -> [[Float]] {
        try withExtendedLifetime(s) { try s.run(t).map { Array($0.data) } }
    }

    func session(_ name: String, options: ONNXSession.Options = ONNXSession.Options()) throws -> ONNXSession {
        try ONNXSession(
            manifest: try store.manifest(name), directory: store.directory + "/" + name, classes: try labels(name), options: options)
    }

    /// The library answers for the header's C API version (the header is older than the library,
    /// whose C API stays backward compatible).
    @Test func theRuntimeOpensAndServesTheHeadersAPIVersion() throws {
        let info = try ONNXRuntime.open()
        #expect(info.apiVersion >= 21, "\(info)")
        #expect(info.version.split(separator: ".").count == 3, "\(info)")
        let s = try session("yolov3-tiny")
        #expect(s.runtime == info)
    }

    /// No library: the error names the file that was looked for and says how to install it.
    /// A library that is not ONNX Runtime is refused as such.
    @Test func aMissingLibraryErrorSaysHowToInstallIt() throws {
        let missing = #expect(throws: DetectionError.self) {
            try ONNXSession(path: modelDir + "/yolov3-tiny.onnx", model: "m", library: "/nonexistent/libonnxruntime.so.1")
        }
        let text = missing?.description ?? ""
        #expect(text.contains("/nonexistent/libonnxruntime.so.1") && text.contains("scripts/setup"), "\(text)")
        let notORT = #expect(throws: DetectionError.self) { try ONNXRuntime.open(library: "libc.so.6") }
        #expect(notORT?.description.contains("is not ONNX Runtime") == true, "\(String(describing: notORT))")
    }

    /// The exported network gives OpenCV's outputs for the same tensor (OpenCV running the
    /// Darknet files, batch normalisation folded, as the product runs it): the same outputs by
    /// name and shape, every value within 1e-4, and so the same detections after Sightline's
    /// decoding and NMS.
    @Test(arguments: ["yolov3-tiny", "grocery-yolov3-tiny"])
    func exportGivesOpenCVsOutputs(model name: String) throws {
        let manifest = try store.manifest(name)
        let dir = store.directory + "/" + name
        var weights = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + manifest.files.weights.path))
        let opencv = try DNNNetwork(
            darknetConfig: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + manifest.files.config!.path)), weights: &weights,
            configPath: "cfg", weightsPath: "weights", model: name)
        let onnx = try session(name)
        let classes = try labels(name)
        #expect(onnx.outputs.map(\.shape) == [[507, 5 + classes], [2028, 5 + classes]])
        for photo in Self.photos[name]! {
            let (t, letterbox) = try tensor(photo, manifest)
            let a = try onnx.run(t), b = try opencv.forward(t)
            #expect(a.map(\.name) == b.map(\.name) && a.map(\.shape) == b.map(\.shape), "\(photo)")
            var worst: Float = 0
            for (x, y) in zip(a, b) {
                for (u, v) in zip(x.data, y.data) { worst = max(worst, abs(u - v)) }
            }
            #expect(worst <= 1e-4, "\(name) on \(photo): largest difference \(worst)")
            func detections(_ o: [(shape: [Int], data: UnsafeBufferPointer<Float>)]) -> [Candidate] {
                nonMaximumSuppression(
                    decodeDarknetRegion(
                        o, classes: classes, inputWidth: letterbox.inputWidth, inputHeight: letterbox.inputHeight,
                        scoreThreshold: manifest.thresholds.score), iouThreshold: manifest.thresholds.nms)
            }
            let da = detections(a.map { ($0.shape, $0.data) }), db = detections(b.map { ($0.shape, $0.data) })
            #expect(!db.isEmpty, "\(name) finds nothing on \(photo): a poor check")
            #expect(
                da.count == db.count
                    && zip(da, db).allSatisfy {
                        $0.classID == $1.classID && abs($0.score - $1.score) <= 1e-4 && $0.box.iou($1.box) >= 0.999
                    },
                "\(name) on \(photo): \(da) vs \(db)")
        }
        withExtendedLifetime((onnx, opencv)) {}
    }

    /// The int8 file (files.onnxInt8, scripts/onnx/quantize.py) loads with the same checks and,
    /// through the same decoding and NMS, finds every object the float network scores >= 0.5
    /// with the same label at IoU >= 0.5 (a box may move: on a CNTK fridge a 0.47 float box of a
    /// squash is a 0.98 int8 box at IoU 0.43; its accuracy on held-out photos is measured by
    /// `sightline-bench onnx --map`, docs/detection.md).
    @Test(arguments: ["yolov3-tiny", "grocery-yolov3-tiny"])
    func int8FindsWhatFloatFinds(model name: String) throws {
        let manifest = try store.manifest(name)
        let dir = store.directory + "/" + name
        let classes = try labels(name)
        let float = try session(name)
        let int8 = try ONNXSession(manifest: manifest, directory: dir, classes: classes, precision: .int8)
        #expect(int8.source.hasSuffix(".int8.onnx") && int8.outputs.map(\.shape) == float.outputs.map(\.shape))
        for photo in Self.photos[name]! {
            let (t, letterbox) = try tensor(photo, manifest)
            func detections(_ s: ONNXSession) throws -> [Candidate] {
                try withExtendedLifetime(s) {
                    nonMaximumSuppression(
                        decodeDarknetRegion(
                            try s.run(t).map { ($0.shape, $0.data) }, classes: classes, inputWidth: letterbox.inputWidth,
                            inputHeight: letterbox.inputHeight, scoreThreshold: manifest.thresholds.score),
                        iouThreshold: manifest.thresholds.nms)
                }
            }
            let f = try detections(float).filter { $0.score >= 0.5 }, q = try detections(int8)
            #expect(!f.isEmpty, "\(name) finds nothing on \(photo): a poor check")
            for d in f {
                #expect(q.contains { $0.classID == d.classID && $0.box.iou(d.box) >= 0.5 }, "\(name) int8 misses \(d) on \(photo): \(q)")
            }
        }
    }

    /// Threads, graph optimisation and the memory arena change how the network runs, not what it
    /// computes.
    @Test func optionsKeepTheOutputs() throws {
        let manifest = try store.manifest("yolov3-tiny")
        let (t, _) = try tensor(Self.photos["yolov3-tiny"]![0], manifest)
        let reference = try values(try session("yolov3-tiny"), t)
        for options in [
            ONNXSession.Options(threads: 2, optimization: .none, memoryArena: false, allowSpinning: true),
            ONNXSession.Options(threads: 0, optimization: .basic), ONNXSession.Options(threads: 1, optimization: .extended),
        ] {
            let s = try session("yolov3-tiny", options: options)
            #expect(s.options == options)
            let out = try values(s, t)
            let worst = zip(out, reference).map { zip($0, $1).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 1
            #expect(worst <= 1e-4, "\(options): \(worst)")
        }
    }

    /// The input is bound to the tensor's memory, not copied: a tensor refilled in place is seen
    /// by the next run without binding again, and the outputs stay in the same buffers.
    @Test func theInputIsBoundWithoutACopy() throws {
        let manifest = try store.manifest("yolov3-tiny")
        let s = try session("yolov3-tiny")
        let paths = Self.photos["yolov3-tiny"]!
        let t = Tensor()
        let pre = Preprocessor(input: manifest.input, kernels: .simd)
        try pre.run(try FileIO.readJPEGFrame(paths[0]), into: t)
        let first = try s.run(t)
        let firstValues = first.map { Array($0.data) }
        let pointer = t.pointer
        try pre.run(try FileIO.readJPEGFrame(paths[1]), into: t)  // same shape: same memory
        #expect(t.pointer == pointer)
        let second = try s.run(t)
        #expect(second.map(\.data.baseAddress) == first.map(\.data.baseAddress), "outputs moved between runs")
        let (fresh, _) = try tensor(paths[1], manifest)
        let expected = try values(try self.session("yolov3-tiny"), fresh)
        #expect(second.map { Array($0.data) } == expected)
        #expect(second.map { Array($0.data) } != firstValues)
        withExtendedLifetime(s) {}
    }

    /// A copy of `name`'s folder in a temporary directory whose ONNX file is `bytes`, and the
    /// manifest pinning those bytes (so only the check under test can refuse them).
    func modelWithONNX(_ name: String, bytes: Data, pin: Bool = true) throws -> (ModelManifest, String) {
        var manifest = try store.manifest(name)
        let dir = Reference.tempDir + "/onnx-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try bytes.write(to: URL(fileURLWithPath: dir + "/" + manifest.files.onnx!.path))
        if pin {
            manifest.files.onnx!.bytes = bytes.count
            manifest.files.onnx!.sha256 = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        }
        return (manifest, dir)
    }

    func onnxBytes(_ name: String) throws -> Data {
        let manifest = try store.manifest(name)
        return try Data(contentsOf: URL(fileURLWithPath: store.directory + "/\(name)/" + manifest.files.onnx!.path))
    }

    /// Bad ONNX files are refused with an error that names the file: truncated (by the
    /// manifest's size, and by ONNX Runtime when the truncated file is what the manifest pins),
    /// one byte changed (sha256), the wrong input shape, the wrong output layout.
    @Test func badONNXFilesAreRefusedByName() throws {
        let good = try onnxBytes("yolov3-tiny")
        let classes = try labels("yolov3-tiny")
        func refusal(_ m: ModelManifest, _ dir: String, classes: Int = 80) -> String {
            let e = #expect(throws: DetectionError.self) { try ONNXSession(manifest: m, directory: dir, classes: classes) }
            let text = e?.description ?? ""
            #expect(text.contains(dir + "/yolov3-tiny.onnx"), "the error does not name the file: \(text)")
            return text
        }
        let truncated = good.prefix(good.count / 2)
        let (m1, d1) = try modelWithONNX("yolov3-tiny", bytes: truncated, pin: false)
        #expect(refusal(m1, d1).contains("truncated"))
        let (m2, d2) = try modelWithONNX("yolov3-tiny", bytes: truncated)
        #expect(refusal(m2, d2).contains("ONNX Runtime could not load"))
        var flipped = good
        flipped[flipped.count / 2] ^= 0x01
        let (m3, d3) = try modelWithONNX("yolov3-tiny", bytes: flipped, pin: false)
        #expect(refusal(m3, d3).contains("sha256"))
        // The grocery model's file in COCO's place: 53-value rows where 80 labels need 85.
        let (m4, d4) = try modelWithONNX("yolov3-tiny", bytes: try onnxBytes("grocery-yolov3-tiny"))
        let layout = refusal(m4, d4, classes: classes)
        #expect(layout.contains("wrong output layout") && layout.contains("[507, 53]"), "\(layout)")
        // The same network exported for a 320x320 input.
        let cfg = try String(contentsOfFile: modelDir + "/yolov3-tiny.cfg", encoding: .utf8)
            .replacingOccurrences(of: "width=416", with: "width=320").replacingOccurrences(of: "height=416", with: "height=320")
        let work = Reference.tempDir + "/onnx-320-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try cfg.write(toFile: work + "/320.cfg", atomically: true, encoding: .utf8)
        let r = try run(
            Self.python,
            [
                Reference.repoRoot + "/scripts/onnx/export.py", "--quiet", work + "/320.cfg", modelDir + "/yolov3-tiny.weights",
                work + "/320.onnx",
            ])
        #expect(r.status == 0, "\(r.err)")
        let (m5, d5) = try modelWithONNX("yolov3-tiny", bytes: try Data(contentsOf: URL(fileURLWithPath: work + "/320.onnx")))
        let shape = refusal(m5, d5, classes: classes)
        #expect(shape.contains("wrong input") && shape.contains("[1, 3, 320, 320]") && shape.contains("[1, 3, 416, 416]"), "\(shape)")
    }

    /// The exporter refuses what does not fit, naming the file: weights of another network, a
    /// cfg with a layer it does not know.
    @Test func theExporterRefusesMismatchedFiles() throws {
        let out = Reference.tempDir + "/refused-\(UUID().uuidString).onnx"
        let grocery = store.directory + "/grocery-yolov3-tiny/grocery-yolov3-tiny.cfg"
        let mismatch = try run(
            Self.python, [Reference.repoRoot + "/scripts/onnx/export.py", grocery, modelDir + "/yolov3-tiny.weights", out])
        #expect(
            mismatch.status == 1 && mismatch.err.contains("yolov3-tiny.weights") && mismatch.err.contains("does not match"),
            "\(mismatch.err)")
        let cfg = Reference.tempDir + "/reorg-\(UUID().uuidString).cfg"
        try (String(contentsOfFile: modelDir + "/yolov3-tiny.cfg", encoding: .utf8) + "\n[reorg]\nstride=2\n").write(
            toFile: cfg, atomically: true, encoding: .utf8)
        let unknown = try run(Self.python, [Reference.repoRoot + "/scripts/onnx/export.py", cfg, modelDir + "/yolov3-tiny.weights", out])
        #expect(unknown.status == 1 && unknown.err.contains(cfg + ":") && unknown.err.contains("[reorg]"), "\(unknown.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// A manifest of runtime `onnxruntime` must name its ONNX file (and keeps the Darknet files
    /// for OpenCV); `files.onnx` is checked as strictly as the other files.
    @Test func manifestsNameTheONNXFileForOnnxruntime() throws {
        let text = try String(contentsOfFile: modelDir + "/manifest.json", encoding: .utf8)
        func runtime(_ name: String) -> String { text.replacing(/"runtime": "[^"]*"/, with: "\"runtime\": \"\(name)\"") }
        let ort = runtime("onnxruntime")
        #expect(try ModelManifest.parse(Data(ort.utf8), path: "m.json").runtime == .onnxruntime)
        let withoutONNX = try JSONSerialization.jsonObject(with: Data(ort.utf8)) as! [String: Any]
        var files = withoutONNX["files"] as! [String: Any]
        files["onnx"] = nil
        var object = withoutONNX
        object["files"] = files
        let e = #expect(throws: DetectionError.self) {
            try ModelManifest.parse(try JSONSerialization.data(withJSONObject: object), path: "m.json")
        }
        #expect(e?.description.contains("files.onnx") == true, "\(String(describing: e))")
        let int8 = runtime("onnxruntime-int8")
        #expect(try ModelManifest.parse(Data(int8.utf8), path: "m.json").runtime == .onnxruntimeInt8)
        files["onnx"] = (try JSONSerialization.jsonObject(with: Data(ort.utf8)) as! [String: Any])["files"].flatMap {
            ($0 as! [String: Any])["onnx"]
        }
        files["onnxInt8"] = nil
        object["files"] = files
        object["runtime"] = "onnxruntime-int8"
        let noInt8 = #expect(throws: DetectionError.self) {
            try ModelManifest.parse(try JSONSerialization.data(withJSONObject: object), path: "m.json")
        }
        #expect(noInt8?.description.contains("files.onnxInt8") == true, "\(String(describing: noInt8))")
        let typo = text.replacingOccurrences(of: "\"path\": \"yolov3-tiny.onnx\"", with: "\"pth\": \"yolov3-tiny.onnx\"")
        let f = #expect(throws: DetectionError.self) { try ModelManifest.parse(Data(typo.utf8), path: "m.json") }
        #expect(f?.description.contains("files.onnx.pth") == true, "\(String(describing: f))")
    }
}
