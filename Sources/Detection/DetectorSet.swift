internal import Foundation
public import Imaging
public import SightlineCore

/// Several models run on each frame as one detector: e.g. for a fridge scene the grocery model
/// for the food and the COCO model for the refrigerator itself. Each member may keep only some
/// of its labels (COCO calls groceries "donut"; its `refrigerator` is what helps). Detections
/// are merged in member order, each naming its model (``Detection/model``), so the reasoner's
/// evidence says which model saw what; same-label duplicates across models are left to the
/// consumer (the inventory step merges overlapping boxes of one label).
///
/// The frame is decoded and preprocessed once: every member must take the same input (size,
/// fit, channel order, normalisation) — checked when the set is made — and runs on the shared
/// tensor the preprocessing stage (``FrameDetector``) prepared. Not thread-safe, like its members.
public final class DetectorSet: ObjectDetector {
    public struct Member {
        public var detector: any ObjectDetector
        /// The labels kept from this model; nil keeps all.
        public var labels: Set<String>?

        public init(_ detector: any ObjectDetector, labels: Set<String>? = nil) {
            self.detector = detector
            self.labels = labels
        }
    }

    public let members: [Member]
    /// The labels the set can report: each member's kept labels, in member and class order.
    public let labels: [String]
    /// The input every member takes.
    public let input: ModelInput

    /// The first member's manifest (its input is the set's input).
    public var manifest: ModelManifest { members[0].detector.manifest }

    /// Fails when `members` is empty, a member's label filter names a label the model does not
    /// have, or the members do not share one input.
    public init(_ members: [Member]) throws(DetectionError) {
        guard let first = members.first else { throw .runtime(model: "detector set", detail: "needs at least one model") }
        let input = first.detector.input
        var labels: [String] = []
        for m in members {
            let name = m.detector.manifest.name
            if let keep = m.labels {
                let unknown = keep.subtracting(m.detector.labels).sorted()
                guard unknown.isEmpty else {
                    throw .runtime(model: name, detail: "has no label \(unknown.map { "'\($0)'" }.joined(separator: ", ")) to keep")
                }
            }
            let own = m.detector.input
            guard own == input else {
                throw .runtime(
                    model: name,
                    detail:
                        "takes a different input (\(own.width)x\(own.height), \(own.fit)) than '\(first.detector.manifest.name)' (\(input.width)x\(input.height), \(input.fit)); a detector set shares one input"
                )
            }
            labels += m.detector.labels.filter { m.labels?.contains($0) ?? true }
        }
        self.members = members
        self.labels = labels
        self.input = input
    }

    /// Runs every member on the tensor and merges what each keeps.
    public func detect(tensor: Tensor, letterbox: Letterbox) throws -> DetectionResult {
        var merged = DetectionResult(detections: [], letterbox: letterbox, preprocess: nil, timings: DetectionTimings())
        for m in members {
            let r = try m.detector.detect(tensor: tensor, letterbox: letterbox)
            merged.detections += r.detections.filter { m.labels?.contains($0.label) ?? true }
            merged.timings.inference += r.timings.inference
            merged.timings.decode += r.timings.decode
        }
        return merged
    }
}

extension DetectorSet.Member {
    /// Parses `NAME` or `NAME:label,label` (a model from `Models/` and the labels to keep).
    public static func parse(_ text: String) throws(DetectionError) -> (model: String, labels: Set<String>?) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard let name = parts.first, !name.isEmpty else { throw .runtime(model: text, detail: "expected NAME or NAME:label,label") }
        guard parts.count == 2 else { return (name, nil) }
        let labels = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !labels.isEmpty else { throw .runtime(model: name, detail: "no label after ':' (expected NAME:label,label)") }
        return (name, Set(labels))
    }
}
