internal import COpenCVLoader
public import Foundation
public import SightlineCore

/// A network loaded into OpenCV's DNN module (CPU), run on tensors Sightline prepared itself.
///
/// OpenCV is opened with the first network (COpenCVLoader): loading one fails with
/// ``DetectionError/runtime(model:detail:)`` saying how to build the bridge when it is missing.
///
/// Not thread-safe: one network per thread (OpenCV parallelises inside a forward pass; see
/// ``threads``).
public final class DNNNetwork {
    private let handle: OpaquePointer
    public let model: String
    /// Convolutions whose batch normalisation was folded into them before loading (Darknet).
    public let foldedLayers: Int

    /// A raw output blob of the last forward pass; valid until the next one.
    public struct Output {
        public var name: String
        public var shape: [Int]
        public var data: UnsafeBufferPointer<Float>
    }

    /// Loads a Darknet network from its `.cfg` text and `.weights` bytes (`configPath` and
    /// `weightsPath` name them in errors). Batch normalisation is folded into the convolutions
    /// first when the network allows it (``DarknetFolding``), in place in `weights` (whose
    /// contents are then no longer the file's), so OpenCV keeps one copy of the weights instead
    /// of two; ``foldedLayers`` says how many were folded. `foldBatchNorm: false` hands the
    /// files to OpenCV as they are (it then fuses them itself, keeping both copies).
    public init(
        darknetConfig config: Data, weights: inout Data, configPath: String, weightsPath: String, model: String,
        foldBatchNorm: Bool = true
    ) throws(DetectionError) {
        try Self.openRuntime(model: model)
        var err = [CChar](repeating: 0, count: 1024)
        var cfg = [UInt8](config)
        var count = weights.count
        if let problem = weights.withUnsafeBytes({ DarknetFolding.problem(config: cfg, weights: $0) }) {
            throw .runtime(model: model, detail: "\(configPath) with \(weightsPath): \(problem)")
        }
        if foldBatchNorm, let folded = weights.withUnsafeMutableBytes({ DarknetFolding.fold(config: cfg, weights: $0) }) {
            cfg = folded.config
            count = folded.weightsCount
            foldedLayers = folded.foldedLayers
        } else {
            foldedLayers = 0
        }
        let loaded = weights.withUnsafeBytes { w in
            sl_opencv_load_darknet_buffers(cfg, cfg.count, w.baseAddress, count, &err, err.count)
        }
        guard let h = loaded else {
            throw .runtime(model: model, detail: "OpenCV could not load \(configPath) with \(weightsPath): " + message(err))
        }
        handle = h
        self.model = model
    }

    /// Loads a fixed-shape ONNX file.
    public init(onnx path: String, model: String) throws(DetectionError) {
        try Self.openRuntime(model: model)
        var err = [CChar](repeating: 0, count: 1024)
        guard let h = sl_opencv_load_onnx(path, &err, err.count) else {
            throw .runtime(model: model, detail: "OpenCV could not load \(path): " + message(err))
        }
        handle = h
        self.model = model
        foldedLayers = 0
    }

    deinit { sl_opencv_free(handle) }

    /// Opens OpenCV (the first time): an error names the bridge library and how to build it.
    private static func openRuntime(model: String) throws(DetectionError) {
        var err = [CChar](repeating: 0, count: 2048)
        guard sl_opencv_open(&err, err.count) == 0 else { throw .runtime(model: model, detail: message(err)) }
    }

    /// OpenCV's worker-thread count, for the whole process; set values are clamped to
    /// 1...``maximumThreads``.
    public static var threads: Int {
        get { Int(sl_opencv_get_threads()) }
        set { sl_opencv_set_threads(Int32(min(max(newValue, 1), maximumThreads))) }
    }

    /// The most worker threads OpenCV is given. Far above the cores of any device Sightline
    /// runs on; OpenCV 4.6's pool crashes when asked for 100,000.
    public static let maximumThreads = 64

    /// Runs the network on an NCHW tensor and returns its output blobs.
    public func forward(_ tensor: Tensor) throws(DetectionError) -> [Output] {
        guard tensor.shape.count == 4 else {
            throw .runtime(model: model, detail: "input tensor must be NCHW, got shape \(tensor.shape)")
        }
        var err = [CChar](repeating: 0, count: 1024)
        let s = tensor.shape.map { Int32($0) }
        let count = sl_opencv_forward(handle, tensor.pointer, s[0], s[1], s[2], s[3], &err, err.count)
        guard count >= 0 else { throw .runtime(model: model, detail: "forward pass failed: " + message(err)) }
        var outputs: [Output] = []
        for i in 0..<count {
            var dims = [Int32](repeating: 0, count: 8)
            let rank = Int(sl_opencv_output_shape(handle, i, &dims, 8))
            let shape = dims.prefix(rank).map(Int.init)
            let n = shape.reduce(1, *)
            let data = UnsafeBufferPointer(start: sl_opencv_output_data(handle, i), count: n)
            let name = sl_opencv_output_name(handle, i).map { String(cString: $0) } ?? "output\(i)"
            outputs.append(Output(name: name, shape: shape, data: data))
        }
        return outputs
    }
}

/// The text of a NUL-terminated C message buffer (of either runtime's C boundary).
func message(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
