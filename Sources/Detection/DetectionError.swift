/// Why a model could not be loaded or run. Each case names the model, file or field.
public enum DetectionError: Error, Equatable, CustomStringConvertible {
    /// No manifest for `model` in `directory`.
    case modelNotFound(model: String, directory: String, available: [String])
    /// A manifest that is not valid JSON, misses a field, or names one Sightline does not know.
    case invalidManifest(path: String, detail: String)
    /// A model file named by the manifest is not there.
    case missingFile(model: String, role: String, path: String, fetch: String)
    /// A model file is there but is not the file the manifest names (size or sha256 differ).
    case corruptFile(model: String, role: String, path: String, detail: String, fetch: String)
    /// The runtime refused the model (a config that does not parse, a label list that does not
    /// match the outputs …).
    case runtime(model: String, detail: String)
    /// A labelled data set (YOLO folder, class list, label line, taxonomy) that cannot be read
    /// as it is: `path` names the file or folder, with `:line` for a label line.
    case dataset(path: String, detail: String)

    public var description: String {
        switch self {
        case let .modelNotFound(model, directory, available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "model '\(model)' not found in \(directory) (available: \(list))"
        case let .invalidManifest(path, detail):
            return "\(path): invalid model manifest: \(detail)"
        case let .missingFile(model, role, path, fetch):
            return "model '\(model)': \(role) file \(path) is missing; install it with: \(fetch)"
        case let .corruptFile(model, role, path, detail, fetch):
            return "model '\(model)': \(role) file \(path) is damaged (\(detail)); reinstall it with: \(fetch)"
        case let .runtime(model, detail):
            return "model '\(model)': \(detail)"
        case let .dataset(path, detail):
            return "\(path): \(detail)"
        }
    }
}
