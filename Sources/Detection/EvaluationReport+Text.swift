import Foundation

extension EvaluationReport {
    /// The report as pretty-printed JSON with sorted keys: `model`, `folders`, `only` and `report`.
    public func json(model: String, folders: [String], only: String?) throws -> String {
        struct Output: Encodable {
            var model: String
            var folders: [String]
            var only: String?
            var report: EvaluationReport
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Output(model: model, folders: folders, only: only, report: self)), as: UTF8.self)
    }

    /// The report for people: the model, images and folders, mAP, then one line per class
    /// (ground truth, AP@.5, AP@.5:.95, precision and recall at the threshold), then the classes
    /// not scored and the labels detected with no ground truth.
    public func text(model: String, folders: [String], only: String?) -> String {
        let r = self
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
        let gt = r.classes.reduce(0) { $0 + $1.groundTruth }
        var lines = [
            "model \(model) on \(r.images) image(s) from \(folders.joined(separator: ", "))"
                + (only.map { " (only those in \($0))" } ?? ""),
            "mAP@0.5 \(f(r.map50))  mAP@0.5:0.95 \(f(r.map))  over \(r.classes.count) class(es) with ground truth the model can name (\(gt) boxes)",
            String(format: "precision and recall at score ≥ %.3g, IoU 0.5", r.scoreThreshold),
            "",
            "class            GT   AP@.5  AP@.5:.95  precision  recall  (TP/detections at threshold)",
        ]
        for c in r.classes {
            lines.append(
                "\(c.label.padding(toLength: 15, withPad: " ", startingAt: 0)) \(String(format: "%4d", c.groundTruth))   \(f(c.ap50))      \(f(c.ap))      \(f(c.precision))  \(f(c.recall))  (\(c.truePositivesAtThreshold)/\(c.detectionsAtThreshold))"
            )
        }
        if !r.unnameable.isEmpty {
            lines.append("")
            lines.append(
                "not scored, the model has no such label: " + r.unnameable.map { "\($0.label) (\($0.count) GT)" }.joined(separator: ", "))
        }
        if !r.detectedWithoutGroundTruth.isEmpty {
            lines.append(
                "detected with no ground truth of that label (false positives, not in any mean): "
                    + r.detectedWithoutGroundTruth.map { "\($0.label) ×\($0.count)" }.joined(separator: ", "))
        }
        return lines.joined(separator: "\n")
    }
}
