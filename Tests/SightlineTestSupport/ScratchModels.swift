// A models folder in a temporary directory with one model whose ONNX file is replaced: how the
// tests hand Sightline a truncated, altered or mismatched network through its ordinary paths
// (the detector loader, `sightline detect --models-dir`).
public import Foundation

public enum ScratchModels {
    /// A models folder holding model `name` of the repository's Models/ with `files.onnx`
    /// replaced by `onnx` and the manifest's `runtime` set to `runtime`. With `pin` the manifest
    /// pins the new bytes (size and sha256), so only the check under test can refuse them;
    /// without it, it keeps the real file's. The other files are links to the repository's.
    /// Returns the folder; the ONNX file is `FOLDER/name/<files.onnx.path>`.
    public static func withONNX(_ name: String, bytes onnx: Data, pin: Bool = true, runtime: String = "onnxruntime") throws -> String {
        let models = Reference.repoRoot + "/Models"
        let folder = NSTemporaryDirectory() + "sightline-models-\(UUID().uuidString)"
        let dir = folder + "/" + name
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let data = try Data(contentsOf: URL(fileURLWithPath: models + "/" + name + "/manifest.json"))
        guard var manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var files = manifest["files"] as? [String: Any], var entry = files["onnx"] as? [String: Any],
            let path = entry["path"] as? String
        else { throw ReferenceError(message: "\(name)'s manifest has no files.onnx") }
        for case let file as [String: Any] in files.values {
            if let p = file["path"] as? String, p != path {
                try FileManager.default.createSymbolicLink(atPath: dir + "/" + p, withDestinationPath: models + "/" + name + "/" + p)
            }
        }
        try onnx.write(to: URL(fileURLWithPath: dir + "/" + path))
        if pin {
            let sum = try run("/usr/bin/sha256sum", [dir + "/" + path])
            entry["sha256"] = String(sum.out.prefix(64))
            entry["bytes"] = onnx.count
        }
        files["onnx"] = entry
        manifest["files"] = files
        manifest["runtime"] = runtime
        try JSONSerialization.data(withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys]).write(
            to: URL(fileURLWithPath: dir + "/manifest.json"))
        return folder
    }

    /// The bytes of model `name`'s exported ONNX file in the repository's Models/.
    public static func onnx(_ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: Reference.repoRoot + "/Models/\(name)/\(name).onnx"))
    }

    /// YOLOv3-tiny exported for a 320x320 input by scripts/onnx/export.py (the exporter's
    /// virtualenv, made by scripts/setup): a network of the wrong input shape.
    public static func yolov3Tiny320() throws -> Data {
        let work = NSTemporaryDirectory() + "sightline-onnx-320-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let model = Reference.repoRoot + "/Models/yolov3-tiny/yolov3-tiny"
        let cfg = try String(contentsOfFile: model + ".cfg", encoding: .utf8)
            .replacingOccurrences(of: "width=416", with: "width=320").replacingOccurrences(of: "height=416", with: "height=320")
        try cfg.write(toFile: work + "/320.cfg", atomically: true, encoding: .utf8)
        let r = try run(
            Reference.repoRoot + "/.build-onnxruntime/venv/bin/python",
            [Reference.repoRoot + "/scripts/onnx/export.py", "--quiet", work + "/320.cfg", model + ".weights", work + "/320.onnx"])
        guard r.status == 0 else { throw ReferenceError(message: "export.py failed: \(r.err)") }
        return try Data(contentsOf: URL(fileURLWithPath: work + "/320.onnx"))
    }
}
