public import Imaging
public import SightlineCore

/// A raw output of one network run, as a runtime hands it back: its name, shape and float data
/// (owned by the runtime, valid until its next run).
public protocol NetworkOutput {
    var name: String { get }
    var shape: [Int] { get }
    var data: UnsafeBufferPointer<Float> { get }
}

extension DNNNetwork.Output: NetworkOutput {}
extension ONNXSession.Output: NetworkOutput {}

/// The one path from a YOLO network's `darknet-region` outputs to detections, whichever runtime
/// ran the network: the rows' width checked against the labels,
/// ``decodeDarknetRegion(_:classes:inputWidth:inputHeight:scoreThreshold:)``, class-wise
/// ``nonMaximumSuppression(_:iouThreshold:)``, and the boxes mapped back to the source frame
/// (``Letterbox/toSource(_:)``; a box entirely in the padding is dropped), each naming the model.
public struct DarknetRegionDecoder: Sendable, Equatable {
    /// The model the detections name.
    public var model: String
    /// Class labels, indexed by class id.
    public var labels: [String]
    /// Detections scoring below this are dropped.
    public var scoreThreshold: Float
    /// Boxes of one class overlapping a better one by more than this IoU are suppressed.
    public var nmsThreshold: Float

    /// A decoder for `manifest`'s model with its labels and default thresholds.
    public init(manifest: ModelManifest, labels: [String]) {
        (model, self.labels) = (manifest.name, labels)
        (scoreThreshold, nmsThreshold) = (manifest.thresholds.score, manifest.thresholds.nms)
    }

    /// The detections in `outputs`, boxes in source-frame pixels. Fails, naming the output,
    /// when an output's rows are not `5 + labels` values wide.
    public func detections(_ outputs: [some NetworkOutput], letterbox: Letterbox) throws(DetectionError) -> [Detection] {
        for o in outputs where (o.shape.last ?? 0) != 5 + labels.count {
            throw .runtime(
                model: model,
                detail: "output \(o.name) has rows of \(o.shape.last ?? 0) values; \(labels.count) labels need \(5 + labels.count)")
        }
        let candidates = decodeDarknetRegion(
            outputs.map { ($0.shape, $0.data) }, classes: labels.count, inputWidth: letterbox.inputWidth,
            inputHeight: letterbox.inputHeight, scoreThreshold: scoreThreshold)
        return nonMaximumSuppression(candidates, iouThreshold: nmsThreshold).compactMap { c -> Detection? in
            let box = letterbox.toSource(c.box)
            guard box.area > 0 else { return nil }  // entirely in the padding
            return Detection(label: labels[c.classID], classID: c.classID, score: c.score, box: box, model: model)
        }
    }
}

/// Decodes OpenCV's Darknet YOLO outputs: rows of `[cx, cy, w, h, objectness, scores…]` with
/// coordinates relative to the input size. Each row yields its best class if that class's
/// score reaches `scoreThreshold`; boxes come out in model-input pixels.
public func decodeDarknetRegion(
    _ outputs: [(shape: [Int], data: UnsafeBufferPointer<Float>)], classes: Int,
    inputWidth: Int, inputHeight: Int, scoreThreshold: Float
) -> [Candidate] {
    var candidates: [Candidate] = []
    let w = Float(inputWidth), h = Float(inputHeight)
    for output in outputs {
        let width = output.shape.last ?? 0
        guard width == 5 + classes, width > 0 else { continue }
        let rows = output.data.count / width
        for r in 0..<rows {
            let row = output.data.baseAddress! + r * width
            var best = 0
            var bestScore = row[5]
            for c in 1..<classes where row[5 + c] > bestScore {
                best = c
                bestScore = row[5 + c]
            }
            guard bestScore >= scoreThreshold, bestScore > 0 else { continue }
            let bw = row[2] * w, bh = row[3] * h
            let box = Rect(x: row[0] * w - bw / 2, y: row[1] * h - bh / 2, width: bw, height: bh)
            candidates.append(Candidate(classID: best, score: bestScore, box: box))
        }
    }
    return candidates
}
