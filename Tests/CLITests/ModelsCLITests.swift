import Foundation
import Testing

/// `sightline models` on the project's installed models (scripts/test fetches both), and on a
/// models folder with a damaged file, a missing file and a manifest that does not parse.
@Suite struct ModelsCLITests {
    struct Listing: Decodable {
        struct Model: Decodable {
            struct File: Decodable {
                var role: String
                var path: String
                var status: String
                var detail: String?
            }
            var name: String
            var runtime: String?
            var runnableWith: [String]
            var classes: Int?
            var input: String?
            var files: [File]
            var problem: String?
            var ready: Bool
        }
        var directory: String
        var models: [Model]
    }

    func list(_ folder: String) throws -> Listing {
        let r = try sightline(["models", "--json", "--models-dir", folder])
        #expect(r.status == 0, "\(r.err)")
        return try JSONDecoder().decode(Listing.self, from: Data(r.out.utf8))
    }

    /// Both installed models are ready with every runtime; the class counts are their labels files'.
    @Test func listsTheInstalledModels() throws {
        let listing = try list(repoRoot + "/Models")
        #expect(listing.models.map(\.name) == ["grocery-yolov3-tiny", "yolov3-tiny"])
        let expectedClasses = ["grocery-yolov3-tiny": 48, "yolov3-tiny": 80]
        for m in listing.models {
            #expect(m.ready && m.problem == nil, "\(m.name): \(m)")
            #expect(m.classes == expectedClasses[m.name], "\(m.name): \(m.classes ?? -1) classes")
            #expect(m.input == "416x416 letterbox" && m.runtime == "onnxruntime")
            #expect(m.runnableWith == ["opencv-darknet", "onnxruntime", "onnxruntime-int8"], "\(m.name): \(m.runnableWith)")
            #expect(m.files.map(\.role) == ["config", "weights", "labels", "onnx", "onnxInt8"])
            #expect(m.files.allSatisfy { $0.status == "verified" })
        }
        let text = try sightline(["models", "--models-dir", repoRoot + "/Models"])
        #expect(text.status == 0)
        #expect(text.out.contains("grocery-yolov3-tiny  48"), "\(text.out)")
        #expect(text.out.contains("opencv-darknet, onnxruntime*, onnxruntime-int8"), "\(text.out)")
    }

    /// A truncated weights file is damaged, a missing ONNX file missing (each named with the
    /// command that installs it), and the model is not ready; a manifest that does not parse
    /// is listed with its problem, and the command still succeeds.
    @Test func saysWhatIsMissingOrDamaged() throws {
        let folder = NSTemporaryDirectory() + "sightline-models-\(UUID().uuidString)"
        let source = repoRoot + "/Models/yolov3-tiny"
        let model = folder + "/yolov3-tiny"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for name in ["manifest.json", "yolov3-tiny.cfg", "coco.names", "yolov3-tiny.int8.onnx"] {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: model + "/" + name)
        }
        let weights = try Data(contentsOf: URL(fileURLWithPath: source + "/yolov3-tiny.weights"))
        try weights.prefix(1000).write(to: URL(fileURLWithPath: model + "/yolov3-tiny.weights"))
        try FileManager.default.createDirectory(atPath: folder + "/broken", withIntermediateDirectories: true)
        try "{ not json".write(toFile: folder + "/broken/manifest.json", atomically: true, encoding: .utf8)

        let listing = try list(folder)
        #expect(listing.models.map(\.name) == ["broken", "yolov3-tiny"])
        let broken = listing.models[0], m = listing.models[1]
        #expect(broken.problem != nil && !broken.ready && broken.files.isEmpty)
        #expect(!m.ready && m.runnableWith == ["onnxruntime-int8"], "\(m)")
        let status = Dictionary(uniqueKeysWithValues: m.files.map { ($0.role, $0.status) })
        #expect(status == ["config": "verified", "weights": "damaged", "labels": "verified", "onnx": "missing", "onnxInt8": "verified"])

        let text = try sightline(["models", "--models-dir", folder])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("yolov3-tiny: weights file yolov3-tiny.weights damaged"), "\(text.out)")
        #expect(text.out.contains("yolov3-tiny: onnx file yolov3-tiny.onnx missing; install it with: scripts/fetch-model yolov3-tiny"))
        #expect(text.out.contains("broken: "), "\(text.out)")
        #expect(text.out.contains("3 of 5 verified, not ready"), "\(text.out)")
    }
}
