// sightline-bench: Sightline's preprocessing against OpenCV doing the same job, in one run,
// on the same inputs, single-threaded. Prints medians and ratios; asserts nothing.
//
//   swift run -c release sightline-bench [--quick] [--kernels]
//   swift run -c release sightline-bench live [--frames N] [--compare N] [--memory]   (LiveBench.swift)
//   swift run -c release sightline-bench onnx [--quick] [--rounds N] [--map]              (ONNXBench.swift)
//   swift run -c release sightline-bench chains [--quick]   (several chains vs detection, ReasoningBench.swift)
//   swift run -c release sightline-bench capture [--device D] [--frames N] [--copy]  (CaptureBench.swift)
import CTurboJPEG
import Actions
import Detection
import Foundation
import Pipeline
import Reasoning
import Imaging
import SightlineCore
import SightlineKernels

let quick = CommandLine.arguments.contains("--quick")
// --kernels: only the table of SIMD kernels against their scalar references (no OpenCV, no
// model), e.g. to compare code generation for another CPU:
//   swift run -c release -Xswiftc -target-cpu -Xswiftc haswell sightline-bench --kernels
if CommandLine.arguments.contains("--kernels") {
    printTable(kernelBenchmarks(quick: quick))
    exit(0)
}
let iterations = quick ? 10 : 60
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path
let work = NSTemporaryDirectory() + "sightline-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

if CommandLine.arguments.dropFirst().first == "capture" {
    try captureBenchmark(arguments: Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "chains" {
    printTable(try chainSetBenchmarks(quick: quick, repoRoot: repoRoot))
    exit(0)
}
if CommandLine.arguments.dropFirst().first == "live" {
    try liveBenchmark(repoRoot: repoRoot, work: work, arguments: Array(CommandLine.arguments.dropFirst(2)))
    try? FileManager.default.removeItem(atPath: work)
    exit(0)
}

if CommandLine.arguments.dropFirst().first == "onnx" {
    try onnxBenchmark(repoRoot: repoRoot, arguments: Array(CommandLine.arguments.dropFirst(2)))
    exit(0)
}

print("sightline-bench: \(quick ? "quick run" : "full run"), \(iterations) iterations a row, medians, one thread")

// MARK: Inputs: photo-like JPEGs made from a real photo.

/// A real photo (darknet's kite.jpg, 1352x900) cropped to 16:9, resized to `w`x`h` and given
/// a little sensor-like noise, encoded at quality 85 4:2:0 like a camera's MJPEG.
func cameraLikeJPEG(width w: Int, height h: Int) throws -> [UInt8] {
    let source = "/usr/share/darknet/data/kite.jpg"
    let jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: source)))
    let decoder = JPEGDecoder(), full = ImageBuffer()
    let img = try jpeg.withUnsafeBytes { try decoder.decode($0, origin: source, into: full) }
    let cropH = img.width * 9 / 16
    let top = (img.height - cropH) / 2
    let plan = ResizePlan(srcWidth: img.width, srcHeight: cropH, dstWidth: w, dstHeight: h, channels: 3, mode: .bilinear)!
    defer { plan.deallocate() }
    var out = [UInt8](repeating: 0, count: w * h * 3)
    out.withUnsafeMutableBufferPointer { dst in
        SIMDKernels.resize(
            plan: plan, src: full.pointer.assumingMemoryBound(to: UInt8.self) + top * img.stride,
            srcStride: img.stride, dst: dst.baseAddress!, dstStride: w * 3)
    }
    var state: UInt64 = 12345
    for i in 0..<out.count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        let noise = Int((state >> 33) % 7) - 3
        out[i] = UInt8(clamping: Int(out[i]) + noise)
    }
    return try out.withUnsafeBytes {
        try JPEGEncoder().encode($0.baseAddress!, width: w, height: h, stride: w * 3, format: .rgb24, quality: 85, subsampling: .s420)
    }
}

