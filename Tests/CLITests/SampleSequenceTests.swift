import Foundation
import SightlineTestSupport
import Testing

/// The sample sequences (Samples/sequences/, from the repository alone) through `sightline replay`
/// as a user runs it: with the default chains (the fridge chain and the warnings), each warning
/// sequence raises its warning as a JSON Lines event of kind "warning" and the control raises
/// none; each chain alone (`--chain`) behaves the same on every sequence; the last frame's trace
/// is the golden one, byte for byte.
@Suite struct SampleSequenceTests {
    static let sequences = ["door-left-open", "cheese-allergy", "chicken-left-out", "chicken-put-back"]
    static let chains = ["fridge", "allergen", "door-open", "left-out"]
    /// The warnings each sequence should raise, by chain name.
    static let expected: [String: [String]] = [
        "door-left-open": ["door-open"], "cheese-allergy": ["allergen"], "chicken-left-out": ["left-out"], "chicken-put-back": [],
    ]

    static func folder(_ name: String) -> String { repoRoot + "/Samples/sequences/" + name }

    /// The arguments the issue's check gives: the sequence's profile (else deficit.json), its
    /// labels when it has them.
    static func arguments(_ name: String) -> [String] {
        let dir = folder(name)
        let own = dir + "/profile.json"
        var args = [
            "--profile", FileManager.default.fileExists(atPath: own) ? own : repoRoot + "/Samples/profiles/deficit.json",
            "--today", "2026-11-22", "--models-dir", repoRoot + "/Models", "--quiet",
        ]
        if FileManager.default.fileExists(atPath: dir + "/labels") {
            args += ["--ground-truth", dir + "/labels", "--classes", dir + "/classes.txt"]
        }
        return args
    }

    /// The "warning" events of a JSON Lines file: (chain, message).
    static func warnings(_ file: String) throws -> [(chain: String, message: String)] {
        try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").compactMap { line in
            let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            guard event?["kind"] as? String == "warning", let w = event?["warning"] as? [String: Any] else { return nil }
            return (w["chain"] as? String ?? "", w["message"] as? String ?? "")
        }
    }

    @Test(arguments: sequences)
    func theDefaultChainsWarnAsExpectedAndTheTraceIsGolden(sequence: String) throws {
        let dir = tempDir()
        let r = try sightline(
            ["replay", Self.folder(sequence), "--sink", "jsonl:\(dir)/e.jsonl", "--trace-dir", dir + "/t"] + Self.arguments(sequence))
        #expect(r.status == 0, "\(r.err)")
        let raised = try Self.warnings(dir + "/e.jsonl")
        #expect(raised.map(\.chain) == Self.expected[sequence]!, "\(raised)")
        // Each warning event carries its evidence frames and its rule.
        let line = try String(contentsOfFile: dir + "/e.jsonl", encoding: .utf8).split(separator: "\n")
            .first { $0.contains("\"kind\":\"warning\"") }
        if let line {
            #expect(line.contains("\"frames\":[{") && line.contains("\"ruleText\":"), "\(line)")
        }
        // The last frame's trace (every chain's, the warnings first), without the checkout's path.
        let traces = try FileManager.default.contentsOfDirectory(atPath: dir + "/t").sorted()
        for ext in ["txt", "json"] {
            let last = try #require(traces.last { $0.hasSuffix(".trace." + ext) })
            let text = try String(contentsOfFile: dir + "/t/" + last, encoding: .utf8).replacingOccurrences(of: repoRoot + "/", with: "")
            let golden = Self.folder(sequence) + "/golden.trace." + ext
            if ProcessInfo.processInfo.environment["SIGHTLINE_UPDATE_GOLDEN"] == "1" {
                try text.write(toFile: golden, atomically: true, encoding: .utf8)
            } else {
                let committed = try String(contentsOfFile: golden, encoding: .utf8)
                let a = committed.split(separator: "\n", omittingEmptySubsequences: false)
                let b = text.split(separator: "\n", omittingEmptySubsequences: false)
                let at = zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }.map { "line \($0.offset + 1): \($0.element.1)" }
                #expect(committed == text, "\(golden) differs at \(at ?? "the end") (SIGHTLINE_UPDATE_GOLDEN=1 to rewrite, then review)")
            }
        }
    }

    /// Every chain alone on every sequence, as the issue's independent check runs them: each
    /// raises only its own warning where one is expected, none on the control, and the fridge
    /// chain none anywhere.
    @Test(arguments: sequences)
    func eachChainAloneOnEverySequence(sequence: String) throws {
        for chain in Self.chains {
            let dir = tempDir()
            let r = try sightline(
                ["replay", Self.folder(sequence), "--chain", repoRoot + "/Models/chains/\(chain).json", "--sink", "jsonl:\(dir)/e.jsonl"]
                    + Self.arguments(sequence))
            #expect(r.status == 0, "\(chain): \(r.err)")
            let raised = try Self.warnings(dir + "/e.jsonl").map(\.chain)
            let want = Self.expected[sequence]!.filter { $0 == (chain == "fridge" ? "fridge-protein" : chain) }
            #expect(raised == want, "\(sequence) with \(chain): \(raised)")
        }
    }
}
