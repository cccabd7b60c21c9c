public import Imaging
public import SightlineCore

/// A model from `Models/` run by ONNX Runtime (``ONNXSession``: the manifest's `files.onnx`, or
/// `files.onnxInt8`), with the same decoding and NMS as every runtime (``DarknetRegionDecoder``).
///
/// The input is bound straight to the tensor the preprocessing stage filled, without a copy;
/// the session keeps one bound value per tensor buffer, so a pipeline rotating pooled tensors
/// makes one per tensor, not one per frame. Outputs land in buffers the session allocated once.
/// Not thread-safe, like its session.
public final class ONNXRuntimeDetector: ObjectDetector {
    public let manifest: ModelManifest
    public let labels: [String]
    /// The input the network takes: the manifest's (the network's shape is fixed to its size),
    /// or the one given when loading, of the same size.
    public let input: ModelInput
    public let session: ONNXSession
    /// Which of the manifest's ONNX files runs.
    public let precision: ONNXSession.Precision
    /// Outputs to detections, with the manifest's thresholds unless changed.
    public var decoder: DarknetRegionDecoder
    public var runtime: String {
        (precision == .int8 ? DetectorRuntime.onnxruntimeInt8 : DetectorRuntime.onnxruntime).rawValue
    }

    /// Loads `manifest`'s ONNX file of `precision` from `directory` with `options` (threads,
    /// graph optimisation, memory arena). Every file is checked against the manifest, and the
    /// network against the input and the labels (``ONNXSession/checkDarknetRegionLayout(input:classes:)``);
    /// each refusal names the file. `library` names the ONNX Runtime library (nil: the default).
    /// `input` may change how frames are fitted (letterbox or
    /// stretch), not the size the network was exported for.
    public init(
        manifest: ModelManifest, directory: String, precision: ONNXSession.Precision = .float,
        options: ONNXSession.Options = ONNXSession.Options(), input: ModelInput? = nil, library: String? = nil
    ) throws(DetectionError) {
        self.manifest = manifest
        labels = try manifest.labels(in: directory)
        self.precision = precision
        session = try ONNXSession(
            manifest: manifest, directory: directory, classes: labels.count, precision: precision, options: options,
            library: library)
        let input = input ?? manifest.input
        guard input.width == manifest.input.width, input.height == manifest.input.height else {
            throw .runtime(
                model: manifest.name,
                detail:
                    "\(session.source) takes \(manifest.input.width)x\(manifest.input.height) inputs, not \(input.width)x\(input.height) (ONNX Runtime runs the exported shape)"
            )
        }
        self.input = input
        decoder = DarknetRegionDecoder(manifest: manifest, labels: labels)
    }

    public func detect(tensor: Tensor, letterbox: Letterbox) throws -> DetectionResult {
        let t0 = Timestamp.now()
        let outputs = try session.run(tensor)
        let t1 = Timestamp.now()
        let detections = try decoder.detections(outputs, letterbox: letterbox)  // the outputs are the session's, which self keeps
        let t2 = Timestamp.now()
        return DetectionResult(
            detections: detections, letterbox: letterbox, preprocess: nil,
            timings: DetectionTimings(preprocess: 0, inference: t1.seconds(since: t0), decode: t2.seconds(since: t1)))
    }
}
