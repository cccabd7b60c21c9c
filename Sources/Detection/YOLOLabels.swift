internal import Foundation
public import SightlineCore

/// Human-made boxes in the YOLO text format (`class cx cy w h` per line, normalised to the
/// image size; one `.txt` per image, same base name), read as detections with score 1.
///
/// Used to check the reasoning on labelled photos independently of a detector's quality, and
/// to score detectors against ground truth (``YOLODataset``).
public struct YOLOLabels: Sendable {
    public let folder: String
    public let classes: [String]

    /// `classes` is a file with one class name per line, in index order.
    public init(folder: String, classesFile: String) throws(DetectionError) {
        guard let bytes = try? FileIO.readBytes(classesFile, limit: 16 << 20), let text = String(data: Data(bytes), encoding: .utf8)
        else {
            throw .dataset(path: classesFile, detail: "cannot read the class names (it must be a regular UTF-8 text file)")
        }
        self.folder = folder
        classes = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !classes.isEmpty else { throw .dataset(path: classesFile, detail: "no class names") }
    }

    /// The label file for an image path: `folder/<base name>.txt`.
    public func labelFile(forImage path: String) -> String {
        folder + "/" + ((path as NSString).lastPathComponent as NSString).deletingPathExtension + ".txt"
    }

    /// The boxes for the image at `path` (of `width`x`height` pixels), in pixels, labelled with
    /// the folder's class names. A missing label file means no objects; a malformed line (not
    /// five numbers, a class index out of range, coordinates outside 0…1 or an empty box) is an
    /// error naming file and line.
    public func boxes(forImage path: String, width: Int, height: Int) throws(DetectionError) -> [GroundTruthBox] {
        let file = labelFile(forImage: path)
        let bytes: [UInt8]
        do { bytes = try FileIO.readBytes(file, limit: 64 << 20) } catch {
            if error.errno == ENOENT { return [] }  // no label file: no objects
            throw .dataset(path: file, detail: "cannot read the labels: \(Errno(error.errno))")
        }
        guard let text = String(data: Data(bytes), encoding: .utf8) else { throw .dataset(path: file, detail: "not UTF-8 text") }
        var result: [GroundTruthBox] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let f = line.split(whereSeparator: \.isWhitespace)
            if f.isEmpty { continue }
            let at = "\(file):\(n + 1)"
            guard f.count == 5, let c = Int(f[0]) else {
                throw .dataset(path: at, detail: "expected 'class cx cy w h', found '\(line.trimmingCharacters(in: .whitespaces))'")
            }
            guard c >= 0, c < classes.count else {
                throw .dataset(path: at, detail: "class index \(c) out of range (\(classes.count) classes, 0…\(classes.count - 1))")
            }
            let v = f[1...].map { Float($0) }
            guard let cx = v[0], let cy = v[1], let w = v[2], let h = v[3], [cx, cy, w, h].allSatisfy({ (0...1).contains($0) }),
                w > 0, h > 0
            else {
                throw .dataset(
                    path: at, detail: "cx cy w h must be numbers in 0…1 with w, h > 0, found '\(f[1...].joined(separator: " "))'")
            }
            let W = Float(width), H = Float(height)
            let box = Rect(x: (cx - w / 2) * W, y: (cy - h / 2) * H, width: w * W, height: h * H).clamped(width: W, height: H)
            result.append(GroundTruthBox(label: classes[c], box: box))
        }
        return result
    }

    /// ``boxes(forImage:width:height:)`` as detections with score 1 (class id: the folder's index).
    public func detections(forImage path: String, width: Int, height: Int) throws(DetectionError) -> [Detection] {
        try boxes(forImage: path, width: width, height: height).map {
            Detection(label: $0.label, classID: classes.firstIndex(of: $0.label) ?? 0, score: 1, box: $0.box)
        }
    }
}
