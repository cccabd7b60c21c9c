import ArgumentParser
import Detection

/// The options of the commands that run one model over images (`detect`, `eval`): which model,
/// where the models are, and how many threads OpenCV may use.
struct ModelOptions: ParsableArguments {
    @Option(help: "Model name (a folder of Models/ with a manifest.json).")
    var model = "yolov3-tiny"

    @Option(help: "Folder holding the models (default: SIGHTLINE_MODELS, else the nearest Models/).")
    var modelsDir: String?

    @Option(help: "OpenCV worker threads for inference.")
    var threads = 1

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    var store: ModelStore { modelsDir.map(ModelStore.init(directory:)) ?? .locate() }

    /// Loads the model, verifying its files against the manifest, and sets OpenCV's threads.
    func makeDetector() throws(DetectionError) -> OpenCVDetector {
        let detector = try OpenCVDetector(model: model, store: store)
        DNNNetwork.threads = threads
        return detector
    }
}
