public import Imaging
public import SightlineCore

/// Seconds spent in each stage of one detection.
public struct DetectionTimings: Sendable, Equatable, Codable {
    public var preprocess: Double = 0
    public var inference: Double = 0
    public var decode: Double = 0
    public var total: Double { preprocess + inference + decode }
}

/// What one detection run found, with where the input came from and what it cost.
public struct DetectionResult: Sendable {
    public var detections: [Detection]
    /// How the frame was fitted into the model input (maps boxes back to the frame).
    public var letterbox: Letterbox
    /// Set when the detector preprocessed a frame itself.
    public var preprocess: PreprocessReport?
    public var timings: DetectionTimings
}

/// Anything that finds objects in frames: the callers (CLI, reasoner, pipeline) see only this,
/// so another runtime (an ONNX model, XNNPACK or ArmNN on a board) can replace the default
/// without touching them.
///
/// A detector declares the input it takes (``input``: size, fit, channel order, normalisation)
/// and detects in a tensor prepared to that geometry. It does not preprocess: preprocessing is
/// one stage with one owner, a ``FrameDetector`` (or the live pipeline's prepare stage), which
/// makes the tensor the model binds. ``detect(_:)`` is a convenience for a single frame.
public protocol ObjectDetector: AnyObject {
    /// The model's manifest (input, thresholds, labels file, licence).
    var manifest: ModelManifest { get }
    /// Class labels, indexed by class id.
    var labels: [String] { get }
    /// The input tensor the model takes; the preprocessing stage fills tensors of this geometry.
    var input: ModelInput { get }
    /// Detects objects in an input tensor prepared to ``input``; `letterbox` maps boxes back.
    func detect(tensor: Tensor, letterbox: Letterbox) throws -> DetectionResult
}

extension ObjectDetector {
    /// Preprocesses `frame` (any pixel format, or JPEG) and detects objects in it, with a
    /// preprocessing stage made for this call. A stream of frames should go through one
    /// ``FrameDetector``, which reuses its decoder, buffers and tensor.
    public func detect(_ frame: Frame) throws -> DetectionResult { try FrameDetector(self).detect(frame) }
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
