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
            Each image is decoded and preprocessed by Sightline's imaging core, run through the model by ONNX Runtime or \
            OpenCV's DNN module (--runtime), and decoded (boxes, class-wise non-maximum suppression) by Sightline. Boxes are in \
            the image's own pixels.

            Models are read from SIGHTLINE_MODELS, or the nearest Models/ folder; install the default one with \
            scripts/fetch-model.
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
        let detector = try models.makeDetector(score: score, nms: nms)
        var failures = 0
        let stage = FrameDetector(detector)
        for path in images {
            do {
                let frame = try FileIO.readJPEGFrame(path)
                let result = try stage.detect(frame)
                print(json ? try result.jsonLine(image: path, detector: detector) : result.text(image: path, detector: detector))
                if let annotate {
                    let out = try OverlayRenderer().annotate(frame, result.detections, to: annotate, folder: images.count > 1)
                    if !json { print("  wrote \(out)") }
                }
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}
