import Detection
import Foundation
import SightlineCore
import SightlineTestSupport
import Testing

/// Issue 16's hostile model files: a manifest pointing outside its folder, a Darknet config
/// asking for a huge input, weights truncated (with the manifest's hash updated to match).
@Suite struct HostileModelTests {
    let cfg = try! Data(contentsOf: URL(fileURLWithPath: modelDir + "/yolov3-tiny.cfg"))
    let weights = try! Data(contentsOf: URL(fileURLWithPath: modelDir + "/yolov3-tiny.weights"))

    @Test(arguments: ["../../etc/passwd", "/etc/passwd", "a/../../b.cfg", ""])
    func aManifestPathOutsideTheModelFolderIsRefused(_ path: String) throws {
        let text = try String(contentsOfFile: modelDir + "/manifest.json", encoding: .utf8)
        let hostile = text.replacingOccurrences(of: "\"path\": \"yolov3-tiny.cfg\"", with: "\"path\": \"\(path)\"")
        #expect(hostile != text)
        let e = #expect(throws: DetectionError.self) { try ModelManifest.parse(Data(hostile.utf8), path: "m.json") }
        #expect(e?.description.contains("files.config.path") == true, "\(String(describing: e))")
    }

    @Test func truncatedWeightsAreRefusedBeforeOpenCVLoadsThem() throws {
        var third = weights.prefix(weights.count / 3)
        let e = #expect(throws: DetectionError.self) {
            _ = try DNNNetwork(darknetConfig: cfg, weights: &third, configPath: "t.cfg", weightsPath: "t.weights", model: "t")
        }
        #expect(e?.description.contains("t.weights") == true && e?.description.contains("truncated") == true, "\(String(describing: e))")
    }

    @Test(arguments: ["width=1000000", "height=1000000", "width=0", "channels=99"])
    func aDarknetInputSizeOutOfRangeIsRefused(_ setting: String) throws {
        let key = String(setting.prefix { $0 != "=" })
        var text = String(decoding: cfg, as: UTF8.self)
        let line = text.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map(String.init)
        text =
            line.map { text.replacingOccurrences(of: $0, with: setting) }
            ?? text.replacingOccurrences(of: "[net]", with: "[net]\n" + setting)
        var w = weights
        let e = #expect(throws: DetectionError.self) {
            _ = try DNNNetwork(darknetConfig: Data(text.utf8), weights: &w, configPath: "t.cfg", weightsPath: "t.weights", model: "t")
        }
        #expect(e?.description.contains("[net] \(setting) is out of range") == true, "\(String(describing: e))")
    }

    @Test func theRealFilesPassTheChecks() {
        #expect(weights.withUnsafeBytes { DarknetFolding.problem(config: [UInt8](cfg), weights: $0) } == nil)
    }
}
