import Foundation
import SightlineTestSupport
import Testing

/// Sequence facts end to end: `sightline replay` over a folder of frames made from a real
/// fridge photo (CNTK Grocery test_10, linked, not copied), 10 s apart (a frames.tsv sidecar),
/// with its labelled boxes as the detections. In the frames' label files the yogurt moves to
/// the left edge and out of view; the pipeline's tracker and the fridge chain see it taken out,
/// and two minutes later count it as eaten.
@Suite(.needsFridgeData) struct SequenceCLITests {
    /// Writes the frames, their labels and the sidecar; returns (frames dir, labels dir).
    static func makeSequence(in dir: String, putBack: Bool) throws -> (String, String) {
        let frames = dir + "/frames", labels = dir + "/labels"
        for d in [frames, labels] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }
        let lines = try String(contentsOfFile: fridge + "/labels/test_10.txt", encoding: .utf8).split(separator: "\n").map(String.init)
        let yogurt = lines.first { $0.hasPrefix("1 ") }!.split(separator: " ").map(String.init)  // class 1: joghurt
        let others = lines.filter { !$0.hasPrefix("1 ") }
        // Centre x (fraction of the width) per frame; nil: out of view.
        var xs: [Double?] = [0.338, 0.338, 0.338, 0.338, 0.298, 0.25, 0.19, 0.13, 0.07]
        xs += Array(repeating: nil, count: 6)
        xs += Array(repeating: putBack ? 0.338 : nil, count: 6)
        var sidecar = "# sightline-frames v1\n# frame\ttimestamp_ns\tsequence\n"
        for (k, x) in xs.enumerated() {
            let name = String(format: "f%03d", k)
            try FileManager.default.createSymbolicLink(atPath: frames + "/\(name).jpg", withDestinationPath: fridge + "/images/test_10.jpg")
            var label = others
            if let x { label.append(([yogurt[0], String(x)] + yogurt[2...]).joined(separator: " ")) }
            try (label.joined(separator: "\n") + "\n").write(toFile: labels + "/\(name).txt", atomically: true, encoding: .utf8)
            sidecar += "\(name).jpg\t\(UInt64(k) * 10_000_000_000)\t\(k)\n"
        }
        try sidecar.write(toFile: frames + "/frames.tsv", atomically: true, encoding: .utf8)
        return (frames, labels)
    }

    func replay(putBack: Bool) throws -> (status: Int32, out: String, err: String, last: String, dir: String) {
        let dir = tempDir()
        let (frames, labels) = try Self.makeSequence(in: dir, putBack: putBack)
        let r = try sightline([
            "replay", frames, "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth", labels,
            "--classes", fridge + "/classes.txt", "--models-dir", repoRoot + "/Models", "--trace-dir", dir + "/traces",
            "--sink", "grocery:" + dir + "/g.sqlite", "--quiet",
        ])
        let last = (try? String(contentsOfFile: dir + "/traces/f020-000020.trace.txt", encoding: .utf8)) ?? ""
        return (r.status, r.out, r.err, last, dir)
    }

    @Test func takenOutAndNotPutBackRaisesTheIntake() throws {
        let r = try replay(putBack: false)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("21 frames"), "\(r.out)")
        #expect(r.last.contains("joghurt (track 2) was taken out: last seen leaving at frame 8 (80 s), missing at frame 11."), "\(r.last)")
        #expect(r.last.contains("Protein eaten today, with what was taken from storage: 51.92 g."))
        #expect(r.last.contains("Need 32.08 g (target 84 − eaten 51.92)"))
        // The frame before: out for 110 s of 120, still waiting.
        let before = try String(contentsOfFile: r.dir + "/traces/f019-000019.trace.txt", encoding: .utf8)
        #expect(before.contains("Still waiting for joghurt"), "\(before)")
    }

    @Test func putBackCountsNothing() throws {
        let r = try replay(putBack: true)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.last.contains("was put back at frame 15 (150 s): the taken-out track 2 came back"), "\(r.last)")
        #expect(!r.last.contains("taken from storage"))
        #expect(r.last.contains("Need 44 g (target 84 − eaten 40)"))
    }
}
