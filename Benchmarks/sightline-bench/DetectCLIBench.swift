// sightline-bench detect: `sightline detect` as a user runs it, on ONNX Runtime against OpenCV DNN
// (issue 15).
//
//   swift build -c release && swift run -c release sightline-bench detect [--rounds N] [--threads T] [--model M]
//
// Runs the release `sightline` beside this benchmark, `detect PHOTOS --runtime R --threads T
// --json`, on the photos of Samples/photos.tsv, alternating the two runtimes for N rounds (one
// process each time, the order flipped every round). In each process the first photo is
// warm-up; the median of the others' `timings.inference` is taken per runtime, over every
// round. Goal at 1 thread: ONNX Runtime at least 2x faster. Also prints whether every box
// OpenCV scores >= 0.3 has one of the same label at IoU >= 0.9 from ONNX Runtime (the test
// `DetectCLITests.runtimesFindTheSameObjects` asserts it).
import Detection
import Foundation
import SightlineCore

func detectCLIBenchmark(repoRoot: String, arguments: [String]) throws {
    func option(_ name: String, _ fallback: String) -> String {
        guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return fallback }
        return arguments[i + 1]
    }
    let rounds = Int(option("--rounds", "5")) ?? 5
    let threads = option("--threads", "1"), model = option("--model", "yolov3-tiny")
    let executable = (Bundle.main.executablePath! as NSString).deletingLastPathComponent + "/sightline"
    guard FileManager.default.isExecutableFile(atPath: executable) else {
        print("sightline-bench detect: \(executable) is not built; run `swift build -c release` first")
        return
    }
    let tsv = try String(contentsOfFile: repoRoot + "/Samples/photos.tsv", encoding: .utf8)
    let photos = tsv.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.split(separator: "\t")[1]) }
    print(
        "sightline-bench detect: sightline detect (\(photos.count) photos of Samples/photos.tsv, --model \(model) --threads \(threads) --json), \(rounds) rounds alternating the runtimes; load average \(loadAverage())"
    )
    var inference: [DetectorRuntime: [Double]] = [:]
    var lastRun: [DetectorRuntime: [[Detection]]] = [:]
    for round in 0..<rounds {
        let order: [DetectorRuntime] = round % 2 == 0 ? [.onnxruntime, .opencv] : [.opencv, .onnxruntime]
        for runtime in order {
            let lines = try runDetect(
                executable, photos + ["--model", model, "--runtime", runtime.rawValue, "--threads", threads, "--json"], repoRoot: repoRoot)
            guard lines.count == photos.count else { throw CocoaError(.fileReadCorruptFile) }
            inference[runtime, default: []] += lines.dropFirst().map(\.timings.inference)  // the first photo is warm-up
            lastRun[runtime] = lines.map(\.detections)
        }
    }
    let ort = median(inference[.onnxruntime]!), cv = median(inference[.opencv]!)
    print(String(format: "median inference, opencv        %8.2f ms  (%d photos)", cv * 1000, inference[.opencv]!.count))
    print(String(format: "median inference, onnxruntime   %8.2f ms  x%.2f vs opencv (goal >= 2 at 1 thread)", ort * 1000, cv / ort))
    var missing: [String] = []
    var checked = 0
    for (k, (a, b)) in zip(lastRun[.opencv]!, lastRun[.onnxruntime]!).enumerated() {
        for d in a where d.score >= 0.3 {
            checked += 1
            if !b.contains(where: { $0.label == d.label && $0.box.iou(d.box) >= 0.9 }) {
                missing.append("\((photos[k] as NSString).lastPathComponent): \(d.label) \(d.score)")
            }
        }
    }
    print(
        "boxes OpenCV scores >= 0.3: \(checked); with a same-label ONNX Runtime box at IoU >= 0.9: \(checked - missing.count)"
            + (missing.isEmpty ? "" : "; missing: " + missing.joined(separator: ", ")))
    print("load average at the end: \(loadAverage())")
}

/// One JSON line of `sightline detect --json`.
struct DetectLine: Decodable {
    var image: String
    var runtime: String
    var detections: [Detection]
    var timings: DetectionTimings
}

/// Runs `sightline detect` with `arguments` and decodes its JSON lines.
func runDetect(_ executable: String, _ arguments: [String], repoRoot: String) throws -> [DetectLine] {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = ["detect"] + arguments + ["--models-dir", repoRoot + "/Models"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else {
        print("sightline detect \(arguments.joined(separator: " ")) exited with \(p.terminationStatus)")
        throw CocoaError(.executableLoad)
    }
    return try String(decoding: data, as: UTF8.self).split(separator: "\n").map {
        try JSONDecoder().decode(DetectLine.self, from: Data($0.utf8))
    }
}
