import Foundation
import SightlineTestSupport
import Testing

/// The real labelled fridge photos beside the repository (CC BY 4.0, see PROVENANCE.md there).
let fridge = TestData.fridge + "/extra/cntk_grocery"

@Suite(.needsFridgeData) struct SceneCLITests {
    var scene: [String] {
        [
            "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth",
            fridge + "/labels", "--classes", fridge + "/classes.txt", "--models-dir", repoRoot + "/Models",
        ]
    }

    /// The fridge photo with its labelled boxes: the chain ends in Greek yogurt, the grocery list
    /// holds it once however often the scene is replayed, and the overlay and events are written.
    @Test func replayEndsInAGroceryEntryOnce() throws {
        let dir = tempDir()
        let image = fridge + "/images/test_10.jpg"
        let sinks = ["--sink", "grocery:" + dir + "/g.sqlite", "--sink", "overlay:" + dir + "/ov", "--sink", "jsonl:" + dir + "/e.jsonl"]
        let r = try sightline(["replay", image, image] + scene + sinks)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("Greek yogurt"), "\(r.out)")
        #expect(r.out.contains("2 frames"))
        let list = try sightline(["list", "--db", dir + "/g.sqlite"])
        #expect(list.out.contains("1 item"), "\(list.out)")
        #expect(list.out.contains("Greek yogurt, plain, nonfat  2 container"), "\(list.out)")
        let overlays = try FileManager.default.contentsOfDirectory(atPath: dir + "/ov")
        #expect(overlays.count == 2)
        let events = try String(contentsOfFile: dir + "/e.jsonl", encoding: .utf8).split(separator: "\n")
        // Two frames: two frameAnalysed events and two groceryNeed events (the list applies one).
        #expect(events.count == 4)
        #expect(events.filter { $0.contains("\"groceryNeed\"") }.count == 2)
    }

    @Test func explainPrintsTheChainAndAddsNothing() throws {
        let r = try sightline(["explain", fridge + "/images/test_10.jpg"] + scene)
        #expect(r.status == 0, "\(r.err)")
        for step in ["1. scene", "inventory", "nutrition", "health", "inference", "action"] {
            #expect(r.out.contains(step), "missing \(step)")
        }
        #expect(r.out.contains("Decision: add 2 × container (156 g) of Greek yogurt"))
        let json = try sightline(["explain", fridge + "/images/test_10.jpg", "--json"] + scene)
        #expect(json.out.hasPrefix("{") && json.out.contains("\"sightline-trace/1\""))
    }

    @Test func enoughProteinMeansNoEntry() throws {
        let dir = tempDir()
        var args = scene
        args[1] = repoRoot + "/Samples/profiles/enough.json"
        let r = try sightline(["replay", fridge + "/images/test_10.jpg", "--sink", "grocery:" + dir + "/g.sqlite"] + args)
        #expect(r.status == 0, "\(r.err)")
        #expect(try sightline(["list", "--db", dir + "/g.sqlite"]).out.contains("empty"))
    }

    @Test func badInputsAreNamed() throws {
        let dir = tempDir()
        try "{ \"format\": \"sightline-profile/1\", \"name\": \"x\", \"dailyProteinTargetGrams\": -5 }"
            .write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
        var args = scene
        args[1] = dir + "/bad.json"
        let r = try sightline(["replay", fridge + "/images/test_10.jpg"] + args)
        #expect(r.status == 2)
        #expect(r.err.contains("bad.json") && r.err.contains("dailyProteinTargetGrams"), "\(r.err)")
        let sink = try sightline(["replay", fridge + "/images/test_10.jpg", "--sink", "carrier-pigeon"] + scene)
        #expect(sink.status != 0)
        #expect(sink.err.contains("unknown sink 'carrier-pigeon'"))
        let corrupt = dir + "/frames"
        try FileManager.default.createDirectory(atPath: corrupt, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fridge + "/images/test_10.jpg", toPath: corrupt + "/a.jpg")
        try Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 1]).write(to: URL(fileURLWithPath: corrupt + "/b.jpg"))
        try FileManager.default.copyItem(atPath: fridge + "/images/test_10.jpg", toPath: corrupt + "/c.jpg")
        let skipped = try sightline(["replay", corrupt, "--sink", "jsonl:/dev/null"] + scene)
        #expect(skipped.out.contains("2 frames"), "\(skipped.out) \(skipped.err)")
        #expect(skipped.err.contains("frame 1"), "\(skipped.err)")
    }
}
