import Foundation
import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

/// Every sample scene × profile of Samples/golden/scenes.json: the trace (JSON and text) equals
/// the committed golden file byte for byte. Regenerate with SIGHTLINE_UPDATE_GOLDEN=1.
@Suite struct GoldenTests {
    static let cases: [(scene: String, profile: String)] = {
        ((try? Fixture.scenes()) ?? []).flatMap { s in s.profiles.map { (s.name, $0) } }
    }()

    /// True when every label file of `scene` can be read (committed under Samples/fridge, or
    /// beside the repository).
    static func hasData(_ scene: String) -> Bool {
        guard let s = try? Fixture.scenes().first(where: { $0.name == scene }) else { return false }
        return s.frames.allSatisfy { TestData.hasFridgeFile("\(s.dataset)/labels/\($0)") }
    }

    /// The cases whose photos' labels are committed (Samples/fridge) run from a clone alone.
    static let committed = cases.filter { isCommitted($0.scene) }.map { "\($0.scene).\($0.profile)" }

    /// The others need `../shared/data/fridge`.
    static let shared = cases.filter { !isCommitted($0.scene) }.map { "\($0.scene).\($0.profile)" }

    static func isCommitted(_ scene: String) -> Bool {
        guard let s = try? Fixture.scenes().first(where: { $0.name == scene }) else { return false }
        return s.frames.allSatisfy { FileManager.default.fileExists(atPath: TestData.samples + "/\(s.dataset)/labels/\($0)") }
    }

    @Test func theManifestListsCases() throws {
        #expect(Self.cases.count >= 15)
    }

    @Test(arguments: committed)
    func goldenTrace(_ name: String) throws { try check(name) }

    @Test(.needsFridgeData, arguments: shared)
    func goldenTraceOnTheSharedPhotos(_ name: String) throws { try check(name) }

    func check(_ name: String) throws {
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        let run = try Fixture.reasoner().run(
            observations: Fixture.scene(parts[0]), profile: Fixture.profile(parts[1]), today: Fixture.today)
        let json = run.trace.jsonText
        if let problem = Fixture.golden(json, "Samples/golden/\(name).json") { Issue.record(Comment(rawValue: problem)) }
        if let problem = Fixture.golden(run.trace.text, "Samples/golden/\(name).txt") { Issue.record(Comment(rawValue: problem)) }
        // The JSON is valid and canonical: parsing and writing it again gives the same bytes.
        #expect(try JSONValue.parse(json).canonicalText() == json)
    }
}
