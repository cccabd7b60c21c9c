import Foundation
import Testing

/// The shape the code keeps: a thin command line, kernels reached only through Imaging, and
/// capabilities asked of interfaces rather than found by downcasting.
@Suite struct StructureTests {
    func swiftFiles(_ folder: String) throws -> [(path: String, text: String)] {
        let dir = repoRoot + "/" + folder
        return try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".swift") }.sorted().map {
            (folder + "/" + $0, try String(contentsOfFile: dir + "/" + $0, encoding: .utf8))
        }
    }

    /// The command line parses arguments and calls the libraries: at most 1,000 lines.
    @Test func theCommandLineStaysThin() throws {
        let lines = try swiftFiles("Sources/sightline").reduce(0) { $0 + $1.text.split(separator: "\n", omittingEmptySubsequences: false).count - 1 }
        #expect(lines <= 1000, "Sources/sightline has \(lines) lines; move logic into a library module")
    }

    /// Only Imaging imports the kernels: Actions and the command line convert through it.
    @Test(arguments: ["Sources/Actions", "Sources/sightline", "Sources/Pipeline", "Sources/Detection", "Sources/Capture"])
    func onlyImagingImportsTheKernels(folder: String) throws {
        for (path, text) in try swiftFiles(folder) {
            #expect(!text.contains("import SightlineKernels"), "\(path) imports SightlineKernels")
        }
    }

    /// Pipeline and the command line ask sources, detectors and sinks what they can do.
    @Test(arguments: ["Sources/Pipeline", "Sources/sightline"])
    func noCapabilityDowncasts(folder: String) throws {
        let concrete = ["V4L2Camera", "RecordedSource", "JPEGDirectorySource", "GroceryListSink", "DetectorSet", "OpenCVDetector"]
        for (path, text) in try swiftFiles(folder) {
            for type in concrete {
                for cast in ["as? \(type)", "as! \(type)", "is \(type)"] {
                    #expect(!text.contains(cast), "\(path) downcasts: \(cast)")
                }
            }
        }
    }
}
