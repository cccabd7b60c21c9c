import Foundation
import SightlineFuzzing
import Testing

/// Every input under Fuzz/regressions/TARGET/ (what fuzzing and issue 16 found, kept small) run
/// through its fuzz target in the ordinary suite: each must return normally. A trap fails the
/// whole test run, which is the point.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path

    static var cases: [(FuzzTarget, String)] {
        FuzzTarget.allCases.flatMap { target in
            let dir = root + "/regressions/" + target.rawValue
            let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            return names.sorted().map { (target, dir + "/" + $0) }
        }
    }

    @Test func everyTargetHasRegressionInputs() {
        let covered = Set(Self.cases.map(\.0))
        #expect(covered == Set(FuzzTarget.allCases), "missing: \(Set(FuzzTarget.allCases).subtracting(covered))")
    }

    @Test(arguments: cases.map { "\($0.0.rawValue) \($0.1)" })
    func replays(_ item: String) throws {
        let parts = item.split(separator: " ", maxSplits: 1).map(String.init)
        let target = try #require(FuzzTarget(rawValue: parts[0]))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: parts[1]))
        bytes.withUnsafeBytes { target.run($0) }
    }
}
