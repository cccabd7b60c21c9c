internal import Foundation
public import Imaging
public import SightlineCore

/// The default detector: a model from `Models/` run by OpenCV's DNN module on Sightline's own
/// preprocessing, with Sightline's own output decoding and class-wise NMS.
public final class OpenCVDetector: ObjectDetector {
    public let manifest: ModelManifest
    public let labels: [String]
    /// The input the model takes: the manifest's, or the one given when loading.
    public let input: ModelInput
    public let network: DNNNetwork
    /// Defaults from the manifest; change them per run if needed.
    public var scoreThreshold: Float
    public var nmsThreshold: Float

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
        let labelsFile = try manifest.contents(manifest.files.labels, role: "labels", in: directory)
        guard let text = String(data: labelsFile.bytes, encoding: .utf8) else {
            throw .runtime(model: manifest.name, detail: "cannot read labels \(labelsFile.path)")
        }
        labels = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
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
        scoreThreshold = manifest.thresholds.score
        nmsThreshold = manifest.thresholds.nms
    }

    public func detect(tensor: Tensor, letterbox: Letterbox) throws -> DetectionResult {
        let t0 = Timestamp.now()
        let outputs = try network.forward(tensor)
        let t1 = Timestamp.now()
        for o in outputs where (o.shape.last ?? 0) != 5 + labels.count {
            throw DetectionError.runtime(
                model: manifest.name,
                detail: "output \(o.name) has rows of \(o.shape.last ?? 0) values; \(labels.count) labels need \(5 + labels.count)")
        }
        let candidates = decodeDarknetRegion(
            outputs.map { ($0.shape, $0.data) }, classes: labels.count, inputWidth: letterbox.inputWidth,
            inputHeight: letterbox.inputHeight, scoreThreshold: scoreThreshold)
        let kept = nonMaximumSuppression(candidates, iouThreshold: nmsThreshold)
        let detections = kept.compactMap { c -> Detection? in
            let box = letterbox.toSource(c.box)
            guard box.area > 0 else { return nil }  // entirely in the padding
            return Detection(label: labels[c.classID], classID: c.classID, score: c.score, box: box, model: manifest.name)
        }
        let t2 = Timestamp.now()
        return DetectionResult(
            detections: detections, letterbox: letterbox, preprocess: nil,
            timings: DetectionTimings(preprocess: 0, inference: t1.seconds(since: t0), decode: t2.seconds(since: t1)))
    }
}
