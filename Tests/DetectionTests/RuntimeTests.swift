import Detection
import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// The two runtimes behind `ObjectDetector`: ONNX Runtime (`ONNXRuntimeDetector`) and OpenCV DNN
/// (`OpenCVDetector`), chosen by the manifest or the caller (`ModelStore.detector`), real models
/// on real photos.
@Suite(.serialized) struct RuntimeTests {
    /// COCO photos for YOLOv3-tiny, a committed fridge photo for the grocery model.
    static let photos: [String: [String]] = [
        "yolov3-tiny": ["dog", "person", "horses", "fruits"].map { n in Samples.photos.first { $0.name == n }!.path },
        "grocery-yolov3-tiny": [TestData.samples + "/train/images/DSC_5683_JPG_jpg.rf.217cc81d806a1bef85684bcf695f99ff.jpg"],
    ]

    func load(_ name: String, _ runtime: DetectorRuntime?, threads: Int = 1) throws -> any ObjectDetector {
        try store.detector(name, options: DetectorOptions(runtime: runtime, threads: threads))
    }

    func tensor(_ path: String, _ input: ModelInput) throws -> (Tensor, Letterbox) {
        let t = Tensor()
        return (t, try Preprocessor(input: input, kernels: .simd).run(try FileIO.readJPEGFrame(path), into: t).letterbox)
    }

    /// On the same tensor, ONNX Runtime's detections are OpenCV's: same objects in the same
    /// order, scores within 1e-4, boxes IoU >= 0.999 (one decoder serves both).
    @Test(arguments: ["yolov3-tiny", "grocery-yolov3-tiny"])
    func onnxRuntimeFindsWhatOpenCVFinds(model name: String) throws {
        let onnx = try load(name, .onnxruntime), opencv = try load(name, .opencv)
        #expect(onnx.runtime == "onnxruntime" && opencv.runtime == "opencv")
        #expect(onnx.input == opencv.input && onnx.labels == opencv.labels)
        for photo in Self.photos[name]! {
            let (t, letterbox) = try tensor(photo, onnx.input)
            let a = try onnx.detect(tensor: t, letterbox: letterbox), b = try opencv.detect(tensor: t, letterbox: letterbox)
            #expect(!b.detections.isEmpty, "\(name) finds nothing on \(photo): a poor check")
            #expect(a.detections.map(\.label) == b.detections.map(\.label), "\(photo)")
            for (x, y) in zip(a.detections, b.detections) {
                #expect(abs(x.score - y.score) <= 1e-4 && x.box.iou(y.box) >= 0.999 && x.model == name, "\(photo): \(x) vs \(y)")
            }
            #expect(a.timings.inference > 0 && a.timings.decode > 0)
        }
    }

    /// The manifest chooses the runtime; the caller's choice overrides it; int8 runs only when
    /// asked for by name (`onnxruntime` is always the float file).
    @Test func theRuntimeIsTheManifestsUnlessNamed() throws {
        for name in ["yolov3-tiny", "grocery-yolov3-tiny"] {
            let manifest = try store.manifest(name)
            #expect(try load(name, nil).runtime == manifest.runtime.detectorRuntime.rawValue)
            for runtime in DetectorRuntime.allCases { #expect(try load(name, runtime).runtime == runtime.rawValue) }
        }
        let float = try #require(try load("grocery-yolov3-tiny", .onnxruntime) as? ONNXRuntimeDetector)
        let int8 = try #require(try load("grocery-yolov3-tiny", .onnxruntimeInt8) as? ONNXRuntimeDetector)
        #expect(
            float.session.source.hasSuffix("/grocery-yolov3-tiny.onnx") && int8.session.source.hasSuffix("/grocery-yolov3-tiny.int8.onnx"))
    }

    /// Threads, graph optimisation and the memory arena reach the session; thresholds the decoder.
    @Test func optionsReachTheSessionAndTheDecoder() throws {
        let options = DetectorOptions(
            runtime: .onnxruntime, threads: 2, optimization: .basic, memoryArena: false, scoreThreshold: 0.5, nmsThreshold: 0.3)
        let d = try #require(try store.detector("yolov3-tiny", options: options) as? ONNXRuntimeDetector)
        #expect(d.session.options == ONNXSession.Options(threads: 2, optimization: .basic, memoryArena: false))
        #expect(d.decoder.scoreThreshold == 0.5 && d.decoder.nmsThreshold == 0.3)
        let (t, letterbox) = try tensor(Self.photos["yolov3-tiny"]![0], d.input)
        #expect(try d.detect(tensor: t, letterbox: letterbox).detections.allSatisfy { $0.score >= 0.5 })
    }

