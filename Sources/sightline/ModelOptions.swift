import ArgumentParser
import Detection
import SightlineCore

/// Where the models are: `--models-dir`, shared by every command that loads a model.
struct ModelsFolderOption: ParsableArguments {
    @Option(help: "Folder holding the models (default: SIGHTLINE_MODELS, else the nearest Models/).")
    var modelsDir: String?

    var store: ModelStore { modelsDir.map(ModelStore.init(directory:)) ?? .locate() }
}

/// The options of the commands that run one model over images (`detect`, `eval`): which model,
/// where the models are, and how many threads OpenCV may use.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model name (a folder of Models/ with a manifest.json).")
    var model = "yolov3-tiny"

    @OptionGroup var folder: ModelsFolderOption

    @Option(help: "OpenCV worker threads for inference.")
    var threads = 1

    func validate() throws {
        if let p = outOfRange("--threads", threads, 1...DNNNetwork.maximumThreads) { throw ValidationError(p) }
    }

    var store: ModelStore { folder.store }

    /// Loads the model, verifying its files against the manifest, and sets OpenCV's threads.
    func makeDetector() throws(DetectionError) -> OpenCVDetector {
        let detector = try OpenCVDetector(model: model, store: store)
        DNNNetwork.threads = threads
        return detector
    }
}
