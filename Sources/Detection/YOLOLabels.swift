internal import Foundation
public import SightlineCore

/// Human-made boxes in the YOLO text format (`class cx cy w h` per line, normalised to the
/// image size; one `.txt` per image, same base name), read as detections with score 1.
///
/// Used to check the reasoning on labelled photos independently of a detector's quality, and
/// to score detectors against ground truth.
public struct YOLOLabels: Sendable {
    public let folder: String
    public let classes: [String]

    /// `classes` is a file with one class name per line, in index order.
    public init(folder: String, classesFile: String) throws(DetectionError) {
        guard let text = try? String(contentsOfFile: classesFile, encoding: .utf8) else {
            throw .runtime(model: "labels", detail: "cannot read class names \(classesFile)")
        }
        self.folder = folder
        classes = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The label file for an image path: `folder/<base name>.txt`.
    public func labelFile(forImage path: String) -> String {
        folder + "/" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension + ".txt"
    }

    /// The boxes for the image at `path` (of `width`x`height` pixels), in pixels. A missing
    /// label file means no objects; a malformed line is an error naming file and line.
    public func detections(forImage path: String, width: Int, height: Int) throws(DetectionError) -> [Detection] {
        let file = labelFile(forImage: path)
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return [] }
        var result: [Detection] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let f = line.split(whereSeparator: \.isWhitespace)
            if f.isEmpty { continue }
            guard f.count == 5, let c = Int(f[0]), c >= 0, c < classes.count,
                let cx = Float(f[1]), let cy = Float(f[2]), let w = Float(f[3]), let h = Float(f[4])
            else {
                throw .runtime(model: "labels", detail: "\(file):\(n + 1): expected 'class cx cy w h' with a class below \(classes.count)")
            }
            let W = Float(width), H = Float(height)
            let box = Rect(x: (cx - w / 2) * W, y: (cy - h / 2) * H, width: w * W, height: h * H).clamped(width: W, height: H)
            result.append(Detection(label: classes[c], classID: c, score: 1, box: box))
        }
        return result
    }
}