var inputs: [(name: String, path: String, bytes: [UInt8])] = []
for (w, h) in [(1920, 1080), (1280, 720)] {
    let bytes = try cameraLikeJPEG(width: w, height: h)
    let path = work + "/frame-\(w)x\(h).jpg"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    inputs.append(("\(w)x\(h) q85 (\(bytes.count / 1024) KB)", path, bytes))
}
// A YUYV 640x480 frame: the 720p picture decoded at 1/2, converted to limited-range YUYV.
let yuyvPath = work + "/frame-640x480.yuyv"
let yuyv: Frame = try {
    let dec = JPEGDecoder(), rgb = ImageBuffer()
    let img = try inputs[1].bytes.withUnsafeBytes { try dec.decode($0, origin: "720p", scale: .init(num: 1, denom: 2), into: rgb) }
    let (w, h) = (640, 480)
    var bytes = [UInt8](repeating: 0, count: w * h * 2)
    let p = rgb.bytes
    for y in 0..<h {
        for x in stride(from: 0, to: w, by: 2) {
            // The 1/2 decode is 640x360: the bottom rows repeat its last row (as nv12Frame does).
            let i = min(y, img.height - 1) * img.stride + x * 3
            func yuv(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (Int, Int, Int) {
                let (r, g, b) = (Int(r), Int(g), Int(b))
                return (
                    (66 * r + 129 * g + 25 * b + 128) >> 8 + 16, (-38 * r - 74 * g + 112 * b + 128) >> 8 + 128,
                    (112 * r - 94 * g - 18 * b + 128) >> 8 + 128
                )
            }
            let a = yuv(p[i], p[i + 1], p[i + 2]), b = yuv(p[i + 3], p[i + 4], p[i + 5])
            let o = (y * w + x) * 2
            bytes[o] = UInt8(clamping: a.0); bytes[o + 1] = UInt8(clamping: (a.1 + b.1) / 2)
            bytes[o + 2] = UInt8(clamping: b.0); bytes[o + 3] = UInt8(clamping: (a.2 + b.2) / 2)
        }
    }
    try Data(bytes).write(to: URL(fileURLWithPath: yuyvPath))
    return try Frame(format: .yuyv, width: w, height: h, origin: "yuyv 640x480", storage: ImageBuffer(copying: bytes))
}()

// NV12 frames (640x480 and 1280x720): the 720p picture (decoded at 1/2 or full size), converted
// to limited-range NV12 as a camera makes it (Y per pixel, U and V averaged over 2x2 blocks).
func nv12Frame(from jpeg: [UInt8], width w: Int, height h: Int, scale: ScalingFactor) throws -> (path: String, frame: Frame) {
    let dec = JPEGDecoder(), rgb = ImageBuffer()
    let img = try jpeg.withUnsafeBytes { try dec.decode($0, origin: "720p", scale: scale, into: rgb) }
    let p = rgb.bytes
    func px(_ x: Int, _ y: Int) -> (Int, Int, Int) {
        let i = min(y, img.height - 1) * img.stride + min(x, img.width - 1) * 3
        return (Int(p[i]), Int(p[i + 1]), Int(p[i + 2]))
    }
    var bytes = [UInt8](repeating: 0, count: w * h + w * (h / 2))
    for y in 0..<h {
        for x in 0..<w {
            let (r, g, b) = px(x, y)
            bytes[y * w + x] = UInt8(clamping: (66 * r + 129 * g + 25 * b + 128) >> 8 + 16)
        }
    }
    for j in 0..<(h / 2) {
        for i in 0..<(w / 2) {
            var su = 0, sv = 0
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let (r, g, b) = px(2 * i + dx, 2 * j + dy)
                su += (-38 * r - 74 * g + 112 * b + 128) >> 8 + 128
                sv += (112 * r - 94 * g - 18 * b + 128) >> 8 + 128
            }
            bytes[w * h + j * w + 2 * i] = UInt8(clamping: (su + 2) / 4)
            bytes[w * h + j * w + 2 * i + 1] = UInt8(clamping: (sv + 2) / 4)
        }
    }
    let path = NSTemporaryDirectory() + "sightline-bench-\(getpid())/frame-\(w)x\(h).nv12"
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    return (path, try Frame(format: .nv12, width: w, height: h, origin: "nv12 \(w)x\(h)", storage: ImageBuffer(copying: bytes)))
}
let nv12Frames = [
    try nv12Frame(from: inputs[1].bytes, width: 640, height: 480, scale: .init(num: 1, denom: 2)),
    try nv12Frame(from: inputs[1].bytes, width: 1280, height: 720, scale: .one),
]

