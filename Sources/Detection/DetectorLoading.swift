public import Imaging

/// The runtimes a model can run on, as `--runtime` and scene configurations name them.
///
/// int8 is a runtime of its own, on a file of its own: `onnxruntime-int8` runs the manifest's
/// `files.onnxInt8` (the static int8 quantisation of `files.onnx`, scripts/onnx/quantize.py)
/// and only when asked for by that name, by the manifest's `runtime` or by the caller; asking for
/// `onnxruntime` always runs the float file.
public enum DetectorRuntime: String, CaseIterable, Sendable, Codable {
    /// OpenCV DNN: the Darknet files (or the ONNX file of an `opencv-onnx` manifest).
    case opencv
    /// ONNX Runtime on `files.onnx`, the float network.
    case onnxruntime
    /// ONNX Runtime on `files.onnxInt8`, its int8 quantisation.
    case onnxruntimeInt8 = "onnxruntime-int8"
}

extension ModelManifest.Runtime {
    /// The runtime a manifest asks for.
    public var detectorRuntime: DetectorRuntime {
        switch self {
        case .opencvDarknet, .opencvONNX: .opencv
        case .onnxruntime: .onnxruntime
        case .onnxruntimeInt8: .onnxruntimeInt8
        }
    }
}

/// How ``ModelStore/detector(_:options:notice:)`` loads a model.
public struct DetectorOptions: Sendable, Equatable {
    /// The runtime. Nil: the manifest's, and when that is ONNX Runtime and the library is not
    /// installed, OpenCV DNN on the Darknet files instead (with a notice). A runtime named here
    /// is used or fails, with an error that says how to install it.
    public var runtime: DetectorRuntime?
    /// Threads of one inference: ONNX Runtime's per session, OpenCV's for the whole process.
    public var threads: Int
    /// ONNX Runtime's graph optimisation level.
    public var optimization: ONNXSession.Options.Optimization
    /// ONNX Runtime's CPU memory arena (buffers kept from run to run).
    public var memoryArena: Bool
    /// Thresholds instead of the manifest's.
    public var scoreThreshold: Float?
    public var nmsThreshold: Float?
    /// How frames are fitted instead of the manifest's input (e.g. stretch for letterbox).
    public var input: ModelInput?
    /// The ONNX Runtime library to open; nil: ``ONNXRuntime/libraryVariable``, else
    /// `libonnxruntime.so.1`.
    public var onnxRuntimeLibrary: String?

    public init(
        runtime: DetectorRuntime? = nil, threads: Int = 1, optimization: ONNXSession.Options.Optimization = .all,
        memoryArena: Bool = true, scoreThreshold: Float? = nil, nmsThreshold: Float? = nil, input: ModelInput? = nil,
        onnxRuntimeLibrary: String? = nil
    ) {
        (self.runtime, self.threads, self.optimization, self.memoryArena) = (runtime, threads, optimization, memoryArena)
        (self.scoreThreshold, self.nmsThreshold, self.input) = (scoreThreshold, nmsThreshold, input)
        self.onnxRuntimeLibrary = onnxRuntimeLibrary
    }
}

extension ModelStore {
    /// Loads model `name` on the runtime `options` or its manifest chooses, every file verified
    /// against the manifest first. When the manifest's choice is ONNX Runtime and the library is
    /// not installed, the model runs on OpenCV DNN and `notice` gets one line saying so and how
    /// to install ONNX Runtime (the same line for every model, so a caller can say it once).
    public func detector(
        _ name: String, options: DetectorOptions = DetectorOptions(), notice: (String) -> Void = { _ in }
    ) throws(DetectionError) -> any ObjectDetector {
        let manifest = try manifest(name)
        let directory = self.directory + "/" + name
        var runtime = options.runtime ?? manifest.runtime.detectorRuntime
        if runtime != .opencv {
            do { _ = try ONNXRuntime.open(library: options.onnxRuntimeLibrary, model: name) } catch {
                guard options.runtime == nil, case let .runtime(_, detail) = error else { throw error }
                notice("notice: OpenCV DNN runs the models: \(detail)")
                runtime = .opencv
            }
        }
        switch runtime {
        case .opencv:
            let detector = try OpenCVDetector(manifest: manifest, directory: directory, input: options.input)
            DNNNetwork.threads = options.threads
            if let score = options.scoreThreshold { detector.scoreThreshold = score }
            if let nms = options.nmsThreshold { detector.nmsThreshold = nms }
            return detector
        case .onnxruntime, .onnxruntimeInt8:
            let session = ONNXSession.Options(
                threads: options.threads, optimization: options.optimization, memoryArena: options.memoryArena)
            let detector = try ONNXRuntimeDetector(
                manifest: manifest, directory: directory, precision: runtime == .onnxruntimeInt8 ? .int8 : .float, options: session,
                input: options.input, library: options.onnxRuntimeLibrary)
            if let score = options.scoreThreshold { detector.decoder.scoreThreshold = score }
            if let nms = options.nmsThreshold { detector.decoder.nmsThreshold = nms }
            return detector
        }
    }
}
