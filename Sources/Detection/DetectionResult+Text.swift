import Foundation
import SightlineCore

extension DetectionResult {
    /// The result for people: the image and its size, one line per object (label, score, box in
    /// the image's pixels), and the time per stage.
    public func text(image path: String, model: String) -> String {
        let lb = letterbox
        var lines = ["\(path): \(lb.sourceWidth)x\(lb.sourceHeight), \(detections.count) objects (\(model))"]
        for d in detections {
            let b = d.box
            lines.append(
                String(format: "  %-14@ %.2f  x %4.0f y %4.0f w %4.0f h %4.0f", d.label as NSString, d.score, b.x, b.y, b.width, b.height))
        }
        let t = timings
        lines.append(
            String(
                format: "  time: preprocess %.2f ms, inference %.2f ms, decode+nms %.3f ms", t.preprocess * 1000, t.inference * 1000,
                t.decode * 1000))
        return lines.joined(separator: "\n")
    }

    /// The result as one line of JSON with sorted keys: image, width, height, model,
    /// detections, timings.
    public func jsonLine(image path: String, model: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line = Line(
            image: path, width: letterbox.sourceWidth, height: letterbox.sourceHeight, model: model, detections: detections,
            timings: timings)
        return String(decoding: try encoder.encode(line), as: UTF8.self)
    }

    private struct Line: Encodable {
        var image: String
        var width: Int
        var height: Int
        var model: String
        var detections: [Detection]
        var timings: DetectionTimings
    }
}