// MARK: OpenCV, measured by Debian's python3-opencv in the same run.

func opencvTimings(_ paths: [String], yuyvPath: String, nv12: [(String, Frame)], iterations: Int) throws
    -> [String: [String: Double]]
{
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments =
        [repoRoot + "/scripts/reference/opencv_ref.py", "bench"] + paths
        + ["--size", "416", "--iterations", String(iterations), "--yuyv", yuyvPath, "--yuyv-size", "640x480"]
        + nv12.flatMap { ["--nv12", "\($0.0):\($0.1.width)x\($0.1.height)"] }
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    guard p.terminationStatus == 0 else { throw CocoaError(.executableLoad) }
    return try JSONDecoder().decode([String: [String: Double]].self, from: data)
}

// OpenCV runs in another process, at another moment than Sightline's rows: on a shared machine a
// load spike during its run would flatter Sightline. It is measured twice and each figure keeps
// the faster median (the ratios can only come out lower for Sightline).
let cvRuns = try (0..<2).map { _ in
    try opencvTimings(inputs.map(\.path), yuyvPath: yuyvPath, nv12: nv12Frames.map { ($0.path, $0.frame) }, iterations: iterations)
}
let cv = cvRuns[0].merging(cvRuns[1]) { a, b in a.merging(b) { min($0, $1) } }
var rows: [BenchRow] = []

// MARK: JPEG -> 416x416 tensor

