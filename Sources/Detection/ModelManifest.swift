internal import Crypto
public import Foundation
public import Imaging
internal import SightlineCore

/// Everything Sightline needs to know about a detector model, read from
/// `Models/<name>/manifest.json`: its files (with their sha256), how to feed it, how to read its
/// outputs, its labels, default thresholds, and where it comes from.
///
/// Decoding is strict: a field Sightline does not know is an error (a typo such as `"fitt"`
/// must not silently fall back to a default).
public struct ModelManifest: Sendable, Equatable, Codable {
    public struct File: Sendable, Equatable, Codable {
        /// Relative to the manifest's folder.
        public var path: String
        public var sha256: String
        public var bytes: Int
    }

    public struct Files: Sendable, Equatable, Codable {
        /// Darknet `.cfg` (runtime `opencv-darknet`).
        public var config: File?
        /// Darknet `.weights` or an `.onnx` file.
        public var weights: File
        /// One label per line, in class order.
        public var labels: File
        /// The same network as ONNX for ONNX Runtime (runtime `onnxruntime`): generated from the
        /// Darknet files by scripts/onnx/export.py when the model is fetched. The exporter is
        /// deterministic, so its output's sha256 is pinned here like any downloaded file's.
        public var onnx: File?
        /// The ONNX file quantised to int8 (runtime `onnxruntime-int8`): generated from `onnx` by
        /// scripts/onnx/quantize.py with the activation ranges committed beside the manifest
        /// (`<name>.int8-ranges.json`), deterministic too, so pinned the same way.
        public var onnxInt8: File?
    }

    public enum Runtime: String, Sendable, Codable {
        /// OpenCV DNN reading a Darknet cfg + weights.
        case opencvDarknet = "opencv-darknet"
        /// OpenCV DNN reading a fixed-shape ONNX file.
        case opencvONNX = "opencv-onnx"
        /// ONNX Runtime reading `files.onnx`; the Darknet files stay listed for OpenCV, the
        /// fallback runtime.
        case onnxruntime = "onnxruntime"
        /// ONNX Runtime reading `files.onnxInt8`, the static int8 quantisation of `files.onnx`.
        case onnxruntimeInt8 = "onnxruntime-int8"
    }

    public struct Output: Sendable, Equatable, Codable {
        public enum Decoding: String, Sendable, Codable {
            /// Rows of `[cx, cy, w, h, objectness, class scores…]`, coordinates relative to the
            /// input size, class scores already multiplied by objectness: what OpenCV's Darknet
            /// region/YOLO layers produce (anchors and strides are applied inside the network).
            case darknetRegion = "darknet-region"
        }
        public var decoding: Decoding
    }

    public struct Thresholds: Sendable, Equatable, Codable {
        /// Detections scoring below this are dropped.
        public var score: Float
        /// Boxes of one class overlapping a better one by more than this IoU are suppressed.
        public var nms: Float
    }

    public var name: String
    public var description: String
    public var licence: String
    public var source: String
    /// The command that installs the model's files.
    public var fetch: String
    public var runtime: Runtime
    public var files: Files
    public var input: ModelInput
    public var output: Output
    public var thresholds: Thresholds

    /// Every field a manifest may have, by JSON path, for the strict check.
    static let knownFields: [String: Set<String>] = [
        "": ["name", "description", "licence", "source", "fetch", "runtime", "files", "input", "output", "thresholds"],
        "files": ["config", "weights", "labels", "onnx", "onnxInt8"],
        "files.config": ["path", "sha256", "bytes"],
        "files.weights": ["path", "sha256", "bytes"],
        "files.labels": ["path", "sha256", "bytes"],
        "files.onnx": ["path", "sha256", "bytes"],
        "files.onnxInt8": ["path", "sha256", "bytes"],
        "input": ["width", "height", "fit", "channelOrder", "interpolation", "mean", "std", "padValue"],
        "output": ["decoding"],
        "thresholds": ["score", "nms"],
    ]

