import ArgumentParser
import Detection
import SightlineCore

/// Where the models are: `--models-dir`, shared by every command that loads a model.
struct ModelsFolderOption: ParsableArguments {
    @Option(help: "Folder holding the models (default: SIGHTLINE_MODELS, else the nearest Models/).")
    var modelsDir: String?

    var store: ModelStore { modelsDir.map(ModelStore.init(directory:)) ?? .locate() }
}

extension DetectorRuntime: ExpressibleByArgument {}

/// What runs the models, and with how many threads: shared by every command that runs one.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "What runs the models (default: the manifest's; opencv where ONNX Runtime is not installed).")
    var runtime: DetectorRuntime?
    @Option(help: "Threads of one inference.")
    var threads = 1
    func validate() throws {
        if let p = outOfRange("--threads", threads, 1...DNNNetwork.maximumThreads) { throw ValidationError(p) }
    }
}

/// The options of the commands that run one model over images (`detect`, `eval`).
struct ModelOptions: ParsableArguments {
    @Option(help: "Model name (a folder of Models/ with a manifest.json).")
    var model = "yolov3-tiny"

    @OptionGroup var folder: ModelsFolderOption
    @OptionGroup var runtime: RuntimeOptions

    var store: ModelStore { folder.store }

    /// Loads the model on its runtime (files checked; a fallback noted on stderr); an error exits with 2.
    func makeDetector(score: Float? = nil, nms: Float? = nil) throws -> any ObjectDetector {
        let options = DetectorOptions(runtime: runtime.runtime, threads: runtime.threads, scoreThreshold: score, nmsThreshold: nms)
        do { return try store.detector(model, options: options, notice: warn) } catch { throw fail(error, 2) }
    }
}
