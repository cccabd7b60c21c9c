internal import Foundation

/// Where model manifests live: `Models/<name>/manifest.json`.
public struct ModelStore: Sendable {
    public var directory: String

    public init(directory: String) { self.directory = directory }

    /// The environment variable that names the models folder.
    public static let environmentVariable = "SIGHTLINE_MODELS"

    /// `SIGHTLINE_MODELS` if set; otherwise the first `Models` folder holding a manifest found
    /// walking up from the working directory, then from the running executable (so a build in
    /// `.build/release` finds the repository's `Models/`); otherwise `./Models`.
    public static func locate() -> ModelStore {
        if let env = ProcessInfo.processInfo.environment[environmentVariable], !env.isEmpty {
            return ModelStore(directory: env)
        }
        let starts = [
            FileManager.default.currentDirectoryPath, Bundle.main.executablePath.map { ($0 as NSString).deletingLastPathComponent },
        ]
        for start in starts.compactMap({ $0 }) {
            var dir = URL(fileURLWithPath: start).standardizedFileURL
            for _ in 0..<8 {
                let candidate = dir.appendingPathComponent("Models")
                if let names = try? FileManager.default.contentsOfDirectory(atPath: candidate.path),
                    names.contains(where: { FileManager.default.fileExists(atPath: candidate.path + "/" + $0 + "/manifest.json") })
                {
                    return ModelStore(directory: candidate.path)
                }
                let parent = dir.deletingLastPathComponent()
                if parent.path == dir.path { break }
                dir = parent
            }
        }
        return ModelStore(directory: FileManager.default.currentDirectoryPath + "/Models")
    }

    /// Names of the models that have a manifest here (hidden folders, such as the staging folder
    /// of a `teach train` under way, are not models).
    public func available() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") && FileManager.default.fileExists(atPath: directory + "/" + $0 + "/manifest.json") }.sorted()
    }

    public func manifestPath(_ name: String) -> String { directory + "/" + name + "/manifest.json" }

    /// Reads the manifest of `name`.
    public func manifest(_ name: String) throws(DetectionError) -> ModelManifest {
        let path = manifestPath(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw .modelNotFound(model: name, directory: directory, available: available())
        }
        return try ModelManifest.load(path: path)
    }
}
