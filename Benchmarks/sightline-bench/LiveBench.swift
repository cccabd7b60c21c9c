import Actions
// sightline-bench live: the live pipeline on long replays of real photos.
//
//   swift run -c release sightline-bench live [--frames 10000] [--compare 300] [--memory]
//
// 1. Throughput: the same frames through the whole pipeline (ungated, lossless: every frame
//    detected) against detection alone (decode + preprocess + inference in one loop).
// 2. Gating: a mostly static replay (each fridge photo held for frames/25 frames): the share of
//    detector runs saved, scene changes missed, resident memory after 100 frames and at the end
//    (with --memory: by mapping, and glibc malloc's arenas, in use and free).
// 3. Heap allocations per frame in the steady state of capture and preparation (counted by the
//    CMallocCounter interposer, per thread).
import CMallocCounter
import Capture
import Detection
import Foundation
import Imaging
import Pipeline
import Reasoning
import SightlineCore

/// Resident set size of this process, in MB (/proc/self/statm).
func residentMegabytes() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// A recorded JPEG folder: the 25 fridge photos, each held for `hold` frames, at 30 fps.
func fridgeRecording(frames: Int, hold: Int, in dir: String, photos: String) throws -> String {
    let names = try FileManager.default.contentsOfDirectory(atPath: photos).filter { $0.hasSuffix(".jpg") }.sorted()
    let folder = dir + "/rec-\(frames)-\(hold)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    var tsv = Sidecar.header
    for i in 0..<frames {
        let name = String(format: "frame-%06d.jpg", i)
        try FileManager.default.createSymbolicLink(
            atPath: folder + "/" + name, withDestinationPath: photos + "/" + names[(i / hold) % names.count])
        tsv += Sidecar.line(.init(frame: name, timestamp: Timestamp(nanoseconds: UInt64(i) * 33_333_333), sequence: UInt64(i)))
    }
    try tsv.write(toFile: folder + "/frames.tsv", atomically: true, encoding: .utf8)
    return folder
}

