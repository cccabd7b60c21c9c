internal import Foundation

/// What is installed of one model of a ``ModelStore``: its manifest's main facts and, for each
/// file the manifest names, whether it is there with the manifest's size and sha256.
public struct ModelSummary: Sendable, Equatable, Codable {
    /// One file of the manifest and how it stands.
    public struct FileState: Sendable, Equatable, Codable {
        public enum Status: String, Sendable, Codable {
            /// There, with the manifest's size and sha256.
            case verified
            case missing
            /// There, but another size or sha256 (`detail` says which).
            case damaged
        }
        /// What the file is to the model (`config`, `weights`, `labels`, `onnx`, `onnxInt8`).
        public var role: String
        /// Relative to the model's folder.
        public var path: String
        public var status: Status
        public var detail: String?
    }

    public var name: String
    /// The manifest's runtime (the one `sightline detect` uses).
    public var runtime: String?
    /// The runtimes whose files are all verified: `opencv-darknet` (cfg and weights, run by
    /// OpenCV), `opencv-onnx`, `onnxruntime` (`files.onnx`), `onnxruntime-int8` (`files.onnxInt8`).
    public var runnableWith: [String]
    /// How many labels the verified labels file lists.
    public var classes: Int?
    /// `416x416 letterbox`.
    public var input: String?
    public var files: [FileState]
    /// The command that installs the files.
    public var fetch: String?
    /// Why the manifest could not be read; nothing else is known then.
    public var problem: String?
    /// True when every file the manifest's runtime needs is verified.
    public var ready: Bool
}

extension ModelStore {
    /// Every model with a manifest here, its files checked (sizes, then sha256: this reads
    /// every file whole). A manifest that does not parse is listed with its problem.
    public func inventory() -> [ModelSummary] {
        available().map { name in
            let manifest: ModelManifest
            do { manifest = try self.manifest(name) } catch {
                return ModelSummary(
                    name: name, runtime: nil, runnableWith: [], classes: nil, input: nil, files: [], fetch: nil, problem: "\(error)",
                    ready: false)
            }
            return Self.summary(manifest, name: name, directory: directory + "/" + name)
        }
    }

    static func summary(_ manifest: ModelManifest, name: String, directory: String) -> ModelSummary {
        let f = manifest.files
        let named: [(String, ModelManifest.File?)] = [
            ("config", f.config), ("weights", f.weights), ("labels", f.labels), ("onnx", f.onnx), ("onnxInt8", f.onnxInt8),
        ]
        var states: [String: ModelSummary.FileState] = [:]
        for case let (role, file?) in named {
            do {
                _ = try manifest.verify(file, role: role, in: directory)
                states[role] = .init(role: role, path: file.path, status: .verified)
            } catch {
                if case .missingFile = error {
                    states[role] = .init(role: role, path: file.path, status: .missing)
                } else if case let .corruptFile(_, _, _, detail, _) = error {
                    states[role] = .init(role: role, path: file.path, status: .damaged, detail: detail)
                } else {
                    states[role] = .init(role: role, path: file.path, status: .damaged, detail: error.description)
                }
            }
        }
        func verified(_ roles: String...) -> Bool { roles.allSatisfy { states[$0]?.status == .verified } }
        var runtimes: [String] = []
        if manifest.runtime == .opencvONNX {
            if verified("weights", "labels") { runtimes.append(ModelManifest.Runtime.opencvONNX.rawValue) }
        } else if verified("config", "weights", "labels") {
            runtimes.append(ModelManifest.Runtime.opencvDarknet.rawValue)
        }
        if verified("onnx", "labels") { runtimes.append(ModelManifest.Runtime.onnxruntime.rawValue) }
        if verified("onnxInt8", "labels") { runtimes.append(ModelManifest.Runtime.onnxruntimeInt8.rawValue) }
        var classes: Int?
        if verified("labels"), let text = try? String(contentsOfFile: directory + "/" + f.labels.path, encoding: .utf8) {
            classes = text.split(whereSeparator: \.isNewline).filter { !$0.allSatisfy(\.isWhitespace) }.count
        }
        return ModelSummary(
            name: name, runtime: manifest.runtime.rawValue, runnableWith: runtimes, classes: classes,
            input: "\(manifest.input.width)x\(manifest.input.height) \(manifest.input.fit.rawValue)",
            files: named.compactMap { role, file in file == nil ? nil : states[role] }, fetch: manifest.fetch, problem: nil,
            ready: runtimes.contains(manifest.runtime.rawValue))
    }
}
