// sightline-bench onnx: Sightline on ONNX Runtime against Sightline on OpenCV DNN and a bare
// ONNX Runtime session (issue 15).
//
//   swift run -c release sightline-bench onnx [--quick] [--rounds N] [--map]
//
// 1. Inference on the same photos' tensors, per model, at 1 and 2 threads, in one run:
//    - sightline + opencv: OpenCVDetector (OpenCV DNN on the Darknet files, batch norm folded;
//      the fallback runtime) on the tensor: inference, decoding, NMS, boxes mapped back;
//    - sightline + onnxruntime: ONNXRuntimeDetector, the same on the exported ONNX file;
//    - bare onnxruntime session: ONNXSession.run on the same tensor alone (no decoding): the
//      floor the detector is held to (goal: within 5%);
//    - the same two for int8 where the manifest lists files.onnxInt8.
//    The detectors are measured in alternating blocks of the same run (each block cycles through
//    the photos), so a load spike on a shared machine hits all of them; ratios are of medians.
// 2. Whether the runtimes agree: each photo's detections by ONNX Runtime (float) against
//    OpenCV's: the same count and labels, scores and box corners within 1e-4 (corners as fractions
//    of the model input, the unit of the networks' outputs).
// 3. --map: mAP on the grocery model's held-out validation photos
//    (Models/grocery-yolov3-tiny/validation.txt) per runtime, through the product's own path
//    (`evaluatedImages`, as `sightline eval --only` scores), so int8 is judged against float on
//    photos calibration never saw (COCO's model on the 5 classes it shares with the taxonomy).
import Detection
import Foundation
import Imaging
import SightlineCore

/// The photos each model is measured on: COCO's on Samples/photos.tsv, the grocery model's on
/// its validation photos (held out by scene; up to 8).
func benchmarkPhotos(_ model: String, repoRoot: String, fridge: String?) throws -> [String] {
    if model != "grocery-yolov3-tiny" {
        let tsv = try String(contentsOfFile: repoRoot + "/Samples/photos.tsv", encoding: .utf8)
        return tsv.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.split(separator: "\t")[1]) }
    }
    guard let fridge else { return [] }
    let only = try ImageSelection.load(path: repoRoot + "/Models/grocery-yolov3-tiny/validation.txt")
    let folders = ["train", "extra/cntk_grocery", "extra/epicureai", "extra/fridgeobjects_icevision"]
    let all = try folders.flatMap { try YOLODataset(folder: fridge + "/" + $0).images.filter(only.contains) }
    return Array(stride(from: 0, to: all.count, by: max(1, all.count / 8)).map { all[$0] }.prefix(8))
}

