public import Imaging
public import SightlineCore

/// A model from `Models/` run by OpenCV's DNN module (the Darknet files, or a fixed-shape ONNX
/// file for runtime `opencv-onnx`) on Sightline's own preprocessing, with Sightline's own output
/// decoding and class-wise NMS (``DarknetRegionDecoder``). The fallback runtime where ONNX
/// Runtime is not installed.
public final class OpenCVDetector: ObjectDetector {
    public let manifest: ModelManifest
    public let labels: [String]
    /// The input the model takes: the manifest's, or the one given when loading.
    public let input: ModelInput
    public let network: DNNNetwork
    /// Outputs to detections, with the manifest's thresholds unless changed.
    public var decoder: DarknetRegionDecoder
    public var runtime: String { DetectorRuntime.opencv.rawValue }

    /// Detections scoring below this are dropped (the decoder's).
    public var scoreThreshold: Float {
        get { decoder.scoreThreshold }
        set { decoder.scoreThreshold = newValue }
    }
    /// The decoder's NMS IoU threshold.
    public var nmsThreshold: Float {
        get { decoder.nmsThreshold }
        set { decoder.nmsThreshold = newValue }
    }

    /// Loads model `name` from `store`, verifying every file against the manifest first.
    /// `input` overrides the manifest's input (e.g. stretch instead of letterbox).
    public convenience init(
        model name: String, store: ModelStore = .locate(), input: ModelInput? = nil
    ) throws(DetectionError) {
        let manifest = try store.manifest(name)
        try self.init(manifest: manifest, directory: store.directory + "/" + name, input: input)
    }

    public init(
        manifest: ModelManifest, directory: String, input: ModelInput? = nil
    ) throws(DetectionError) {
        self.manifest = manifest
        labels = try manifest.labels(in: directory)
        switch manifest.runtime {
        case .opencvDarknet, .onnxruntime, .onnxruntimeInt8:  // OpenCV runs the Darknet files ONNX Runtime models list too
            let config = try manifest.contents(manifest.files.config!, role: "config", in: directory)
            var (weightsPath, weights) = try manifest.contents(manifest.files.weights, role: "weights", in: directory)
            network = try DNNNetwork(
                darknetConfig: config.bytes, weights: &weights, configPath: config.path, weightsPath: weightsPath,
                model: manifest.name)
        case .opencvONNX:
            let weightsPath = try manifest.verify(manifest.files.weights, role: "weights", in: directory)
            network = try DNNNetwork(onnx: weightsPath, model: manifest.name)
        }
        self.input = input ?? manifest.input
        decoder = DarknetRegionDecoder(manifest: manifest, labels: labels)
    }

    public func detect(tensor: Tensor, letterbox: Letterbox) throws -> DetectionResult {
        let t0 = Timestamp.now()
        let outputs = try network.forward(tensor)
        let t1 = Timestamp.now()
        let detections = try decoder.detections(outputs, letterbox: letterbox)
        let t2 = Timestamp.now()
        return DetectionResult(
            detections: detections, letterbox: letterbox, preprocess: nil,
            timings: DetectionTimings(preprocess: 0, inference: t1.seconds(since: t0), decode: t2.seconds(since: t1)))
    }
}