for input in inputs {
    let group = "JPEG \(input.name) -> 416x416 letterboxed tensor"
    let c = cv[input.path]!
    rows.append(BenchRow(group: group, name: "opencv imdecode+blobFromImage", medianNanoseconds: c["plain"]!, note: "plain path, stretch"))
    rows.append(BenchRow(group: group, name: "opencv imdecode+letterbox+blob", medianNanoseconds: c["plain_letterbox"]!))
    rows.append(
        BenchRow(
            group: group, name: "opencv reduced-decode+blob", medianNanoseconds: c["expert"]!,
            note: "expert path, IMREAD_REDUCED_COLOR_\(Int(c["expert_reduce"]!))"))
    rows.append(BenchRow(group: group, name: "opencv imdecode only", medianNanoseconds: c["decode_full"]!))

    let tensor = Tensor()
    // The floors: libjpeg-turbo's bare decode at the DCT scale Sightline picks, to RGB (the floor
    // for any RGB decode) and to Y, Cb, Cr planes (no upsampling, no colour conversion: the
    // floor for the planes path).
    let scale = try input.bytes.withUnsafeBytes {
        try Preprocessor(input: .square(416)).run(jpeg: $0, origin: input.name, into: tensor).scale
    }
    let decoder = JPEGDecoder(), buffer = ImageBuffer()
    let bare = try input.bytes.withUnsafeBytes { jpeg in
        try measureMedian(iterations: iterations) {
            try decoder.decode(jpeg, origin: input.name, scale: scale, into: buffer)
        }
    }
    rows.append(
        BenchRow(group: group, name: "libjpeg-turbo bare \(scale) decode", medianNanoseconds: bare, note: "to RGB: the floor for any RGB decode"))
    /// libjpeg-turbo's decode to Y, Cb, Cr planes alone, at `s`.
    func barePlanesDecode(_ s: ScalingFactor) throws -> Double {
        try input.bytes.withUnsafeBytes { jpeg in
            try measureMedian(iterations: iterations) {
                try decoder.decodePlanes(jpeg, origin: input.name, scale: s, into: buffer)
            }
        }
    }
    let barePlanes = try barePlanesDecode(scale)
    /// Appends the planes decode alone at another scale `s`, against the one at `scale`.
    func otherScaleRow(_ s: ScalingFactor, note: String) throws {
        rows.append(
            BenchRow(
                group: group, name: "libjpeg-turbo bare \(s) planes", medianNanoseconds: try barePlanesDecode(s),
                reference: "libjpeg-turbo bare \(scale) planes", note: note))
    }
    rows.append(
        BenchRow(
            group: group, name: "libjpeg-turbo bare \(scale) planes", medianNanoseconds: barePlanes,
            reference: "libjpeg-turbo bare \(scale) decode", note: "to Y, Cb, Cr planes: the floor for the planes path"))
    // The ceiling: with no work at all after it, the planes decode alone is this many times
    // faster than the plain OpenCV path; no planes path can beat that ratio.
    rows.append(
        BenchRow(
            group: group, name: "  ceiling vs plain", medianNanoseconds: barePlanes, reference: "opencv imdecode+blobFromImage",
            note: "the bare planes decode alone: the best ratio a planes path can reach"))
    // What the decode costs below any scale: at 1/8 libjpeg-turbo's inverse DCT is DC-only, so
    // what is left is mostly entropy (Huffman) decoding, which every scale pays in full.
    if scale != ScalingFactor(num: 1, denom: 8) {
        try otherScaleRow(ScalingFactor(num: 1, denom: 8), note: "DC-only inverse DCT: mostly Huffman decoding")
    }
    for path in [JPEGDecodePath.yuvPlanes, .rgb] {
        let pre = Preprocessor(input: .square(416))
        pre.jpegPath = path
        var report = try input.bytes.withUnsafeBytes { try pre.run(jpeg: $0, origin: input.name, into: tensor) }
        var post: [Double] = []
        let simd = try input.bytes.withUnsafeBytes { jpeg in
            try measureMedian(iterations: iterations) {
                report = try pre.run(jpeg: jpeg, origin: input.name, into: tensor)
                post.append(report.resizePackSeconds * 1e9)
            }
        }
        let name = "sightline \(path) (simd)"
        let floor = path == .rgb ? bare : barePlanes
        let floorName = path == .rgb ? "libjpeg-turbo bare \(scale) decode" : "libjpeg-turbo bare \(scale) planes"
        rows.append(
            BenchRow(
                group: group, name: name, medianNanoseconds: simd, reference: "opencv imdecode+blobFromImage",
                note: "DCT \(report.scale) -> \(report.decodedWidth)x\(report.decodedHeight)"))
        rows.append(BenchRow(group: group, name: "  vs expert", medianNanoseconds: simd, reference: "opencv reduced-decode+blob"))
        rows.append(BenchRow(group: group, name: "  vs its bare decode", medianNanoseconds: simd, reference: floorName))
        let postMedian = median(post)
        rows.append(
            BenchRow(
                group: group, name: "  work after decode", medianNanoseconds: postMedian,
                note: "resize+convert+pack+pad = \(format3(100 * postMedian / floor))% of its bare decode"))
    }
    let smallestPre = Preprocessor(input: .square(416))
    smallestPre.dctScaling = .smallest
    let smallestScale = try input.bytes.withUnsafeBytes { try smallestPre.run(jpeg: $0, origin: input.name, into: tensor).scale }
    let smallest = try input.bytes.withUnsafeBytes { jpeg in
        try measureMedian(iterations: iterations) { try smallestPre.run(jpeg: jpeg, origin: input.name, into: tensor) }
    }
    rows.append(
        BenchRow(
            group: group, name: "sightline (smallest scale)", medianNanoseconds: smallest,
            reference: "opencv imdecode+blobFromImage", note: "DCT \(smallestScale)"))
    if smallestScale != scale {
        // The planes decode alone at the smallest scale: is its smaller output worth the slower
        // (non-SIMD) scaled IDCT, for the planes path?
        try otherScaleRow(smallestScale, note: "the smallest scale's planes decode")
        rows.append(
            BenchRow(group: group, name: "  smallest vs planes path", medianNanoseconds: smallest,
                     reference: "sightline \(JPEGDecodePath.yuvPlanes) (simd)", note: "end to end, DCT \(smallestScale) vs \(scale)"))
    }
    let scalarPre = Preprocessor(input: .square(416), kernels: .scalar)
    let scalar = try input.bytes.withUnsafeBytes { jpeg in
        try measureMedian(iterations: max(5, iterations / 4)) { try scalarPre.run(jpeg: jpeg, origin: input.name, into: tensor) }
    }
    rows.append(BenchRow(group: group, name: "sightline (scalar kernels)", medianNanoseconds: scalar))
}

