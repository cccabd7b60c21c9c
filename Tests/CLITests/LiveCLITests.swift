import Foundation
import SightlineTestSupport
import Testing

@Suite(.needsFridgeData) struct LiveCLITests {
    /// The fridge photos, each held for 30 frames, as a 30 fps recording with labels.
    func longRecording(frames: Int) throws -> Recording {
        let names = try FileManager.default.contentsOfDirectory(atPath: fridge + "/images").filter { $0.hasSuffix(".jpg") }.sorted()
        let photos = (0..<frames).map { i -> (String, String) in
            let n = names[(i / 30) % names.count]
            return (fridge + "/images/" + n, fridge + "/labels/" + n.dropLast(4) + ".txt")
        }
        return try Recording(photos: photos, fps: 30)
    }

    func scene(_ rec: Recording) -> [String] {
        [
            "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth", rec.labels,
            "--classes", fridge + "/classes.txt", "--models-dir", repoRoot + "/Models",
        ]
    }

    /// SIGINT in the middle of a long paced replay: the run stops cleanly (status 0, "stop
    /// requested" in the statistics), every line of the events file is a whole JSON object, and
    /// the grocery database opens and holds the entry.
    @Test func sigintStopsCleanly() throws {
        let rec = try longRecording(frames: 900)  // 30 s at 30 fps
        let dir = tempDir()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: productPath("sightline"))
        p.arguments =
            ["replay", rec.folder, "--pace", "realtime", "--quiet", "--stats", dir + "/stats.json"] + scene(rec) + [
                "--sink", "jsonl:" + dir + "/e.jsonl", "--sink", "grocery:" + dir + "/g.sqlite",
            ]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        // Wait until events flow, then interrupt.
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline, ((try? String(contentsOfFile: dir + "/e.jsonl", encoding: .utf8)) ?? "").count < 2000 {
            usleep(100_000)
        }
        usleep(500_000)
        p.interrupt()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(text)")
        #expect(text.contains("stopped: stop requested"), "\(text)")
        let stats = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/stats.json"))) as? [String: Any]
        #expect(stats?["stoppedBy"] as? String == "stop requested")
        let stages = stats?["stages"] as? [[String: Any]] ?? []
        let captured = stages.first?["framesIn"] as? Int ?? 0
        #expect(captured > 0 && captured < 900)
        let events = try String(contentsOfFile: dir + "/e.jsonl", encoding: .utf8)
        #expect(events.hasSuffix("\n"))
        let lines = events.split(separator: "\n")
        #expect(!lines.isEmpty)
        for line in lines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "not JSON: \(line)")
        }
        let list = try sightline(["list", "--db", dir + "/g.sqlite"])
        #expect(list.status == 0 && list.out.contains("Greek yogurt"), "\(list.out) \(list.err)")
    }

    /// --stats writes the per-stage figures; gating a still recording saves most detector runs.
    @Test func statsAndGatingOnAStillRecording() throws {
        let rec = try longRecording(frames: 60)
        let dir = tempDir()
        let r = try sightline(["replay", rec.folder, "--quiet", "--stats", dir + "/s.json", "--sink", "jsonl:/dev/null"] + scene(rec))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("gate: 50 of 60 frames not analysed"), "\(r.out)")
        let stats = try String(contentsOfFile: dir + "/s.json", encoding: .utf8)
        for key in ["\"latencyP99Milliseconds\"", "\"savedFraction\"", "\"reason+act\"", "\"dropped\""] {
            #expect(stats.contains(key))
        }
        let ungated = try sightline(["replay", rec.folder, "--quiet", "--no-gate", "--sink", "jsonl:/dev/null"] + scene(rec))
        #expect(ungated.out.contains("60 frames") && !ungated.out.contains("gate:"), "\(ungated.out)")
    }
}