    /// Reads and validates a manifest file.
    public static func load(path: String) throws(DetectionError) -> ModelManifest {
        let data: Data
        do { data = Data(try FileIO.readBytes(path, limit: 1 << 20)) } catch {
            throw .invalidManifest(path: path, detail: "cannot \(error.operation): \(Errno(error.errno))")
        }
        return try parse(data, path: path)
    }

    /// Parses manifest JSON, rejecting unknown fields and values out of range.
    public static func parse(_ data: Data, path: String) throws(DetectionError) -> ModelManifest {
        let object: Any
        do { object = try JSONSerialization.jsonObject(with: data) } catch {
            throw .invalidManifest(path: path, detail: "not valid JSON (\(error.localizedDescription))")
        }
        try checkFields(object, at: "", path: path)
        let manifest: ModelManifest
        do { manifest = try JSONDecoder().decode(ModelManifest.self, from: data) } catch let error as DecodingError {
            throw .invalidManifest(path: path, detail: describe(error))
        } catch {
            throw .invalidManifest(path: path, detail: "\(error)")
        }
        let i = manifest.input
        guard i.width > 0, i.height > 0, i.width <= 4096, i.height <= 4096 else {
            throw .invalidManifest(path: path, detail: "input size \(i.width)x\(i.height) out of range")
        }
        guard i.mean.count == 3, i.std.count == 3, i.std.allSatisfy({ $0 != 0 }) else {
            throw .invalidManifest(path: path, detail: "input.mean and input.std need 3 values each, std non-zero")
        }
        let t = manifest.thresholds
        guard (0...1).contains(t.score), (0...1).contains(t.nms) else {
            throw .invalidManifest(path: path, detail: "thresholds must lie in [0, 1]")
        }
        let f = manifest.files
        for (role, file) in [
            ("config", f.config), ("weights", f.weights), ("labels", f.labels), ("onnx", f.onnx), ("onnxInt8", f.onnxInt8),
        ] {
            guard let file else { continue }
            // Inside the model's folder: a manifest cannot point the loader at any other file.
            let parts = file.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !file.path.isEmpty, !file.path.hasPrefix("/"), !parts.contains(".."), !parts.contains("") else {
                throw .invalidManifest(
                    path: path,
                    detail: "files.\(role).path '\(file.path)' must name a file inside the model's folder (no '..', not absolute)")
            }
            guard file.bytes > 0, file.bytes <= 4 << 30 else {
                throw .invalidManifest(path: path, detail: "files.\(role).bytes \(file.bytes) out of range (1 to 4 GiB)")
            }
        }
        if [.opencvDarknet, .onnxruntime, .onnxruntimeInt8].contains(manifest.runtime), manifest.files.config == nil {
            throw .invalidManifest(
                path: path,
                detail: "runtime \(manifest.runtime.rawValue) needs files.config (the Darknet files, which OpenCV runs)")
        }
        if manifest.runtime == .onnxruntime, manifest.files.onnx == nil {
            throw .invalidManifest(path: path, detail: "runtime onnxruntime needs files.onnx")
        }
        if manifest.runtime == .onnxruntimeInt8, manifest.files.onnxInt8 == nil {
            throw .invalidManifest(path: path, detail: "runtime onnxruntime-int8 needs files.onnxInt8")
        }
        return manifest
    }