    /// Without the library, a model whose manifest asks for ONNX Runtime runs on OpenCV with one
    /// notice that says how to install it; asked for by name, ONNX Runtime fails with that hint.
    @Test func aMissingLibraryFallsBackUnlessONNXRuntimeIsAskedFor() throws {
        let missing = "/nonexistent/libonnxruntime.so.1"
        var notices: [String] = []
        let d = try store.detector("yolov3-tiny", options: DetectorOptions(runtime: nil, onnxRuntimeLibrary: missing)) {
            notices.append($0)
        }
        #expect(try store.manifest("yolov3-tiny").runtime != .opencvDarknet, "the check needs a manifest that asks for ONNX Runtime")
        #expect(d.runtime == "opencv")
        #expect(notices.count == 1 && notices[0].contains(missing) && notices[0].contains("scripts/setup"), "\(notices)")
        for runtime in [DetectorRuntime.onnxruntime, .onnxruntimeInt8] {
            let e = #expect(throws: DetectionError.self) {
                try store.detector("yolov3-tiny", options: DetectorOptions(runtime: runtime, onnxRuntimeLibrary: missing))
            }
            let text = e?.description ?? ""
            #expect(text.contains(missing) && text.contains("scripts/setup") && text.contains("yolov3-tiny"), "\(text)")
        }
        #expect(
            try store.detector("yolov3-tiny", options: DetectorOptions(runtime: .opencv, onnxRuntimeLibrary: missing)).runtime == "opencv")
    }

    /// A live pipeline rotates pooled tensors: ONNX Runtime makes one input value per tensor, not
    /// one per run, and each run reads its own tensor. Beyond the four values kept, the one chosen
    /// longest ago is replaced, and every run still reads the right tensor.
    @Test func oneInputValuePerPooledTensor() throws {
        let d = try #require(try load("yolov3-tiny", .onnxruntime) as? ONNXRuntimeDetector)
        let photos = ["dog", "person", "horses", "eagle", "giraffe"].map { n in Samples.photos.first { $0.name == n }!.path }
        let tensors = try photos.map { try tensor($0, d.input) }
        let expected = try photos.map { p in
            let (t, l) = try tensor(p, d.input)
            return try load("yolov3-tiny", .onnxruntime).detect(tensor: t, letterbox: l).detections
        }
        for round in 0..<4 {
            for k in 0..<3 {
                #expect(try d.detect(tensor: tensors[k].0, letterbox: tensors[k].1).detections == expected[k], "round \(round)")
            }
        }
        #expect(d.session.inputValuesCreated == 3)
        for _ in 0..<2 {
            for k in 0..<5 { #expect(try d.detect(tensor: tensors[k].0, letterbox: tensors[k].1).detections == expected[k], "tensor \(k)") }
        }
        #expect(d.session.inputValuesCreated == 3 + 2 + 5, "five tensors in turn over four kept values: each one new")
    }

    /// Bad ONNX files are refused through the detector loader too, naming the file: truncated,
    /// altered (sha256), the wrong output layout, the wrong input shape.
    @Test func badONNXFilesAreRefusedByName() throws {
        let good = try ScratchModels.onnx("yolov3-tiny")
        var altered = good
        altered[altered.count / 2] ^= 0x01
        let cases: [(String, Data, Bool, String)] = [
            ("truncated", good.prefix(good.count / 2), false, "truncated"),
            ("truncated and pinned", good.prefix(good.count / 2), true, "ONNX Runtime could not load"),
            ("one byte changed", altered, false, "sha256"),
            ("the grocery model's file", try ScratchModels.onnx("grocery-yolov3-tiny"), true, "wrong output layout"),
            ("exported for 320x320", try ScratchModels.yolov3Tiny320(), true, "wrong input"),
        ]
        for (what, bytes, pin, reason) in cases {
            let folder = try ScratchModels.withONNX("yolov3-tiny", bytes: bytes, pin: pin)
            let e = #expect(throws: DetectionError.self, "\(what)") {
                try ModelStore(directory: folder).detector("yolov3-tiny", options: DetectorOptions(runtime: .onnxruntime))
            }
            let text = e?.description ?? ""
            #expect(text.contains(folder + "/yolov3-tiny/yolov3-tiny.onnx") && text.contains(reason), "\(what): \(text)")
            // OpenCV does not read the ONNX file: the fallback runtime still loads.
            #expect(
                try ModelStore(directory: folder).detector("yolov3-tiny", options: DetectorOptions(runtime: .opencv)).runtime == "opencv")
        }
    }

    /// A detector set of both runtimes on one shared tensor: each member finds what it finds alone.
    @Test func aDetectorSetMixesRuntimes() throws {
        let onnx = try load("yolov3-tiny", .onnxruntime), opencv = try load("yolov3-tiny", .opencv)
        let set = try DetectorSet([.init(onnx), .init(opencv, labels: ["dog", "truck"])])
        #expect(set.runtime == "onnxruntime+opencv")
        let frame = try FileIO.readJPEGFrame(Self.photos["yolov3-tiny"]![0])
        let result = try FrameDetector(set).detect(frame)
        let alone = try FrameDetector(try load("yolov3-tiny", .opencv)).detect(frame).detections
        let kept = alone.filter { ["dog", "truck"].contains($0.label) }
        #expect(result.detections.count == alone.count + kept.count && !kept.isEmpty)
        for (x, y) in zip(result.detections, alone + kept) {
            #expect(x.label == y.label && abs(x.score - y.score) <= 1e-4 && x.box.iou(y.box) >= 0.999)
        }
    }
}
