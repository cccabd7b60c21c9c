internal import Foundation
internal import SightlineCore

/// A labelled folder in the YOLO layout: `images/*.jpg`, `labels/<base name>.txt` (`class cx cy
/// w h`, normalised) and `classes.txt` (one name per line, in index order) in the folder or,
/// failing that, in its parent (a split such as `train/` beside a shared `classes.txt`).
///
/// Opening checks the layout: the folders exist, there is a class list, and every label file
/// has its image (a label without an image is an error naming it). An image without a label
/// file has no objects.
public struct YOLODataset: Sendable {
    public let folder: String
    public let labels: YOLOLabels
    public let classesFile: String
    /// Full paths of the images, in name order.
    public let images: [String]

    static let imageExtensions: Set<String> = ["jpg", "jpeg"]

    public init(folder: String) throws(DetectionError) {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw .dataset(path: folder, detail: "no such folder")
        }
        let imageDir = folder + "/images", labelDir = folder + "/labels"
        guard let imageNames = try? FileManager.default.contentsOfDirectory(atPath: imageDir) else {
            throw .dataset(path: folder, detail: "no images/ folder (expected images/*.jpg, labels/*.txt, classes.txt)")
        }
        guard let labelNames = try? FileManager.default.contentsOfDirectory(atPath: labelDir) else {
            throw .dataset(path: folder, detail: "no labels/ folder (expected images/*.jpg, labels/*.txt, classes.txt)")
        }
        let candidates = [folder + "/classes.txt", (folder as NSString).deletingLastPathComponent + "/classes.txt"]
        guard let classesFile = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw .dataset(path: folder, detail: "no classes.txt in the folder or its parent")
        }
        self.folder = folder
        self.classesFile = classesFile
        labels = try YOLOLabels(folder: labelDir, classesFile: classesFile)
        let jpegs = imageNames.filter { Self.imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
        guard !jpegs.isEmpty else { throw .dataset(path: imageDir, detail: "no JPEG images") }
        images = jpegs.map { imageDir + "/" + $0 }
        let bases = Set(jpegs.map { ($0 as NSString).deletingPathExtension })
        for name in labelNames.sorted() where name.hasSuffix(".txt") && !bases.contains((name as NSString).deletingPathExtension) {
            throw .dataset(path: labelDir + "/" + name, detail: "has no image in \(imageDir)")
        }
    }

    /// The ground truth of the image at `path` (`width`x`height` pixels), class names mapped
    /// through `taxonomy`.
    public func groundTruth(forImage path: String, width: Int, height: Int, taxonomy: LabelTaxonomy) throws(DetectionError)
        -> [GroundTruthBox]
    {
        try labels.boxes(forImage: path, width: width, height: height).map {
            GroundTruthBox(label: taxonomy.canonical($0.label), box: $0.box)
        }
    }
}

/// A list of image file names to keep (`--only`): one name a line, `#` comments and blank
/// lines ignored; a name matches an image by file name, or by base name without extension.
public struct ImageSelection: Sendable {
    public let names: Set<String>

    public init(names: Set<String>) { self.names = names }

    public static func load(path: String) throws(DetectionError) -> ImageSelection {
        guard let bytes = try? FileIO.readBytes(path, limit: 64 << 20), let text = String(data: Data(bytes), encoding: .utf8) else {
            throw .dataset(path: path, detail: "cannot read the image list (it must be a regular UTF-8 text file)")
        }
        let names = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !names.isEmpty else { throw .dataset(path: path, detail: "lists no image") }
        return ImageSelection(names: Set(names))
    }

    public func contains(_ imagePath: String) -> Bool {
        let name = (imagePath as NSString).lastPathComponent
        return names.contains(name) || names.contains((name as NSString).deletingPathExtension)
    }
}

/// Runs a detector over labelled folders through its own path (decode, preprocessing, model,
/// decoding, NMS: one ``FrameDetector``) and pairs each image's detections with its
/// ground truth, both mapped through `taxonomy`, ready for ``DetectionMetrics``.
///
/// `progress` is told each image as it is done. Any unreadable image or label line stops the
/// run with an error naming it.
public func evaluatedImages(
    detector: any ObjectDetector, datasets: [YOLODataset], taxonomy: LabelTaxonomy, only: ImageSelection? = nil,
    progress: (String, Int, Int) -> Void = { _, _, _ in }
) throws -> [EvaluatedImage] {
    let paths = datasets.flatMap { d in d.images.filter { only?.contains($0) ?? true }.map { (d, $0) } }
    var result: [EvaluatedImage] = []
    let stage = FrameDetector(detector)
    for (k, (dataset, path)) in paths.enumerated() {
        let frame = try FileIO.readJPEGFrame(path)
        let detected = try stage.detect(frame)
        let w = detected.letterbox.sourceWidth, h = detected.letterbox.sourceHeight
        var detections = detected.detections
        for i in detections.indices { detections[i].label = taxonomy.canonical(detections[i].label) }
        result.append(
            EvaluatedImage(
                name: path, groundTruth: try dataset.groundTruth(forImage: path, width: w, height: h, taxonomy: taxonomy),
                detections: detections))
        progress(path, k + 1, paths.count)
    }
    return result
}

/// What `sightline eval` scores: ``evaluatedImages(detector:datasets:taxonomy:only:progress:)``
/// (a detector that keeps boxes down to the AP floor: COCO's AP needs them), then
/// ``DetectionMetrics/evaluate(_:modelLabels:only:scoreThreshold:)`` with precision and recall
/// at `scoreThreshold`. Nil when `only` leaves no image to score.
public func evaluateDetector(
    _ detector: any ObjectDetector, datasets: [YOLODataset], taxonomy: LabelTaxonomy, only: ImageSelection?, classes: Set<String>?,
    scoreThreshold: Float, progress: (String, Int, Int) -> Void = { _, _, _ in }
) throws -> EvaluationReport? {
    let images = try evaluatedImages(detector: detector, datasets: datasets, taxonomy: taxonomy, only: only, progress: progress)
    guard !images.isEmpty else { return nil }
    return DetectionMetrics.evaluate(
        images, modelLabels: Set(detector.labels.map(taxonomy.canonical)), only: classes, scoreThreshold: scoreThreshold)
}

extension ImageSelection {
    /// The labels of a comma-separated list (`--classes`), trimmed, empty entries dropped.
    public static func labels(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
