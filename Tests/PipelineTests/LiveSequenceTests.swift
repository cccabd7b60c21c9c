import Actions
import Capture
import Detection
import Foundation
import Imaging
import Pipeline
import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

/// Real labelled fridge photos beside the repository (CC BY 4.0; see PROVENANCE.md there).
let fridgeData = TestData.fridge
/// Two photos of the "Smart Refrigerator" set with different contents: B shows beef, butter,
/// flour, mushrooms and shrimp that A does not; A shows blueberries and ground beef that B does not.
let photoA = "DSC_5679_JPG_jpg.rf.3315b5e13889f815f7b6a42668e31e22"
let photoB = "DSC_5683_JPG_jpg.rf.217cc81d806a1bef85684bcf695f99ff"

/// The fridge chain and knowledge, the deficit profile, 2026-11-22, no detector (the live
/// pipeline detects), these sinks.
func fridgeScene(sinks: SinkSet = SinkSet([])) throws -> ScenePipeline {
    let models = Reference.repoRoot + "/Models"
    let reasoner = try Reasoner(
        chain: try ChainDefinition.load(path: models + "/chains/fridge.json", name: "Models/chains/fridge.json"),
        knowledge: try NutritionKnowledge.load(path: models + "/nutrition.json", name: "Models/nutrition.json"))
    let profile = try Profile.load(path: Reference.repoRoot + "/Samples/profiles/deficit.json", name: "deficit.json")
    return ScenePipeline(
        detector: nil, reasoner: reasoner, profile: profile, today: LocalDate(year: 2026, month: 11, day: 22)!, sinks: sinks)
}

/// What one replay produced.
struct ReplayResult: Equatable {
    var decisions: [GateReason]
    var events: String
    var grocery: [String]
    var analysed: [UInt64]
    /// The reasoning trace (text) of each analysed frame, by sequence number.
    var traces: [UInt64: String]
}

/// Replays `recording` through the live pipeline (lossless hand-offs, labels as detections,
/// the deficit profile), events with a fixed clock derived from capture time.
func replay(
    _ recording: Recording, classes: String, kernels: KernelChoice, gate: GateSettings? = GateSettings(),
    handOff: HandOffPolicy = .lossless
) throws -> (ReplayResult, LiveReport) {
    let out = Reference.tempDir + "/out-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    let list = try GroceryList(path: out + "/g.sqlite")
    let scene = try fridgeScene(sinks: SinkSet([try JSONLinesSink(.file(out + "/e.jsonl")), GroceryListSink(list: list)]))
    let source = try JPEGDirectorySource(directory: recording.folder)
    let decisions = Locked<[GateReason]>([])
    let analysed = Locked<[UInt64]>([])
    let traces = Locked<[UInt64: String]>([:])
    let base = Date(timeIntervalSince1970: 1_795_000_000)
    let live = LivePipeline(
        source: source, detector: .labels(try YOLOLabels(folder: recording.labels, classesFile: classes)), scene: scene,
        options: LiveOptions(handOff: handOff, gate: gate, kernels: kernels),
        eventTime: { base.addingTimeInterval($0.timestamp.seconds) },
        onDecision: { _, d in decisions.mutate { $0.append(d.reason) } },
        onOutcome: { o in
            analysed.mutate { $0.append(o.outcome.frame.sequence) }
            traces.mutate { $0[o.outcome.frame.sequence] = o.outcome.run.trace.text }
        })
    let report = live.run()
    let events = try String(contentsOfFile: out + "/e.jsonl", encoding: .utf8)
    let grocery = try list.items().map { "\($0.name) \($0.quantity) \($0.unit)" }
    return (
        ReplayResult(
            decisions: decisions.value, events: events, grocery: grocery, analysed: analysed.value, traces: traces.value), report
    )
}

final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.withLock { v } }
    func mutate(_ f: (inout T) -> Void) { lock.withLock { f(&v) } }
}

