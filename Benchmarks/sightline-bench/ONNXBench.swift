// sightline-bench onnx: ONNX Runtime against OpenCV DNN (issue 15, phase 1).
//
//   swift run -c release sightline-bench onnx [--quick] [--rounds N] [--map]
//
// 1. Inference: a bare ONNX Runtime session (ONNXSession, the exported ONNX file) against
//    OpenCV DNN (DNNNetwork, the Darknet files, batch norm folded: today's runtime) on the same
//    tensor of a real photo, at 1 and 2 threads, for both models; the int8 file too where the
//    manifest lists one (files.onnxInt8, made by scripts/onnx/quantize.py). The runtimes are measured
//    in alternating blocks of the same run, so a load spike on a shared machine hits all of
//    them; ratios are medians against OpenCV's median.
// 2. --map: mAP@0.5 on the grocery model's held-out validation photos
//    (Models/grocery-yolov3-tiny/validation.txt), each runtime through the same preprocessing,
//    decoding, NMS and scoring as `sightline eval` (COCO's model on the 5 classes it shares with
//    the grocery taxonomy), so int8 is judged against float on photos calibration never saw.
import Detection
import Foundation
import Imaging
import SightlineCore

/// Detections of a model's ONNX file run by ONNX Runtime on one frame, with the same
/// preprocessing, decoding and NMS as OpenCVDetector's, for the mAP measurement only. (Phase 2 of
/// issue 15 makes the product's ONNX Runtime detector; this is the benchmark's stand-in.)
func onnxDetections(
    _ frame: Frame, session: ONNXSession, preprocessor: Preprocessor, tensor: Tensor, manifest: ModelManifest, labels: [String],
    scoreThreshold: Float
) throws -> (detections: [Detection], letterbox: Letterbox) {
    let letterbox = try preprocessor.run(frame, into: tensor).letterbox
    let outputs = try session.run(tensor)
    let candidates = decodeDarknetRegion(
        outputs.map { ($0.shape, $0.data) }, classes: labels.count, inputWidth: letterbox.inputWidth,
        inputHeight: letterbox.inputHeight, scoreThreshold: scoreThreshold)
    let detections = nonMaximumSuppression(candidates, iouThreshold: manifest.thresholds.nms).compactMap { c -> Detection? in
        let box = letterbox.toSource(c.box)
        return box.area > 0 ? Detection(label: labels[c.classID], classID: c.classID, score: c.score, box: box, model: manifest.name) : nil
    }
    return (detections, letterbox)
}

func onnxBenchmark(repoRoot: String, arguments: [String]) throws {
    let quick = arguments.contains("--quick")
    let rounds: Int = {
        guard let i = arguments.firstIndex(of: "--rounds"), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
            return quick ? 3 : 8
        }
        return v
    }()
    let perBlock = quick ? 3 : 5
    let store = ModelStore(directory: repoRoot + "/Models")
    let fridge = repoRoot + "/../shared/data/fridge"
    let info = try ONNXRuntime.open()
    print(
        "sightline-bench onnx: ONNX Runtime \(info.version) (C API \(info.apiVersion)) against OpenCV DNN, \(rounds) rounds of \(perBlock) runs each, medians"
    )
    var rows: [BenchRow] = []
    let photos = [
        "yolov3-tiny": "/usr/share/darknet/data/dog.jpg", "grocery-yolov3-tiny": fridge + "/extra/cntk_grocery/images/test_10.jpg",
    ]
    for name in ["yolov3-tiny", "grocery-yolov3-tiny"] {
        let manifest = try store.manifest(name)
        let dir = store.directory + "/" + name
        let labels = try String(contentsOfFile: dir + "/" + manifest.files.labels.path, encoding: .utf8).split(whereSeparator: \.isNewline)
            .count
        var weights = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + manifest.files.weights.path))
        let opencv = try DNNNetwork(
            darknetConfig: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + manifest.files.config!.path)), weights: &weights,
            configPath: manifest.files.config!.path, weightsPath: manifest.files.weights.path, model: name)
        weights = Data()
        let tensor = Tensor()
        try Preprocessor(input: manifest.input, kernels: .simd).run(try FileIO.readJPEGFrame(photos[name]!), into: tensor)
        for threads in [1, 2] {
            let group =
                "\(name) inference on one tensor (\((photos[name]! as NSString).lastPathComponent)), \(threads) thread\(threads == 1 ? "" : "s")"
            var runners: [(name: String, note: String, run: () throws -> Void)] = []
            runners.append(
                (
                    "opencv dnn forward", "Darknet files, batch norm folded",
                    {
                        DNNNetwork.threads = threads; _ = try opencv.forward(tensor)
                    }
                ))
            let float = try ONNXSession(manifest: manifest, directory: dir, classes: labels, options: .init(threads: threads))
            runners.append(("onnxruntime run", "exported ONNX, no spinning", { _ = try float.run(tensor) }))
            if threads > 1 {
                let spinning = try ONNXSession(
                    manifest: manifest, directory: dir, classes: labels, options: .init(threads: threads, allowSpinning: true))
                runners.append(("onnxruntime run, spinning", "idle threads spin between runs", { _ = try spinning.run(tensor) }))
            }
            if manifest.files.onnxInt8 != nil {
                let int8 = try ONNXSession(
                    manifest: manifest, directory: dir, classes: labels, precision: .int8, options: .init(threads: threads))
                runners.append(("onnxruntime int8 run", "scripts/onnx/quantize.py, no spinning", { _ = try int8.run(tensor) }))
            }
            var samples = [[Double]](repeating: [], count: runners.count)
            for r in runners { for _ in 0..<2 { try r.run() } }  // warm-up
            for round in 0..<rounds {
                // Alternating order each round, so neither runtime always follows the other.
                let order = round % 2 == 0 ? Array(runners.indices) : runners.indices.reversed()
                for i in order {
                    for _ in 0..<perBlock {
                        let t0 = Timestamp.now()
                        try runners[i].run()
                        samples[i].append(Double(Timestamp.now().nanoseconds - t0.nanoseconds))
                    }
                }
            }
            for (i, r) in runners.enumerated() {
                rows.append(
                    BenchRow(
                        group: group, name: r.name, medianNanoseconds: median(samples[i]), reference: i == 0 ? nil : "opencv dnn forward",
                        note: r.note))
            }
            DNNNetwork.threads = 1
        }
    }
    printTable(rows)
    if arguments.contains("--map") { try onnxMeanAP(store: store, fridge: fridge) }
}