// MARK: Raw camera frames -> tensor: YUYV (resizePackYUYV) and NV12 (resizePackYUV, chroma as
// interleaved pairs), against OpenCV's cvtColor + letterbox + blobFromImage

let rawFrames = [(yuyvPath, yuyv, "yuyv")] + nv12Frames.map { ($0.path, $0.frame, "nv12") }
for (path, frame, key) in rawFrames {
    let group = "\(key.uppercased()) \(frame.width)x\(frame.height) -> 416x416 letterboxed tensor"
    rows.append(BenchRow(group: group, name: "opencv cvtColor+letterbox+blob", medianNanoseconds: cv[path]![key]!))
    let tensor = Tensor()
    for choice in [KernelChoice.scalar, .simd] {
        let pre = Preprocessor(input: .square(416), kernels: choice)
        let t = try measureMedian(iterations: iterations) { try pre.run(frame, into: tensor) }
        rows.append(
            BenchRow(
                group: group, name: "sightline (\(choice))", medianNanoseconds: t,
                reference: choice == .simd ? "opencv cvtColor+letterbox+blob" : nil))
    }
    rows.append(
        BenchRow(
            group: group, name: "sightline simd vs scalar", medianNanoseconds: rows.last!.medianNanoseconds, reference: "sightline (scalar)"))
}

// MARK: Detection: Sightline's whole path against OpenCV's, one thread each

if let detector = try? OpenCVDetector(model: "yolov3-tiny", store: ModelStore(directory: repoRoot + "/Models")) {
    DNNNetwork.threads = 1
    let modelDir = repoRoot + "/Models/yolov3-tiny"
    let photos = ["dog", "person", "horses", "kite"].map { "/usr/share/darknet/data/\($0).jpg" }
    let detectIterations = quick ? 3 : 15
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments =
        [
            repoRoot + "/scripts/reference/opencv_ref.py", "bench-detect", modelDir + "/yolov3-tiny.cfg",
            modelDir + "/yolov3-tiny.weights",
        ] + photos + ["--iterations", String(detectIterations)]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let cvDetect = try JSONDecoder().decode([String: [String: Double]].self, from: data)
    let stage = FrameDetector(detector, kernels: .simd)
    for photo in photos {
        let frame = try FileIO.readJPEGFrame(photo)
        let group = "detect \((photo as NSString).lastPathComponent) (yolov3-tiny 416, 1 thread)"
        var pre: [Double] = [], inf: [Double] = [], dec: [Double] = []
        let whole = try measureMedian(iterations: detectIterations, warmup: 2) {
            let r = try stage.detect(frame)
            pre.append(r.timings.preprocess * 1e9); inf.append(r.timings.inference * 1e9); dec.append(r.timings.decode * 1e9)
        }
        let c = cvDetect[photo]!
        rows.append(
            BenchRow(
                group: group, name: "opencv DetectionModel.detect", medianNanoseconds: c["opencv_whole"]!,
                note: "imdecode + its preprocessing + forward + NMS"))
        rows.append(BenchRow(group: group, name: "sightline detect", medianNanoseconds: whole, reference: "opencv DetectionModel.detect"))
        rows.append(BenchRow(group: group, name: "  preprocess", medianNanoseconds: median(pre)))
        rows.append(BenchRow(group: group, name: "  inference", medianNanoseconds: median(inf), reference: "opencv bare forward"))
        rows.append(BenchRow(group: group, name: "  decode + NMS", medianNanoseconds: median(dec)))
        rows.append(
            BenchRow(
                group: group, name: "opencv bare forward", medianNanoseconds: c["opencv_forward"]!,
                note: "net.forward on a ready blob, from Python"))
    }
} else {
    print("\n(detection rows skipped: run scripts/fetch-model yolov3-tiny)")
}

