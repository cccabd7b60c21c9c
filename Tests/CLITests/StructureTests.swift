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
        let lines = try swiftFiles("Sources/sightline").reduce(0) {
            $0 + $1.text.split(separator: "\n", omittingEmptySubsequences: false).count - 1
        }
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

/// docs/architecture.md's dependency table is Package.swift's: every library and executable
/// target with the targets and products it depends on.
@Suite struct ArchitectureDocumentTests {
    /// `name → dependencies` of every non-test target in Package.swift, read as text.
    static func packageDependencies() throws -> [String: [String]] {
        let text = try String(contentsOfFile: repoRoot + "/Package.swift", encoding: .utf8)
        var result: [String: [String]] = [:]
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let rest = String(chars[i..<min(i + 20, chars.count)])
            guard rest.hasPrefix(".target(") || rest.hasPrefix(".executableTarget(") || rest.hasPrefix(".systemLibrary(") else {
                i += 1
                continue
            }
            // The call's text, up to its closing parenthesis.
            var depth = 0, j = i
            while chars[j] != "(" { j += 1 }
            repeat {
                if chars[j] == "(" { depth += 1 } else if chars[j] == ")" { depth -= 1 }
                j += 1
            } while depth > 0 && j < chars.count
            let call = String(chars[i..<j])
            i = j
            guard let name = call.firstMatch(of: /name: "([^"]+)"/)?.1 else { continue }
            var dependencies: [String] = []
            if let list = call.firstMatch(of: /dependencies: \[([^\]]*)\]/)?.1 {
                let withoutProducts = list.replacing(/\.product\(name: "([^"]+)"[^)]*\)/) { "\"\($0.1)\"" }
                dependencies = withoutProducts.matches(of: /"([^"]+)"/).map { String($0.1) }
            }
            result[String(name)] = dependencies.sorted()
        }
        return result
    }

    /// The rows of the table under `## Dependencies` in docs/architecture.md.
    static func documentedDependencies() throws -> [String: [String]] {
        let text = try String(contentsOfFile: repoRoot + "/docs/architecture.md", encoding: .utf8)
        guard let section = text.components(separatedBy: "\n## Dependencies\n").dropFirst().first else { return [:] }
        var result: [String: [String]] = [:]
        for line in section.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 2 else { continue }
            let name = cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            result[name] =
                cells[1] == "—"
                ? []
                : cells[1].split(separator: ",").map {
                    $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
                }.sorted()
        }
        return result
    }

    @Test func theDependencyTableMatchesPackageSwift() throws {
        let package = try Self.packageDependencies()
        let documented = try Self.documentedDependencies()
        #expect(package.count >= 12, "Package.swift read as \(package.keys.sorted())")
        let expected = package.keys.sorted().map { name in
            "| `\(name)` | " + (package[name]!.isEmpty ? "—" : package[name]!.map { "`\($0)`" }.joined(separator: ", ")) + " |"
        }
        #expect(documented == package, "docs/architecture.md ## Dependencies should read:\n\(expected.joined(separator: "\n"))")
    }
}
