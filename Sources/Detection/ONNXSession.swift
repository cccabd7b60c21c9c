internal import CONNXRuntime
public import Foundation
public import Imaging
public import SightlineCore

/// ONNX Runtime, opened at run time (`Sources/CONNXRuntime`): the library is looked up when a
/// session is first made, so a machine without it still runs OpenCV's runtime and only a
/// request for this one fails, with an error that says how to install it.
public enum ONNXRuntime {
    /// The environment variable naming the library file to open instead of
    /// `libonnxruntime.so.1` (found as the dynamic loader finds any library).
    public static let libraryVariable = "SIGHTLINE_ONNXRUNTIME_LIBRARY"

    /// How to install the library, for error messages.
    public static let installHint =
        "install it with scripts/setup (it puts ONNX Runtime's libonnxruntime.so.1 in /usr/local/lib), or name the library file in \(libraryVariable)"

    /// The opened library: its version, and the C API version Sightline asked it for (the
    /// version of the header Sightline was built with; a newer library serves it).
    public struct Info: Sendable, Equatable {
        public var version: String
        public var apiVersion: Int
    }

    /// Opens `library` (a file name or path for dlopen; nil: ``libraryVariable`` if set, else
    /// `libonnxruntime.so.1`). The first library opened serves every session of the process;
    /// opening again is cheap. `model` names the model the error is about.
    public static func open(library: String? = nil, model: String = "onnxruntime") throws(DetectionError) -> Info {
        let name = library ?? ProcessInfo.processInfo.environment[libraryVariable].flatMap { $0.isEmpty ? nil : $0 }
        var err = [CChar](repeating: 0, count: 1024)
        let rc = sl_ort_open(name, &err, err.count)
        guard rc == Int32(SL_ORT_OK), let version = sl_ort_library_version() else {
            throw .runtime(model: model, detail: "ONNX Runtime is not available (\(message(err))); \(installHint)")
        }
        return Info(version: String(cString: version), apiVersion: Int(sl_ort_header_api_version()))
    }
}

/// A network loaded into ONNX Runtime (CPU), run on tensors Sightline prepared itself: the input
/// is bound to the ``Tensor``'s own memory (no copy), and outputs of fixed shape are written
/// into buffers the session keeps across runs.
///
/// Not thread-safe: one session per thread (ONNX Runtime parallelises inside a run; see
/// ``Options/threads``).
public final class ONNXSession {
    /// Session options.
    public struct Options: Sendable, Equatable {
        /// Graph optimisation levels (ONNX Runtime's).
        public enum Optimization: Int32, Sendable {
            case none = 0, basic = 1, extended = 2, all = 99
        }
        /// Threads of one inference; 0 lets ONNX Runtime choose (one per core).
        public var threads: Int
        public var optimization: Optimization
        /// ONNX Runtime's CPU memory arena: buffers reused from run to run. It is the
        /// environment's one arena, shared by the process's sessions and grown by what a run
        /// asks for, with ONNX Runtime's memory pattern off (docs/detection.md, "Memory").
        public var memoryArena: Bool
        /// Idle worker threads spin waiting for the next run (faster back to back, burns CPU
        /// that other stages of a live pipeline could use).
        public var allowSpinning: Bool

        public init(threads: Int = 1, optimization: Optimization = .all, memoryArena: Bool = true, allowSpinning: Bool = false) {
            self.threads = threads
            self.optimization = optimization
            self.memoryArena = memoryArena
            self.allowSpinning = allowSpinning
        }
    }

    /// An input or output as the model declares it.
    public struct Port: Sendable, Equatable {
        public var name: String
        /// ONNX element type (1 is float32).
        public var elementType: Int
        /// Sizes; -1 for a dimension the model leaves free.
        public var shape: [Int]
        public var isFloat: Bool { elementType == Int(SL_ORT_FLOAT) }
    }

    /// An output of the last run. Its data belongs to the session: valid until the next run or
    /// until the session goes (Swift may release a session after its last use, so a caller that
    /// only reads outputs keeps it alive, e.g. with `withExtendedLifetime`).
    public struct Output {
        public var name: String
        public var shape: [Int]
        public var data: UnsafeBufferPointer<Float>
    }

    private let handle: OpaquePointer
    public let model: String
    /// The file the network came from, as errors name it.
    public let source: String
    public let options: Options
    public let runtime: ONNXRuntime.Info
    public let inputs: [Port]
    public let outputs: [Port]
    /// The tensor memory and shape input 0 is bound to (bound again when either changes: the
    /// C boundary keeps one bound value per buffer, so going back to a buffer bound before
    /// allocates nothing).
    private var bound: (pointer: UnsafeMutablePointer<Float>, shape: [Int])?
    /// The outputs of every run when all of them are written into the session's own buffers
    /// (fixed shapes): the same array each time, so a warm run allocates nothing for them.
    private var fixedResults: [Output]?
    private var err = [CChar](repeating: 0, count: 1024)

