import Foundation
import SightlineTestSupport

let repoRoot = Reference.repoRoot

/// A fresh folder for one test.
func tempDir(_ name: String = #function) -> String {
    let d = NSTemporaryDirectory() + "sightline-service-\(getpid())/\(name.prefix { $0 != "(" })-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}
