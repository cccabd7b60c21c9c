import Foundation
import Testing

/// `sightline --help` and every subcommand's help, against the snapshots in
/// Tests/CLITests/Snapshots/ (reviewed like code). After a deliberate change to an option or a
/// text, rewrite them with `SIGHTLINE_UPDATE_SNAPSHOTS=1 swift test --filter HelpSnapshotTests`
/// and review the diff.
@Suite struct HelpSnapshotTests {
    static let commands = [
        "", "prep", "detect", "devices", "capture", "record", "list", "replay", "explain", "run", "eval", "models", "teach", "teach serve", "teach train",
        "journal",
    ]

    @Test(arguments: commands)
    func helpMatchesItsSnapshot(command: String) throws {
        let args = command.split(separator: " ").map(String.init) + ["--help"]
        let r = try sightline(args, environment: ["COLUMNS": "100"])
        #expect(r.status == 0, "\(r.err)")
        let file = repoRoot + "/Tests/CLITests/Snapshots/help-\(command.isEmpty ? "sightline" : command.replacing(" ", with: "-")).txt"
        if ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_SNAPSHOTS"] == "1" {
            try r.out.write(toFile: file, atomically: true, encoding: .utf8)
            return
        }
        let snapshot = try String(contentsOfFile: file, encoding: .utf8)
        #expect(r.out == snapshot, "sightline \(args.joined(separator: " ")) differs from \(file)")
    }

    /// The overview says what Sightline does today: sees, detects, reasons, acts.
    @Test func overviewSaysWhatSightlineDoes() throws {
        let r = try sightline(["--help"], environment: ["COLUMNS": "1000"])
        for word in ["detectors", "chain of reasoning steps", "grocery list", "explain"] {
            #expect(r.out.contains(word), "overview lacks '\(word)'")
        }
    }
}
