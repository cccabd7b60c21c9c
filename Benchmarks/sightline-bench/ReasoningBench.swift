// The reasoner over a stream: quick against contemplating, and the tracker alone, on the CNTK
// Grocery fridge photo's labelled boxes (read in place beside the repository) with the yogurt
// taken out, as in Tests/ReasoningTests/SequenceTests.swift.
import Actions
import Detection
import Foundation
import Pipeline
import Reasoning
import SightlineCore

func reasoningBenchmarks(quick: Bool, repoRoot: String) throws -> [BenchRow] {
    guard let fridge = fridgeData(repoRoot, skipping: "the reasoning rows") else { return [] }
    let data = fridge + "/extra/cntk_grocery"
    guard let labels = try? String(contentsOfFile: data + "/labels/test_10.txt", encoding: .utf8),
        let classText = try? String(contentsOfFile: data + "/classes.txt", encoding: .utf8)
    else {
        print("\n(reasoning rows skipped: no fridge data beside the repository)")
        return []
    }
    let classes = classText.split(separator: "\n").map(String.init)
    let (w, h): (Float, Float) = (1000, 1333)
    let boxes = labels.split(separator: "\n").map { line -> Detection in
        let f = line.split(separator: " ")
        let (cx, cy, bw, bh) = (Float(f[1])! * w, Float(f[2])! * h, Float(f[3])! * w, Float(f[4])! * h)
        return Detection(
            label: classes[Int(f[0])!], classID: Int(f[0])!, score: 1, box: Rect(x: cx - bw / 2, y: cy - bh / 2, width: bw, height: bh))
    }
    // The yogurt's centre x per frame: in place, leaving across the left edge, gone.
    let path: [Float?] = [338, 338, 338, 338, 298, 250, 190, 130, 70] + Array(repeating: nil, count: 12)
    let frameDetections = path.map { x -> [Detection] in
        var ds = boxes.filter { $0.label != "joghurt" }
        if let x, var y = boxes.first(where: { $0.label == "joghurt" }) {
            y.box.x = x - y.box.width / 2
            ds.append(y)
        }
        return ds
    }
    let photo = try FileIO.readJPEGFrame(data + "/images/test_10.jpg")
    let reasoner = try Reasoner(
        chain: try ChainDefinition.load(path: repoRoot + "/Models/chains/fridge.json", name: "Models/chains/fridge.json"),
        knowledge: try NutritionKnowledge.load(path: repoRoot + "/Models/nutrition.json", name: "Models/nutrition.json"))
    let profile = try Profile.load(path: repoRoot + "/Samples/profiles/deficit.json", name: "deficit.json")
    let list = try GroceryList(path: NSTemporaryDirectory() + "sightline-bench-\(getpid())-grocery.sqlite")
    let group = "reasoning over \(path.count) frames (CNTK fridge labels, yogurt taken out), per frame"
    var perMode: [ReasoningMode: Double] = [:]
    let rounds = quick ? 3 : 15
    for mode in ReasoningMode.allCases {
        var samples: [Double] = []
        for _ in 0..<rounds {
            let pipeline = ScenePipeline(
                detector: nil, reasoner: reasoner, profile: profile, today: LocalDate("2026-11-22")!, sinks: SinkSet([]), mode: mode,
                groceryList: list)
            for (k, ds) in frameDetections.enumerated() {
                let frame = try Frame(
                    format: photo.format, width: 1000, height: 1333, timestamp: Timestamp(nanoseconds: UInt64(k) * 10_000_000_000),
                    sequence: UInt64(k), origin: photo.origin, storage: photo.storage, byteCount: photo.byteCount)
                let t0 = Timestamp.now()
                _ = try pipeline.process(frame, detections: ds, time: Date(timeIntervalSince1970: 0))
                samples.append(Double(Timestamp.now().nanoseconds - t0.nanoseconds))
            }
        }
        perMode[mode] = median(samples)
    }
    var tracker: [Double] = []
    for _ in 0..<rounds * 10 {
        var t = Tracker(reasoner.chain.tracking)
        for (k, ds) in frameDetections.enumerated() {
            let o = Observation(
                sequence: UInt64(k), timestamp: Timestamp(nanoseconds: UInt64(k) * 10_000_000_000), origin: "f", detections: ds,
                width: 1000, height: 1333)
            let t0 = Timestamp.now()
            t.update(o)
            tracker.append(Double(Timestamp.now().nanoseconds - t0.nanoseconds))
        }
    }
    return [
        BenchRow(group: group, name: "quick (chain + tracker + no sink)", medianNanoseconds: perMode[.quick]!),
        BenchRow(
            group: group, name: "contemplating (4 specialists, GRDB list)", medianNanoseconds: perMode[.contemplating]!,
            reference: "quick (chain + tracker + no sink)"),
        BenchRow(group: group, name: "  tracker update alone", medianNanoseconds: median(tracker)),
    ]
}