/// mAP@0.5 (and mAP@0.5:0.95) on the validation photos, per runtime and model.
func onnxMeanAP(store: ModelStore, fridge: String) throws {
    let taxonomy = try LabelTaxonomy.load(path: store.directory + "/grocery-taxonomy.json")
    let only = try ImageSelection.load(path: store.directory + "/grocery-yolov3-tiny/validation.txt")
    let datasets = try ["train", "extra/epicureai", "extra/cntk_grocery", "extra/fridgeobjects_icevision"].map {
        try YOLODataset(folder: fridge + "/" + $0)
    }
    print("\n== mAP on the grocery validation photos (\(only.names.count) names; scored as `sightline eval --only` does)")
    for name in ["grocery-yolov3-tiny", "yolov3-tiny"] {
        let manifest = try store.manifest(name)
        let dir = store.directory + "/" + name
        let opencv = try OpenCVDetector(manifest: manifest, directory: dir)
        opencv.scoreThreshold = 0.005  // `sightline eval`'s --ap-score
        typealias Detect = (Frame) throws -> (detections: [Detection], letterbox: Letterbox)
        var detectors: [(String, Detect)] = [
            (
                "opencv dnn",
                { f in
                    let r = try opencv.detect(f); return (r.detections, r.letterbox)
                }
            )
        ]
        let preprocessor = Preprocessor(input: manifest.input, kernels: .simd), tensor = Tensor()
        var sessions = [
            (
                "onnxruntime float",
                try ONNXSession(manifest: manifest, directory: dir, classes: opencv.labels.count, options: .init(threads: 2))
            )
        ]
        if manifest.files.onnxInt8 != nil {
            let int8 = try ONNXSession(
                manifest: manifest, directory: dir, classes: opencv.labels.count, precision: .int8, options: .init(threads: 2))
            sessions.append(("onnxruntime int8", int8))
        }
        for (label, session) in sessions {
            detectors.append(
                (
                    label,
                    { f in
                        try onnxDetections(
                            f, session: session, preprocessor: preprocessor, tensor: tensor, manifest: manifest, labels: opencv.labels,
                            scoreThreshold: 0.005)
                    }
                ))
        }
        let classes: Set<String>? = name == "yolov3-tiny" ? ["apple", "banana", "orange", "carrot", "broccoli", "bottle"] : nil
        for (label, detect) in detectors {
            DNNNetwork.threads = 2
            var images: [EvaluatedImage] = []
            for dataset in datasets {
                for path in dataset.images where only.contains(path) {
                    let (found, letterbox) = try detect(try FileIO.readJPEGFrame(path))
                    let detections = found.map { d -> Detection in
                        var d = d
                        d.label = taxonomy.canonical(d.label)
                        return d
                    }
                    let truth = try dataset.groundTruth(
                        forImage: path, width: letterbox.sourceWidth, height: letterbox.sourceHeight, taxonomy: taxonomy)
                    images.append(EvaluatedImage(name: path, groundTruth: truth, detections: detections))
                }
            }
            let report = DetectionMetrics.evaluate(
                images, modelLabels: Set(opencv.labels), only: classes, scoreThreshold: manifest.thresholds.score)
            let map50 = String(format: "%.4f", report.map50 ?? -1), map = String(format: "%.4f", report.map ?? -1)
            print("\(name) \(label): \(report.images) images, \(report.classes.count) classes, mAP@0.5 \(map50), mAP@0.5:0.95 \(map)")
        }
    }
}
