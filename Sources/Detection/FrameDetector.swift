public import Imaging
public import SightlineCore

/// A detector with its preprocessing stage: frames in, detections out.
///
/// The stage's ``Preprocessor`` is made for the detector's ``ObjectDetector/input`` and owns
/// the decoder, intermediate buffers, resize tables and the input tensor, all reused from frame
/// to frame (the same frame size again allocates nothing). The detector binds the tensor as it
/// is. Not thread-safe, like its parts.
public final class FrameDetector {
    /// The model (or set of models) that detects.
    public let detector: any ObjectDetector
    /// The one preprocessing stage: frames into the detector's input tensor.
    public let preprocessor: Preprocessor
    private let tensor = Tensor()

    /// A stage for `detector`, whose kernels are `kernels`.
    public init(_ detector: any ObjectDetector, kernels: KernelChoice = .fromEnvironment) {
        self.detector = detector
        preprocessor = Preprocessor(input: detector.input, kernels: kernels)
    }

    /// Preprocesses `frame` (any pixel format, or JPEG) and detects objects in it.
    public func detect(_ frame: Frame) throws -> DetectionResult {
        let report = try preprocessor.run(frame, into: tensor)
        var result = try detector.detect(tensor: tensor, letterbox: report.letterbox)
        result.preprocess = report
        result.timings.preprocess = report.totalSeconds
        return result
    }
}
