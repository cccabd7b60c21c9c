import Foundation
import SightlineTestSupport
import Testing

/// `--mode contemplating` through the scene commands, with a real grocery list (SQLite via GRDB
/// in a temporary folder) that the pantry specialist reads.
@Suite(.needsFridgeData) struct ContemplationCLITests {
    var scene: [String] {
        [
            "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth",
            fridge + "/labels", "--classes", fridge + "/classes.txt", "--models-dir", repoRoot + "/Models",
        ]
    }
    var photo: String { fridge + "/images/test_10.jpg" }

    /// With no grocery sink and no list in the data folder (`SIGHTLINE_DATA`, empty here), the
    /// pantry cannot read a list: it is reported, and the decision stands with less confidence.
    @Test func quickAndContemplatingOnTheSameScene() throws {
        let env = ["SIGHTLINE_DATA": tempDir()]
        let quick = try sightline(["explain", photo] + scene, environment: env)
        let deep = try sightline(["explain", photo, "--mode", "contemplating"] + scene, environment: env)
        #expect(quick.status == 0 && deep.status == 0, "\(quick.err) \(deep.err)")
        #expect(!quick.out.contains("Contemplation of step"))
        #expect(deep.out.contains("Contemplation of step \"action\": 4 specialist(s) in parallel, 2 s each."), "\(deep.out)")
        #expect(deep.out.contains("  - pantry: FAILED: no grocery list to read"), "\(deep.out)")
        #expect(deep.out.contains("[action.proposal, confidence 0.7]"), "\(deep.out)")
        for out in [quick.out, deep.out] { #expect(out.contains("Decision: add 2 × container (156 g) of Greek yogurt")) }
        let json = try sightline(["explain", photo, "--mode", "contemplating", "--json"] + scene, environment: env)
        #expect(json.out.contains("\"contemplation\": {"))
        let bad = try sightline(["explain", photo, "--mode", "pondering"] + scene, environment: env)
        #expect(bad.status != 0 && bad.err.contains("pondering"), "\(bad.err)")
    }

    /// The yogurt a quick replay put on the list is not bought again: the contemplating pantry
    /// reads the list, finds 2 containers (32.14 g) against the 19.69 g deficit (the acorn squashes count), and vetoes it.
    @Test func thePantryReadsTheGroceryListAndBuysNothingTwice() throws {
        let dir = tempDir()
        let db = dir + "/g.sqlite"
        let first = try sightline(["replay", photo, "--sink", "grocery:" + db] + scene)
        #expect(first.status == 0, "\(first.err)")
        let again = try sightline(
            ["replay", photo, photo, "--mode", "contemplating", "--sink", "grocery:" + db, "--trace-dir", dir + "/t"] + scene)
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out.contains("0 with a grocery proposal"), "\(again.out)")
        let trace = try String(contentsOfFile: dir + "/t/test_10-000001.trace.txt", encoding: .utf8)
        #expect(trace.contains("vetoes greek_yogurt (1): already on the grocery list (2 × container (156 g))"), "\(trace)")
        #expect(trace.contains("Outcome: no purchase: the grocery list already brings 32.14 g of the 19.69 g deficit"))
        let list = try sightline(["list", "--db", db])
        #expect(list.out.contains("1 item") && list.out.contains("Greek yogurt, plain, nonfat  2 container"), "\(list.out)")
    }
}
