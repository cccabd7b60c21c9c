import Actions
import ArgumentParser
import Detection
import Foundation
import Imaging
import SightlineCore

struct DetectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find objects in images with a detector model from Models/.",
        discussion: """
            Each image is decoded and preprocessed by Sightline's imaging core, run through the \
            model by OpenCV's DNN module, and decoded (boxes, class-wise non-maximum suppression) \
            by Sightline. Boxes are in the image's own pixels.

            Models are read from SIGHTLINE_MODELS, or the nearest Models/ folder; install the \
            default one with scripts/fetch-model.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "JPEG images.")
    var images: [String]

    @OptionGroup var models: ModelOptions

    @Option(help: "Score threshold (default: the manifest's).")
    var score: Float?

    @Option(help: "NMS IoU threshold (default: the manifest's).")
    var nms: Float?

    @Flag(help: "Print one JSON object per image (JSON Lines) instead of text.")
    var json = false

    @Option(help: "Write the image with boxes and labels drawn: a .jpg file for one image, a folder for several.")
    var annotate: String?

    func validate() throws {
        if let score, !(0...1).contains(score) { throw ValidationError("--score must lie in [0, 1]") }
        if let nms, !(0...1).contains(nms) { throw ValidationError("--nms must lie in [0, 1]") }
    }

    func run() throws {
        _ = global.bootstrapLogging()
        let detector: OpenCVDetector
        do {
            detector = try models.makeDetector()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if let score { detector.scoreThreshold = score }
        if let nms { detector.nmsThreshold = nms }
        var failures = 0
        let stage = FrameDetector(detector)
        for path in images {
            do {
                let frame = try FileIO.readJPEGFrame(path)
                let result = try stage.detect(frame)
                if json {
                    print(try jsonLine(path: path, result: result))
                } else {
                    print(describe(path: path, result: result))
                }
                if let annotate {
                    let out =
                        images.count == 1
                        ? annotate
                        : annotate + "/" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension + ".annotated.jpg"
                    if images.count > 1 { try FileManager.default.createDirectory(atPath: annotate, withIntermediateDirectories: true) }
                    try writeAnnotated(frame: frame, detections: result.detections, to: out)
                    if !json { print("  wrote \(out)") }
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }

    private func describe(path: String, result: DetectionResult) -> String {
        let lb = result.letterbox
        var lines = ["\(path): \(lb.sourceWidth)x\(lb.sourceHeight), \(result.detections.count) objects (\(models.model))"]
        for d in result.detections {
            let b = d.box
            lines.append(
                String(format: "  %-14@ %.2f  x %4.0f y %4.0f w %4.0f h %4.0f", d.label as NSString, d.score, b.x, b.y, b.width, b.height))
        }
        let t = result.timings
        lines.append(
            String(
                format: "  time: preprocess %.2f ms, inference %.2f ms, decode+nms %.3f ms", t.preprocess * 1000, t.inference * 1000,
                t.decode * 1000))
        return lines.joined(separator: "\n")
    }

    private struct Line: Encodable {
        var image: String
        var width: Int
        var height: Int
        var model: String
        var detections: [Detection]
        var timings: DetectionTimings
    }

    private func jsonLine(path: String, result: DetectionResult) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = Line(
            image: path, width: result.letterbox.sourceWidth, height: result.letterbox.sourceHeight, model: models.model,
            detections: result.detections, timings: result.timings)
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }
}

/// Decodes `frame` at full size, draws the boxes and labels (the Actions overlay, the one
/// implementation of box drawing), and writes a JPEG atomically.
func writeAnnotated(frame: Frame, detections: [Detection], to path: String) throws {
    let jpeg = try OverlayRenderer().renderJPEG(frame: frame, detections: detections, conclusion: nil)
    try FileIO.writeAtomically(path, jpeg)
}
