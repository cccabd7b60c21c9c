import ArgumentParser
import Detection
import Foundation
import SightlineCore

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a detector model on labelled photos: mAP@0.5, mAP@0.5:0.95, per-class AP, precision, recall.",
        discussion: """
            Each DIR is a YOLO-format folder: images/*.jpg, labels/<name>.txt (class cx cy w h, normalised) and classes.txt (in \
            DIR or its parent). Every image goes through the same path as `sightline detect` (Sightline's decode and \
            preprocessing, the model, Sightline's decoding and NMS). Class names of the folders and of the model are mapped \
            through the taxonomy's aliases (egg → eggs, water → bottle; other names map to themselves).

            The computation is COCO's (pycocotools' COCOeval for boxes): per image and class, detections by falling score are \
            matched greedily to the unmatched ground-truth box with the highest IoU; AP is the mean of the interpolated \
            precision envelope at 101 recall points, at IoU 0.50 and averaged over 0.50:0.05:0.95. Detections are taken down to \
            --ap-score for AP, as COCO evaluation does; precision and recall are given at the model's own score threshold \
            (--score) and IoU 0.5.

            The means are over the classes that have ground truth and that the model can name. Ground-truth classes the model \
            has no label for are listed apart (it cannot find them); --classes restricts everything to a set of labels (e.g. the \
            classes two models share).
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "YOLO-format folders (images/, labels/, classes.txt).")
    var dirs: [String]

    @OptionGroup var models: ModelOptions

    @Option(help: "Label taxonomy with the alias map (default: grocery-taxonomy.json in the models folder).")
    var taxonomy: String?

    @Option(help: "Keep only the images this file lists (one file name a line, # comments).")
    var only: String?

    @Option(help: "Score only these labels (comma-separated, after alias mapping).")
    var classes: String?

    @Option(help: "Operating score threshold for precision and recall (default: the manifest's).")
    var score: Float?

    @Option(help: "Lowest score kept for AP.")
    var apScore: Float = 0.005

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if let score, !(0...1).contains(score) { throw ValidationError("--score must lie in [0, 1]") }
        guard (0...1).contains(apScore) else { throw ValidationError("--ap-score must lie in [0, 1]") }
        if let classes, ImageSelection.labels(classes).isEmpty { throw ValidationError("--classes needs at least one label") }
    }

    func run() throws {
        _ = global.bootstrapLogging()
        let store = models.store
        let threshold: Float
        let labelMap: LabelTaxonomy
        let datasets: [YOLODataset]
        let selection: ImageSelection?
        do {
            threshold = try score ?? store.manifest(models.model).thresholds.score
            labelMap = try LabelTaxonomy.load(path: taxonomy, store: store)
            datasets = try dirs.map { try YOLODataset(folder: $0) }
            selection = try only.map { try ImageSelection.load(path: $0) }
        } catch { throw fail(error, 2) }
        let detector = try models.makeDetector(score: min(apScore, threshold))
        let found: EvaluationReport?
        do {
            found = try evaluateDetector(
                detector, datasets: datasets, taxonomy: labelMap, only: selection, classes: classes.map { Set(ImageSelection.labels($0)) },
                scoreThreshold: threshold
            ) { path, k, n in if !json, global.verbose { FileHandle.standardError.write(Data("[\(k)/\(n)] \(path)\n".utf8)) } }
        } catch { throw fail(error) }
        guard let report = found else { throw fail("no image left to score (\(only ?? "") lists none of the folders' images)") }
        let (model, folders) = (models.model, dirs)
        print(json ? try report.json(model: model, folders: folders, only: only) : report.text(model: model, folders: folders, only: only))
    }
}
