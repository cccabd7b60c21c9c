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
/// so one runtime (ONNX Runtime, OpenCV DNN; XNNPACK or ArmNN on a board) can replace another
/// without touching them. ``ModelStore/detector(_:options:notice:)`` loads a model on the runtime
/// its manifest (or the caller) chooses.
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
    /// What runs the model, as `--runtime` names it (`opencv`, `onnxruntime`,
    /// `onnxruntime-int8`); a set of detectors names its members' runtimes.
    var runtime: String { get }
    /// Detects objects in an input tensor prepared to ``input``; `letterbox` maps boxes back.
    func detect(tensor: Tensor, letterbox: Letterbox) throws -> DetectionResult
}

extension ObjectDetector {
    /// Preprocesses `frame` (any pixel format, or JPEG) and detects objects in it, with a
    /// preprocessing stage made for this call. A stream of frames should go through one
    /// ``FrameDetector``, which reuses its decoder, buffers and tensor.
    public func detect(_ frame: Frame) throws -> DetectionResult { try FrameDetector(self).detect(frame) }
}