    private static func checkFields(_ value: Any, at prefix: String, path: String) throws(DetectionError) {
        guard let dict = value as? [String: Any] else {
            throw .invalidManifest(path: path, detail: prefix.isEmpty ? "the top level must be an object" : "'\(prefix)' must be an object")
        }
        let known = knownFields[prefix] ?? []
        for key in dict.keys.sorted() {
            let full = prefix.isEmpty ? key : prefix + "." + key
            guard known.contains(key) else { throw .invalidManifest(path: path, detail: "unknown field '\(full)'") }
            if knownFields[full] != nil { try checkFields(dict[key]!, at: full, path: path) }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func where_(_ ctx: DecodingError.Context) -> String {
            ctx.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case let .keyNotFound(key, ctx):
            let at = where_(ctx)
            return "missing field '\(at.isEmpty ? key.stringValue : at + "." + key.stringValue)'"
        case let .typeMismatch(_, ctx), let .valueNotFound(_, ctx):
            return "field '\(where_(ctx))': \(ctx.debugDescription)"
        case let .dataCorrupted(ctx):
            return "field '\(where_(ctx))': \(ctx.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

extension ModelManifest {
    /// The labels (`files.labels`, checked like every file): one per line in class order, blank
    /// lines skipped.
    public func labels(in directory: String) throws(DetectionError) -> [String] {
        let file = try contents(files.labels, role: "labels", in: directory)
        guard let text = String(data: file.bytes, encoding: .utf8) else {
            throw .runtime(model: name, detail: "cannot read labels \(file.path): not UTF-8")
        }
        return text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Checks that `file` exists under `directory` with the manifest's size and sha256, and
    /// returns its full path. Size is checked first, so a truncated file is named as such
    /// without hashing it.
    func verify(_ file: File, role: String, in directory: String) throws(DetectionError) -> String {
        let (full, handle) = try openVerified(file, role: role, in: directory)
        try? handle.close()
        return full
    }

    /// Checks `file` as ``verify(_:role:in:)`` does, through one open descriptor, and returns it
    /// open: a reader of `/proc/self/fd/N` reads the file that was checked, without a copy of it
    /// in memory (another path lookup could find another file). The caller closes it.
    func openVerified(_ file: File, role: String, in directory: String) throws(DetectionError) -> (path: String, handle: FileHandle) {
        let full = try checkSize(file, role: role, in: directory)
        guard (try? FileIO.checkInput(full)) != nil, let handle = FileHandle(forReadingAtPath: full) else {
            throw .missingFile(model: name, role: role, path: full, fetch: fetch)
        }
        var hasher = SHA256()
        var count = 0
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            count += chunk.count
            hasher.update(data: chunk)
        }
        do throws(DetectionError) {
            guard count == file.bytes else {
                throw .corruptFile(model: name, role: role, path: full, detail: "changed while being read", fetch: fetch)
            }
            try checkDigest(hasher.finalize(), file, role: role, path: full)
        } catch {
            try? handle.close()
            throw error
        }
        return (full, handle)
    }

    /// Reads `file` whole and checks it as ``verify(_:role:in:)`` does: the bytes returned are
    /// the bytes that were checked (no second read that could see another file).
    func contents(_ file: File, role: String, in directory: String) throws(DetectionError) -> (path: String, bytes: Data) {
        let full = try checkSize(file, role: role, in: directory)
        guard (try? FileIO.checkInput(full)) != nil, let bytes = FileManager.default.contents(atPath: full) else {
            throw .missingFile(model: name, role: role, path: full, fetch: fetch)
        }
        guard bytes.count == file.bytes else {
            throw .corruptFile(model: name, role: role, path: full, detail: "changed while being read", fetch: fetch)
        }
        try checkDigest(SHA256.hash(data: bytes), file, role: role, path: full)
        return (full, bytes)
    }

    /// The full path of `file`, once it is known to exist with the manifest's size.
    private func checkSize(_ file: File, role: String, in directory: String) throws(DetectionError) -> String {
        let full = directory + "/" + file.path
        // The file's own attributes, not a symbolic link's (a models folder may link its files).
        let target = URL(fileURLWithPath: full).resolvingSymlinksInPath().path
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: target) else {
            throw .missingFile(model: name, role: role, path: full, fetch: fetch)
        }
        let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
        guard size == file.bytes else {
            let detail = size < file.bytes ? "truncated: \(size) of \(file.bytes) bytes" : "\(size) bytes, expected \(file.bytes)"
            throw .corruptFile(model: name, role: role, path: full, detail: detail, fetch: fetch)
        }
        return full
    }

    private func checkDigest(_ digest: SHA256.Digest, _ file: File, role: String, path: String) throws(DetectionError) {
        let hex = digest.map { String(format: "%02x", $0) }.joined()
        guard hex == file.sha256.lowercased() else {
            throw .corruptFile(model: name, role: role, path: path, detail: "sha256 \(hex), expected \(file.sha256)", fetch: fetch)
        }
    }
}