// MARK: The whole job: replay through detection, the reasoner and a sink, against detection alone

if let detector = try? OpenCVDetector(model: "yolov3-tiny", store: ModelStore(directory: repoRoot + "/Models")) {
    DNNNetwork.threads = 1
    let group = "replay: detect + reason + act vs detect alone (1 thread)"
    // The scene as the command line assembles it: the chain, knowledge and profile, events to a
    // JSON Lines file that discards them, and the model loaded above.
    let configuration = SceneConfiguration(
        profile: repoRoot + "/Samples/profiles/deficit.json", today: LocalDate("2026-11-22")!, modelsDirectory: repoRoot + "/Models",
        sinks: [SinkConfiguration(kind: "jsonl", argument: "/dev/null")])
    let pipeline = try Scene(configuration, detector: detector).pipeline
    let frames = try ["dog", "person", "horses", "eagle", "giraffe", "kite"].map {
        try FileIO.readJPEGFrame("/usr/share/darknet/data/\($0).jpg")
    }
    let rounds = quick ? 1 : 3
    let stage = FrameDetector(detector, kernels: .simd)
    var detectOnly: [Double] = [], whole: [Double] = [], reason: [Double] = []
    for _ in 0..<rounds {
        for frame in frames {
            let t0 = Timestamp.now()
            _ = try stage.detect(frame)
            let t1 = Timestamp.now()
            let outcome = try pipeline.process(frame, time: Date(timeIntervalSince1970: 0))
            let t2 = Timestamp.now()
            detectOnly.append(Double(t1.nanoseconds - t0.nanoseconds))
            whole.append(Double(t2.nanoseconds - t1.nanoseconds))
            reason.append(outcome.reasonSeconds * 1e9)
        }
    }
    let total = { (v: [Double]) in v.reduce(0, +) }
    rows.append(BenchRow(group: group, name: "detection alone", medianNanoseconds: median(detectOnly),
                         note: String(format: "%.2f fps over %d frames", Double(detectOnly.count) / (total(detectOnly) / 1e9), detectOnly.count)))
    rows.append(BenchRow(group: group, name: "whole job per frame", medianNanoseconds: median(whole), reference: "detection alone",
                         note: String(format: "%.2f fps", Double(whole.count) / (total(whole) / 1e9))))
    rows.append(BenchRow(group: group, name: "  reasoner per frame", medianNanoseconds: median(reason),
                         note: String(format: "%.3f%% of detection", 100 * median(reason) / median(detectOnly))))
}

// MARK: The reasoner over a stream: quick against contemplating (ReasoningBench.swift)

rows += try reasoningBenchmarks(quick: quick, repoRoot: repoRoot)
rows += try chainSetBenchmarks(quick: quick, repoRoot: repoRoot)

// MARK: Kernels, SIMD against their scalar references

rows += kernelBenchmarks(quick: quick)
printTable(rows)