func onnxBenchmark(repoRoot: String, arguments: [String]) throws {
    let quick = arguments.contains("--quick")
    let rounds: Int = {
        guard let i = arguments.firstIndex(of: "--rounds"), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else {
            return quick ? 3 : 8
        }
        return v
    }()
    let store = ModelStore(directory: repoRoot + "/Models")
    let fridge = fridgeData(repoRoot, skipping: "the grocery model's rows")
    let info = try ONNXRuntime.open()
    print(
        "sightline-bench onnx: Sightline on ONNX Runtime \(info.version) (C API \(info.apiVersion)) and on OpenCV DNN, and a bare session; \(rounds) rounds, medians"
    )
    print(String(format: "load average at the start: %@", loadAverage()))
    var rows: [BenchRow] = []
    var agreement: [String] = []
    for name in ["yolov3-tiny", "grocery-yolov3-tiny"] {
        let manifest = try store.manifest(name)
        let photos = try benchmarkPhotos(name, repoRoot: repoRoot, fridge: fridge)
        guard !photos.isEmpty else { continue }
        let preprocessor = Preprocessor(input: manifest.input, kernels: .simd)
        let tensors = try photos.map { path in
            let t = Tensor()
            return (t, try preprocessor.run(try FileIO.readJPEGFrame(path), into: t).letterbox)
        }
        for threads in [1, 2] {
            let group =
                "\(name) on \(photos.count) photos' tensors, \(threads) thread\(threads == 1 ? "" : "s") (inference + decoding + NMS)"
            func load(_ runtime: DetectorRuntime) throws -> any ObjectDetector {
                try store.detector(name, options: DetectorOptions(runtime: runtime, threads: threads))
            }
            let opencv = try load(.opencv), float = try load(.onnxruntime)
            let bare = try ONNXSession(
                manifest: manifest, directory: store.directory + "/" + name, classes: float.labels.count,
                options: .init(threads: threads))
            var next = 0
            /// Runs `body` on the next photo's tensor.
            func cycling(_ body: @escaping (Tensor, Letterbox) throws -> Void) -> () throws -> Void {
                {
                    let (t, l) = tensors[next % tensors.count]
                    next += 1
                    try body(t, l)
                }
            }
            var runners: [(name: String, reference: String?, note: String, run: () throws -> Void)] = [
                ("sightline + opencv", nil, "OpenCV DNN, Darknet files", cycling { _ = try opencv.detect(tensor: $0, letterbox: $1) }),
                (
                    "sightline + onnxruntime", "sightline + opencv", "float ONNX",
                    cycling { _ = try float.detect(tensor: $0, letterbox: $1) }
                ),
                ("bare onnxruntime session", "sightline + opencv", "ONNXSession.run alone", cycling { t, _ in _ = try bare.run(t) }),
            ]
            if manifest.files.onnxInt8 != nil {
                let int8 = try load(.onnxruntimeInt8)
                let bareInt8 = try ONNXSession(
                    manifest: manifest, directory: store.directory + "/" + name, classes: float.labels.count, precision: .int8,
                    options: .init(threads: threads))
                runners += [
                    (
                        "sightline + onnxruntime-int8", "sightline + opencv", "int8 ONNX",
                        cycling { _ = try int8.detect(tensor: $0, letterbox: $1) }
                    ),
                    ("bare onnxruntime int8 session", "sightline + opencv", "", cycling { t, _ in _ = try bareInt8.run(t) }),
                ]
            }
            let samples = try alternating(runners.map(\.run), rounds: rounds, perBlock: tensors.count)
            for (i, r) in runners.enumerated() {
                rows.append(
                    BenchRow(group: group, name: r.name, medianNanoseconds: median(samples[i]), reference: r.reference, note: r.note))
            }
            // Sightline's detector against the bare session it wraps: the ratio is bare / detector.
            for (detector, session) in [
                ("sightline + onnxruntime", "bare onnxruntime session"), ("sightline + onnxruntime-int8", "bare onnxruntime int8 session"),
            ] {
                guard let d = runners.firstIndex(where: { $0.name == detector }) else { continue }
                rows.append(
                    BenchRow(
                        group: group, name: "  \(detector) vs bare", medianNanoseconds: median(samples[d]), reference: session,
                        note: "goal >= 0.95"))
            }
            if threads == 1 { agreement.append(try agree(name, opencv: opencv, onnx: float, tensors: tensors)) }
        }
    }
    printTable(rows)
    print("\n== do the runtimes agree? ONNX Runtime (float) against OpenCV DNN, the same tensors")
    for line in agreement { print(line) }
    print(String(format: "load average at the end: %@", loadAverage()))
    if arguments.contains("--map"), let fridge { try onnxMeanAP(store: store, fridge: fridge) }
}

/// Runs each of `runners` in blocks of `perBlock` calls, alternating their order every round
/// (after two warm-up calls each); returns each one's samples in nanoseconds.
func alternating(_ runners: [() throws -> Void], rounds: Int, perBlock: Int) throws -> [[Double]] {
    var samples = [[Double]](repeating: [], count: runners.count)
    for r in runners { for _ in 0..<2 { try r() } }
    for round in 0..<rounds {
        for i in round % 2 == 0 ? Array(runners.indices) : runners.indices.reversed() {
            for _ in 0..<perBlock {
                let t0 = Timestamp.now()
                try runners[i]()
                samples[i].append(Double(Timestamp.now().nanoseconds - t0.nanoseconds))
            }
        }
    }
    return samples
}