    /// Loads the ONNX file at `path` (ONNX Runtime reads it itself); `source` names it in errors
    /// (nil: `path`).
    public convenience init(
        path: String, source: String? = nil, model: String, options: Options = Options(), library: String? = nil
    ) throws(DetectionError) {
        let runtime = try ONNXRuntime.open(library: library, model: model)
        var code: Int32 = 0
        var err = [CChar](repeating: 0, count: 1024)
        var o = options.c
        let h = sl_ort_session_create(path, &o, &code, &err, err.count)
        try self.init(handle: h, code: code, err: err, source: source ?? path, model: model, options: options, runtime: runtime)
    }

    /// Loads an ONNX model from its bytes (ONNX Runtime parses them during the call);
    /// `source` names the file they came from in errors.
    public convenience init(bytes: Data, source: String, model: String, options: Options = Options(), library: String? = nil)
        throws(DetectionError)
    {
        let runtime = try ONNXRuntime.open(library: library, model: model)
        var code: Int32 = 0
        var err = [CChar](repeating: 0, count: 1024)
        var o = options.c
        let h = bytes.withUnsafeBytes { b in
            sl_ort_session_create_from_bytes(b.baseAddress, b.count, &o, &code, &err, err.count)
        }
        try self.init(handle: h, code: code, err: err, source: source, model: model, options: options, runtime: runtime)
    }

    private init(
        handle: OpaquePointer?, code: Int32, err: [CChar], source: String, model: String, options: Options, runtime: ONNXRuntime.Info
    ) throws(DetectionError) {
        guard let handle else {
            throw .runtime(model: model, detail: "ONNX Runtime could not load \(source): " + message(err))
        }
        func ports(
            _ count: Int32, _ name: (Int32) -> UnsafePointer<CChar>?, _ type: (Int32) -> Int32,
            _ shape: (Int32, UnsafeMutablePointer<Int64>) -> Int32
        )
            -> [Port]
        {
            (0..<max(0, count)).map { i in
                var dims = [Int64](repeating: 0, count: Int(SL_ORT_MAX_RANK))
                let rank = Int(shape(i, &dims))
                return Port(
                    name: name(i).map { String(cString: $0) } ?? "#\(i)", elementType: Int(type(i)),
                    shape: dims.prefix(max(0, min(rank, dims.count))).map { Int($0) })
            }
        }
        self.handle = handle
        self.model = model
        self.source = source
        self.options = options
        self.runtime = runtime
        inputs = ports(
            sl_ort_input_count(handle), { sl_ort_input_name(handle, $0) }, { sl_ort_input_type(handle, $0) },
            { sl_ort_input_shape(handle, $0, $1, Int32(SL_ORT_MAX_RANK)) })
        outputs = ports(
            sl_ort_output_count(handle), { sl_ort_output_name(handle, $0) }, { sl_ort_output_type(handle, $0) },
            { sl_ort_output_shape(handle, $0, $1, Int32(SL_ORT_MAX_RANK)) })
    }

    deinit { sl_ort_session_free(handle) }

    /// Runs the network with its only input bound to `tensor`'s memory (bound again only when
    /// the tensor's memory or shape changed since the last run) and returns its outputs.
    public func run(_ tensor: Tensor) throws(DetectionError) -> [Output] {
        guard inputs.count == 1 else {
            throw .runtime(model: model, detail: "\(source) has \(inputs.count) inputs; Sightline feeds one tensor")
        }
        if bound?.pointer != tensor.pointer || bound?.shape != tensor.shape {
            bound = nil
            let rank = tensor.shape.count
            // The shape on the stack: a live pipeline rotating pooled tensors binds every frame.
            let rc = withUnsafeTemporaryAllocation(of: Int64.self, capacity: max(1, rank)) { dims in
                for (i, d) in tensor.shape.enumerated() { dims[i] = Int64(d) }
                return sl_ort_bind_input(handle, 0, tensor.pointer, dims.baseAddress, Int32(rank), &err, err.count)
            }
            guard rc == Int32(SL_ORT_OK) else {
                throw .runtime(model: model, detail: "\(source): cannot bind the input tensor \(tensor.shape): " + message(err))
            }
            bound = (tensor.pointer, tensor.shape)
        }
        guard sl_ort_run(handle, &err, err.count) == Int32(SL_ORT_OK) else {
            throw .runtime(model: model, detail: "\(source): inference on a \(tensor.shape) tensor failed: " + message(err))
        }
        if let fixedResults { return fixedResults }
        var results: [Output] = []
        results.reserveCapacity(outputs.count)
        for (i, port) in outputs.enumerated() {
            var dims = [Int64](repeating: 0, count: Int(SL_ORT_MAX_RANK))
            let rank = Int(sl_ort_result_shape(handle, Int32(i), &dims, Int32(SL_ORT_MAX_RANK)))
            guard rank >= 0, rank <= dims.count, let data = sl_ort_result_data(handle, Int32(i)) else {
                throw .runtime(model: model, detail: "\(source): output '\(port.name)' is not a float tensor")
            }
            let shape = dims.prefix(rank).map { Int($0) }
            results.append(Output(name: port.name, shape: shape, data: UnsafeBufferPointer(start: data, count: shape.reduce(1, *))))
        }
        if outputs.indices.allSatisfy({ sl_ort_output_preallocated(handle, Int32($0)) == 1 }) { fixedResults = results }
        return results
    }