@Suite(.serialized) struct LiveSequenceTests {
    /// A still scene (photo A, 20 frames), a different scene (B: items appear and disappear),
    /// then A again. The gate analyses the first frame of each scene and the settling frames
    /// after it, and nothing else; the events show the items coming and going; the result is
    /// the same on a second run and with the scalar kernels.
    @Test func stillSceneChangeAndBack() throws {
        let a = (TestData.fridgeFile("train/images/" + photoA + ".jpg"), TestData.fridgeFile("train/labels/" + photoA + ".txt"))
        let b = (TestData.fridgeFile("train/images/" + photoB + ".jpg"), TestData.fridgeFile("train/labels/" + photoB + ".txt"))
        let rec = try Recording(photos: Array(repeating: a, count: 20) + Array(repeating: b, count: 20) + Array(repeating: a, count: 20))
        let classes = TestData.fridgeFile("classes.txt")
        let (first, report) = try replay(rec, classes: classes, kernels: .simd)

        var expected: [GateReason] = []
        for scene in 0..<3 {
            expected.append(scene == 0 ? .first : .change)
            expected += Array(repeating: .settle, count: 4) + Array(repeating: .unchanged, count: 15)
        }
        #expect(first.decisions == expected)
        #expect(first.analysed == Array(0...4) + Array(20...24) + Array(40...44))
        #expect(report.gate.analysed == 15 && report.gate.skipped == 45)
        #expect(report.stages.map(\.dropped) == [0, 0, 0, 0])
        #expect(report.stages[3].framesOut == 15 && report.errorCount == 0)

        // The events: a frameAnalysed line per analysed frame, carrying its sequence; shrimp
        // appears with B (frame 20) and is gone when A is back (frame 40), blueberries the reverse.
        let lines = first.events.split(separator: "\n").map { String($0) }
        let analysedLines = lines.filter { $0.contains("\"frameAnalysed\"") }
        #expect(analysedLines.count == 15)
        func line(_ seq: Int) -> String { analysedLines.first { $0.contains("\"sequence\":\(seq),") } ?? "" }
        #expect(line(0).contains("\"blueberries\"") && !line(0).contains("\"shrimp\""))
        #expect(line(20).contains("\"shrimp\"") && !line(20).contains("\"blueberries\""))
        #expect(line(40).contains("\"blueberries\"") && !line(40).contains("\"shrimp\""))
        // The tracker (fed by the analysed frames only) sees A's items vanish in place when B
        // comes, and B's when A is back; the sequence step names them with the frames as evidence.
        #expect(
            first.traces[24]?.contains("blueberries (track 2) disappeared in place: last seen at frame 4 (5.267 s), missing at frame 22.")
                == true, "\(first.traces[24] ?? "")")
        #expect(
            first.traces[44]?.contains("shrimp (track 22) disappeared in place: last seen at frame 24 (6.6 s), missing at frame 42.")
                == true)
        // This fridge holds enough protein for the day: the chain concludes so, the list stays empty.
        #expect(analysedLines.allSatisfy { $0.contains("no protein deficit today") })
        #expect(first.grocery.isEmpty, "\(first.grocery)")

        let (again, _) = try replay(rec, classes: classes, kernels: .simd)
        #expect(again == first)
        let (scalar, _) = try replay(rec, classes: classes, kernels: .scalar)
        #expect(scalar == first)
    }

    /// The fridge sequence: 25 photos of one fridge with the same items moved around, each held
    /// for 8 frames. Every move is seen (each photo's first frame is a change), the frames in
    /// between are gated out, and the grocery list ends with one entry. Same on every run.
    @Test(.needsFridgeData) func fridgeSequence() throws {
        let cntk = fridgeData + "/extra/cntk_grocery"
        let names = try FileManager.default.contentsOfDirectory(atPath: cntk + "/images").filter { $0.hasSuffix(".jpg") }.sorted()
        #expect(names.count == 25)
        var photos: [(String, String)] = []
        for n in names {
            let stem = String(n.dropLast(4))
            photos += Array(repeating: (cntk + "/images/" + n, cntk + "/labels/" + stem + ".txt"), count: 8)
        }
        let rec = try Recording(photos: photos)
        let settings = GateSettings(settleFrames: 2)
        let (first, report) = try replay(rec, classes: cntk + "/classes.txt", kernels: .simd, gate: settings)
        for (i, reason) in first.decisions.enumerated() {
            let expected: GateReason = i % 8 == 0 ? (i == 0 ? .first : .change) : (i % 8 <= 2 ? .settle : .unchanged)
            #expect(reason == expected, "frame \(i): \(reason), expected \(expected)")
        }
        #expect(report.gate.analysed == 75 && report.gate.skipped == 125)
        #expect(first.grocery.count == 1 && first.grocery.first?.hasPrefix("Greek yogurt") == true, "\(first.grocery)")
        let (scalar, _) = try replay(rec, classes: cntk + "/classes.txt", kernels: .scalar, gate: settings)
        #expect(scalar == first)
    }

    /// Without the gate every frame is analysed, in order, nothing dropped (lossless).
    @Test func ungatedLosslessAnalysesEveryFrame() throws {
        let a = (TestData.fridgeFile("train/images/" + photoA + ".jpg"), TestData.fridgeFile("train/labels/" + photoA + ".txt"))
        let rec = try Recording(photos: Array(repeating: a, count: 12))
        let (r, report) = try replay(rec, classes: TestData.fridgeFile("classes.txt"), kernels: .simd, gate: nil)
        #expect(r.analysed == Array(0...11))
        #expect(r.decisions == Array(repeating: .ungated, count: 12))
        #expect(report.stages.allSatisfy { $0.framesIn == 12 && $0.framesOut == 12 && $0.dropped == 0 })
    }
}