/// One line: whether the two detectors find the same objects on every tensor (count, labels,
/// scores and box corners within 1e-4, corners in units of the model input).
func agree(_ name: String, opencv: any ObjectDetector, onnx: any ObjectDetector, tensors: [(Tensor, Letterbox)]) throws -> String {
    var boxes = 0, mismatched: [String] = []
    var worstScore: Float = 0, worstCorner: Float = 0
    for (k, (t, l)) in tensors.enumerated() {
        let a = try opencv.detect(tensor: t, letterbox: l).detections, b = try onnx.detect(tensor: t, letterbox: l).detections
        boxes += a.count
        guard a.map(\.label) == b.map(\.label) else {
            mismatched.append("photo \(k + 1): \(a.map(\.label)) vs \(b.map(\.label))")
            continue
        }
        // Source pixels to fractions of the model input, the unit the networks' outputs are in.
        let fx = l.scaleX / Float(l.inputWidth), fy = l.scaleY / Float(l.inputHeight)
        for (x, y) in zip(a, b) {
            worstScore = max(worstScore, abs(x.score - y.score))
            worstCorner = max(
                worstCorner, abs(x.box.x - y.box.x) * fx, abs(x.box.maxX - y.box.maxX) * fx, abs(x.box.y - y.box.y) * fy,
                abs(x.box.maxY - y.box.maxY) * fy)
        }
    }
    let verdict = mismatched.isEmpty && worstScore <= 1e-4 && worstCorner <= 1e-4 ? "identical within 1e-4" : "NOT identical within 1e-4"
    return
        "\(name): \(tensors.count) photos, \(boxes) boxes: \(verdict) (largest score difference \(worstScore), box corner \(worstCorner))"
        + (mismatched.isEmpty ? "" : "; different objects on " + mismatched.joined(separator: "; "))
}

/// The 1, 5 and 15 minute load averages, for saying how loaded the machine was.
func loadAverage() -> String {
    ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").prefix(3).joined(separator: " ")
}

/// mAP@0.5 (and mAP@0.5:0.95) on the validation photos, per runtime and model, through the
/// product's path (`evaluatedImages`: decode, preprocessing, the detector, decoding, NMS).
func onnxMeanAP(store: ModelStore, fridge: String) throws {
    let taxonomy = try LabelTaxonomy.load(path: store.directory + "/grocery-taxonomy.json")
    let only = try ImageSelection.load(path: store.directory + "/grocery-yolov3-tiny/validation.txt")
    let datasets = try ["train", "extra/epicureai", "extra/cntk_grocery", "extra/fridgeobjects_icevision"].map {
        try YOLODataset(folder: fridge + "/" + $0)
    }
    print("\n== mAP on the grocery validation photos (\(only.names.count) names; scored as `sightline eval --only` does)")
    for name in ["grocery-yolov3-tiny", "yolov3-tiny"] {
        let manifest = try store.manifest(name)
        let classes: Set<String>? = name == "yolov3-tiny" ? ["apple", "banana", "orange", "carrot", "broccoli", "bottle"] : nil
        for runtime in DetectorRuntime.allCases where runtime != .onnxruntimeInt8 || manifest.files.onnxInt8 != nil {
            // `sightline eval`'s --ap-score: detections down to 0.005 count for AP.
            let detector = try store.detector(name, options: DetectorOptions(runtime: runtime, threads: 2, scoreThreshold: 0.005))
            let images = try evaluatedImages(detector: detector, datasets: datasets, taxonomy: taxonomy, only: only)
            let report = DetectionMetrics.evaluate(
                images, modelLabels: Set(detector.labels.map(taxonomy.canonical)), only: classes, scoreThreshold: manifest.thresholds.score)
            let map50 = String(format: "%.4f", report.map50 ?? -1), map = String(format: "%.4f", report.map ?? -1)
            print(
                "\(name) \(runtime.rawValue): \(report.images) images, \(report.classes.count) classes, mAP@0.5 \(map50), mAP@0.5:0.95 \(map)"
            )
        }
    }
}