    /// How many bound values the C boundary has made for the input over the session's life: one
    /// per tensor buffer run on (up to four kept), not one per run.
    public var inputValuesCreated: Int { Int(sl_ort_input_values_created(handle, 0)) }
}

extension ONNXSession.Options {
    fileprivate var c: sl_ort_options {
        sl_ort_options(
            intra_op_threads: Int32(clamping: threads), optimization_level: optimization.rawValue, memory_arena: memoryArena ? 1 : 0,
            allow_spinning: allowSpinning ? 1 : 0)
    }
}

extension ONNXSession {
    /// Which of a manifest's ONNX files to load.
    public enum Precision: String, Sendable {
        /// `files.onnx`: the exported float network.
        case float
        /// `files.onnxInt8`: its static int8 quantisation (scripts/onnx/quantize.py).
        case int8
    }

    /// Loads `manifest`'s ONNX file (`files.onnx`, or `files.onnxInt8` for `.int8`) from
    /// `directory`: its size and sha256 are checked against the manifest first (a truncated or
    /// altered file is refused by name), ONNX Runtime reads the descriptor that was checked,
    /// and the network must take the manifest's input and give what
    /// ``decodeDarknetRegion(_:classes:inputWidth:inputHeight:scoreThreshold:)`` reads for
    /// `classes` classes (``checkDarknetRegionLayout(input:classes:)``). `library`: as
    /// ``ONNXRuntime/open(library:model:)``.
    public convenience init(
        manifest: ModelManifest, directory: String, classes: Int, precision: Precision = .float, options: Options = Options(),
        library: String? = nil
    ) throws(DetectionError) {
        let (file, role) = precision == .float ? (manifest.files.onnx, "onnx") : (manifest.files.onnxInt8, "onnxInt8")
        guard let file else {
            throw .invalidManifest(
                path: directory + "/manifest.json", detail: "no files.\(role): model '\(manifest.name)' has no \(precision) ONNX file")
        }
        // ONNX Runtime reads the file through the descriptor that was checked: the bytes it
        // parses are the bytes hashed, and no copy of the whole file is held while it parses
        // (loading from bytes peaked 33 MB higher on the grocery network, docs/detection.md).
        let (path, handle) = try manifest.openVerified(file, role: role, in: directory)
        defer { try? handle.close() }
        try self.init(
            path: "/proc/self/fd/\(handle.fileDescriptor)", source: path, model: manifest.name, options: options, library: library)
        try checkDarknetRegionLayout(input: manifest.input, classes: classes)
    }

    /// Refuses a network Sightline cannot feed or decode, naming its file: one float input of
    /// fixed shape `[1, 3, input.height, input.width]`, and float outputs of shape
    /// `[rows, 5 + classes]` (the `darknet-region` layout, as OpenCV's YOLO layers give it).
    public func checkDarknetRegionLayout(input: ModelInput, classes: Int) throws(DetectionError) {
        let expected = [1, 3, input.height, input.width]
        guard inputs.count == 1, inputs[0].isFloat, inputs[0].shape == expected else {
            let found = inputs.map { "'\($0.name)' \($0.isFloat ? "float" : "type \($0.elementType)") \($0.shape)" }
            throw .runtime(
                model: model,
                detail:
                    "\(source): wrong input: the network takes \(found.joined(separator: ", ")); the manifest's input is one float \(expected) (-1: a free dimension)"
            )
        }
        guard !outputs.isEmpty else { throw .runtime(model: model, detail: "\(source): the network has no output") }
        for o in outputs where !(o.isFloat && o.shape.count == 2 && o.shape[0] > 0 && o.shape[1] == 5 + classes) {
            throw .runtime(
                model: model,
                detail:
                    "\(source): wrong output layout: '\(o.name)' is \(o.isFloat ? "float" : "type \(o.elementType)") \(o.shape); the darknet-region layout is float [rows, 5 + classes] = [rows, \(5 + classes)] for \(classes) labels"
            )
        }
    }
}
