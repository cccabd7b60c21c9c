public import Detection
internal import Dispatch
internal import SightlineCore

/// The current model's detections on a photo, offered to the wearer as boxes to accept, fix or
/// delete (food only: not the view class, ``LabelTaxonomy/viewClass``). The model runs on a thread of its own (inference blocks for a tenth of a second or
/// more, which must not hold up the server's cooperative threads), one photo at a time, and each
/// photo's proposals are kept once made.
public final class ProposalSource: @unchecked Sendable {
    /// The model's name, for the page.
    public let modelName: String
    /// The labels the model can report, after the taxonomy's aliases.
    public let labels: [String]
    // Touched only on `queue`: the detector and its preprocessing stage are not thread-safe.
    private let stage: FrameDetector
    private let taxonomy: LabelTaxonomy
    private let queue = DispatchQueue(label: "sightline.teach.proposals")
    private var cache: [String: Result<[Proposal], DetectionError>] = [:]

    /// Proposals from `detector`, their labels mapped through `taxonomy` (`egg` → `eggs`).
    public init(detector: sending any ObjectDetector, taxonomy: LabelTaxonomy) {
        modelName = detector.manifest.name
        labels = detector.labels.map(taxonomy.canonical).filter { $0 != LabelTaxonomy.viewClass }
        stage = FrameDetector(detector)
        self.taxonomy = taxonomy
    }

    /// The model's boxes on `photo` (with their scores), or why it could not run on it.
    public func proposals(for photo: TeachPhoto) async -> Result<[Proposal], DetectionError> {
        await withCheckedContinuation { continuation in
            queue.async { [self] in continuation.resume(returning: run(photo)) }
        }
    }

    /// A model's box and its score.
    public struct Proposal: Sendable, Equatable {
        public var box: LabelledBox
        public var score: Float
    }

    private func run(_ photo: TeachPhoto) -> Result<[Proposal], DetectionError> {
        if let known = cache[photo.path] { return known }
        let result: Result<[Proposal], DetectionError>
        do {
            let detections = try stage.detect(try FileIO.readJPEGFrame(photo.path)).detections
            // The view class's box covers most of a fridge photo: not food, and in the way of drawing.
            result = .success(
                detections.filter { taxonomy.canonical($0.label) != LabelTaxonomy.viewClass }
                    .map { Proposal(box: LabelledBox(label: taxonomy.canonical($0.label), box: $0.box), score: $0.score) })
        } catch {
            result = .failure(.dataset(path: photo.path, detail: "the model could not run on it: \(error)"))
        }
        cache[photo.path] = result
        return result
    }
}