func liveBenchmark(repoRoot: String, work: String, arguments: [String]) throws {
    func option(_ name: String, _ fallback: Int) -> Int {
        guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { return fallback }
        return v
    }
    // As `sightline run` and `replay` do, before the detector loads (Pipeline/ProcessMemory.swift).
    ProcessMemory.configureForLivePipeline()
    let total = option("--frames", 10_000)
    let compare = option("--compare", 300)
    // --memory: where the resident memory is, after 100 frames and at the end (MemoryReport.swift).
    // Off by default: reading /proc/self/smaps allocates, which would touch the figures it reports.
    let breakdown = arguments.contains("--memory")
    guard let fridge = fridgeData(repoRoot, skipping: "the live benchmark") else { return }
    let photos = fridge + "/extra/cntk_grocery/images"
    let store = ModelStore(directory: repoRoot + "/Models")
    let models = repoRoot + "/Models"
    let detector = try OpenCVDetector(model: "yolov3-tiny", store: store)
    print("sightline-bench live: \(total)-frame gated replay, \(compare)-frame throughput comparison (fridge photos 1333x1000)")

    // The scene as the command line assembles it, sharing one loaded model, with no sink.
    func makeScene() throws -> ScenePipeline {
        let configuration = SceneConfiguration(
            profile: repoRoot + "/Samples/profiles/deficit.json", chains: [models + "/chains/fridge.json"],
            knowledge: models + "/nutrition.json", today: LocalDate(year: 2026, month: 11, day: 22)!, modelsDirectory: models, sinks: [])
        return try Scene(configuration, detector: detector).pipeline
    }

    // 1. Throughput: every frame detected, pipeline vs detection alone.
    let short = try fridgeRecording(frames: compare, hold: 12, in: work, photos: photos)
    do {
        let source = try JPEGDirectorySource(directory: short)
        let stage = FrameDetector(detector)
        for _ in 0..<5 { _ = try stage.detect(try FileIO.readJPEGFrame(source.files[0])) }  // warm up
        let t0 = Timestamp.now()
        while let frame = try source.next() { _ = try stage.detect(frame) }
        let alone = Double(compare) / Timestamp.now().seconds(since: t0)
        let live = LivePipeline(
            source: try JPEGDirectorySource(directory: short), detector: .model(detector), scene: try makeScene(),
            options: LiveOptions(handOff: .lossless, gate: nil))
        let report = live.run()
        let piped = report.framesPerSecond
        print("\n== throughput, every frame detected (\(compare) frames)")
        print(String(format: "detection alone (decode + preprocess + inference, one thread)  %7.2f frames/s", alone))
        print(String(format: "live pipeline (4 stages, lossless, no gate)                    %7.2f frames/s", piped))
        print(String(format: "overhead: %.1f%% (goal < 10%%; negative = the stages overlap)", (1 - piped / alone) * 100))
    }

    // 2. Gating on a mostly static sequence.
    let hold = max(1, total / 25)
    let long = try fridgeRecording(frames: total, hold: hold, in: work, photos: photos)
    let rss = Locked((after100: 0.0, end: 0.0))
    let snapshots = Locked((after100: MemorySnapshot?.none, end: MemorySnapshot?.none))
    let missed = Locked([Int]())
    let live = LivePipeline(
        source: try JPEGDirectorySource(directory: long), detector: .model(detector), scene: try makeScene(),
        options: LiveOptions(handOff: .lossless),
        onDecision: { frame, decision in
            let i = Int(frame.sequence)
            if i == 100 {
                rss.mutate { $0.after100 = residentMegabytes() }
                if breakdown { snapshots.mutate { $0.after100 = .take() } }
            }
            if i == total - 1 {
                rss.mutate { $0.end = residentMegabytes() }
                if breakdown { snapshots.mutate { $0.end = .take() } }
            }
            if i % hold == 0, !decision.analyse { missed.mutate { $0.append(i) } }
        })
    let report = live.run()
    print("\n== gating: \(total) frames, each photo held \(hold) frames (\(((total + hold - 1) / hold)) scenes)")
    print(report.summary)
    print(
        String(
            format: "detector runs saved: %.1f%% (goal >= 80%%); scene changes missed: %d (goal 0)", report.gate.savedFraction * 100,
            missed.value.count))
    print(
        String(
            format: "resident memory: %.1f MB after 100 frames, %.1f MB after %d (growth %.1f MB; goal: none, < 150 MB)",
            rss.value.after100, rss.value.end, total, rss.value.end - rss.value.after100))
    if let first = snapshots.value.after100, let last = snapshots.value.end {
        print("resident memory by mapping after 100 frames:")
        print(first.lines().joined(separator: "\n"))
        print("… and after \(total) (change since frame 100 in brackets):")
        print(last.lines(since: first).joined(separator: "\n"))
    }

    // 3. Heap allocations per frame, steady state, one thread.
    print("\n== heap allocations per frame, steady state (frames 100..<600, this thread)")
    func perFrame(_ frames: Int = 500, _ body: () throws -> Void) rethrows -> Double {
        for _ in 0..<100 { try body() }
        let before = sl_thread_allocations()
        for _ in 0..<frames { try body() }
        return Double(sl_thread_allocations() - before) / Double(frames)
    }
    let capture = try JPEGDirectorySource(directory: long)
    let captureAllocs = try perFrame { _ = try capture.next() }
    let gate = MotionGate()
    let pre = Preprocessor(input: detector.input)
    let tensor = Tensor()
    let one = try FileIO.readJPEGFrame(photos + "/test_10.jpg")
    let decodeOnly = JPEGDecoder(), grey = ImageBuffer()
    let jpegDecodeAllocs = try perFrame {
        _ = try decodeOnly.decode(one.bytes, origin: one.origin, scale: ScalingFactor(num: 1, denom: 8), format: .grey, into: grey)
    }
    let gateJPEG = try perFrame { _ = try gate.decide(one) }
    let prepJPEG = try perFrame { try pre.run(one, into: tensor) }
    // A raw camera frame: the photo as 640x480 YUYV (what vivid and most webcams deliver).
    let yuyvFrame = try yuyvFromPhoto(photos + "/test_10.jpg", width: 640, height: 480)
    let rawGate = MotionGate()
    let gateRaw = try perFrame { _ = try rawGate.decide(yuyvFrame) }
    let prepRaw = try perFrame { try pre.run(yuyvFrame, into: tensor) }
    print(String(format: "capture, recorded JPEG folder (read into pooled buffers)   %6.2f", captureAllocs))
    print(String(format: "gate (thumbnail + compare), JPEG frame                     %6.2f", gateJPEG))
    print(String(format: "preprocess into the tensor, JPEG frame                     %6.2f", prepJPEG))
    print(String(format: "  of which libjpeg-turbo's own working memory per decode   %6.2f", jpegDecodeAllocs))
    print(String(format: "gate (thumbnail + compare), raw YUYV 640x480 frame         %6.2f", gateRaw))
    print(String(format: "preprocess into the tensor, raw YUYV 640x480 frame         %6.2f", prepRaw))
}

/// The photo decoded, resized to `width`x`height` and packed as YUYV (BT.601 limited range).
func yuyvFromPhoto(_ path: String, width: Int, height: Int) throws -> Frame {
    let decoder = JPEGDecoder(), rgb = ImageBuffer()
    let jpeg = try FileIO.readJPEGFrame(path)
    let d = try decoder.decode(jpeg.bytes, origin: path, scale: ScalingFactor(num: 1, denom: 2), format: .rgb24, into: rgb)
    let src = rgb.pointer.assumingMemoryBound(to: UInt8.self)
    let out = ImageBuffer()
    out.reserve(width * height * 2)
    let p = out.pointer.assumingMemoryBound(to: UInt8.self)
    for y in 0..<height {
        for x in 0..<width {
            let s = src + (y * d.height / height) * d.stride + (x * d.width / width) * 3
            let r = Double(s[0]), g = Double(s[1]), b = Double(s[2])
            let yy = 16 + 0.257 * r + 0.504 * g + 0.098 * b
            let u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
            let v = 128 + 0.439 * r - 0.368 * g - 0.071 * b
            p[(y * width + x) * 2] = UInt8(clamping: Int(yy.rounded()))
            p[(y * width + x) * 2 + 1] = UInt8(clamping: Int((x % 2 == 0 ? u : v).rounded()))
        }
    }
    return try Frame(format: .yuyv, width: width, height: height, origin: path + " as YUYV", storage: out, byteCount: width * height * 2)
}

/// A value shared with the pipeline's callbacks.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func mutate(_ f: (inout T) -> Void) { lock.withLock { f(&v) } }
}