/// Several chains against detection, in the same run, on the sample sequences the detector sees
/// alone (Samples/sequences/door-left-open and cheese-allergy, from the repository): the fridge
/// detector set (grocery model + COCO's refrigerator) on each frame, then the reasoner with the
/// fridge chain alone and with the default chains (fridge, allergen, door-open, left-out) over
/// the same detections. The ratios say how many times cheaper than detection the reasoner is.
func chainSetBenchmarks(quick: Bool, repoRoot: String) throws -> [BenchRow] {
    let models = repoRoot + "/Models"
    guard let detector = try? Scene.detectorSet(ModelSelection.fridge, store: ModelStore(directory: models)) else {
        print("\n(chain-set rows skipped: run scripts/fetch-model grocery-yolov3-tiny)")
        return []
    }
    DNNNetwork.threads = 1
    let frames = try ["door-left-open", "cheese-allergy"].flatMap { name -> [Frame] in
        let folder = repoRoot + "/Samples/sequences/" + name
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jpg") }.sorted().map {
            try FileIO.readJPEGFrame(folder + "/" + $0)
        }
    }
    let knowledge = try NutritionKnowledge.load(path: models + "/nutrition.json", name: "Models/nutrition.json")
    let reasoners = try SceneConfiguration.defaultChains(in: models).map {
        try Reasoner(chain: try ChainDefinition.load(path: $0, name: Scene.relative($0, to: repoRoot)), knowledge: knowledge)
    }
    let profile = try Profile.load(path: repoRoot + "/Samples/profiles/deficit.json", name: "deficit.json")
    // Detection once per frame (the reference), keeping the detections for the reasoners.
    let stage = ScenePipeline(detector: detector, reasoner: reasoners[0], profile: profile, today: nil, sinks: SinkSet([]))
    var detect: [Double] = [], detections: [[Detection]] = []
    for frame in frames {
        let outcome = try stage.process(frame, time: Date(timeIntervalSince1970: 0))
        detect.append(outcome.detectSeconds * 1e9)
        detections.append(outcome.detections)
    }
    func reason(_ chains: [Reasoner]) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<(quick ? 3 : 20) {
            let p = ScenePipeline(
                detector: nil, reasoners: chains, profile: profile, today: LocalDate("2026-11-22")!, sinks: SinkSet([]))
            for (k, frame) in frames.enumerated() {
                let re = try Frame(
                    format: frame.format, width: frame.width, height: frame.height,
                    timestamp: Timestamp(nanoseconds: UInt64(k) * 10_000_000_000), sequence: UInt64(k), origin: frame.origin,
                    storage: frame.storage, byteCount: frame.byteCount)
                samples.append(try p.process(re, detections: detections[k], time: Date(timeIntervalSince1970: 0)).reasonSeconds * 1e9)
            }
        }
        return median(samples)
    }
    let group = "reasoner with several chains vs detection (sample sequences, \(frames.count) frames, per frame)"
    let one = try reason([reasoners[0]]), all = try reason(reasoners)
    return [
        BenchRow(group: group, name: "detection (grocery + refrigerator)", medianNanoseconds: median(detect), note: "1 OpenCV thread"),
        BenchRow(
            group: group, name: "reasoner, fridge chain", medianNanoseconds: one, reference: "detection (grocery + refrigerator)",
            note: String(format: "%.3f%% of detection", 100 * one / median(detect))),
        BenchRow(
            group: group, name: "reasoner, \(reasoners.count) chains", medianNanoseconds: all,
            reference: "detection (grocery + refrigerator)",
            note: String(format: "%.3f%% of detection", 100 * all / median(detect))),
    ]
}
