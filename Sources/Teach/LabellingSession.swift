public import Detection
internal import Foundation
public import SightlineCore

/// Where a photo stands.
public enum PhotoStatus: String, Sendable, Codable {
    /// Not decided yet: the page shows the model's proposals.
    case new
    /// Saved with boxes.
    case labelled
    /// Saved as "nothing here".
    case nothingHere = "nothing-here"
}

/// A photo as the page shows it: its boxes (the saved ones, else the model's proposals).
public struct PhotoView: Sendable, Equatable {
    public var index: Int
    public var photo: TeachPhoto
    public var status: PhotoStatus
    /// The saved boxes, or the proposals of a new photo.
    public var boxes: [LabelledBox]
    /// The proposals' scores (empty for saved boxes).
    public var scores: [Float]
    /// Why there are no proposals, when the model could not run.
    public var proposalError: String?
}

/// One labelling session: the photos, the labelled folder they are saved into, the class names
/// on offer and the model's proposals. The server's handlers call it concurrently; the actor
/// keeps one save at a time.
///
/// The class names on offer are the taxonomy's (in its order), then the labelled folder's, the
/// model's and those the wearer added, each once. A name the wearer adds is normalised
/// (trimmed, lower case, spaces to `_`) and refused when it is empty, has other characters than
/// letters, digits, `_` and `-`, or is already on offer, also under an alias of the taxonomy
/// (`egg` is `eggs`).
public actor LabellingSession {
    /// The photos, in name order; their index is their place here.
    public nonisolated let photos: [TeachPhoto]
    /// The folder of recorded frames.
    public nonisolated let photosFolder: String
    /// The model's name, or nil without proposals.
    public nonisolated let modelName: String?
    private let folder: LabelledFolder
    private let taxonomy: LabelTaxonomy
    private let proposals: ProposalSource?
    private var added: [String] = []

    /// What the session starts with, for people: the photos, how many are saved, the model.
    public nonisolated let startLine: String

    /// Opens the photos of `photosFolder` and the labelled folder `output` (nil: the photos
    /// folder itself, which then gains `images/`, `labels/` and `classes.txt`). Bad input is
    /// refused here, before any page is served: see ``PhotoFolder`` and ``LabelledFolder``.
    public init(
        photosFolder: String, output: String? = nil, taxonomy: LabelTaxonomy, proposals: ProposalSource?
    ) throws(DetectionError) {
        let (photos, folder) = try Self.read(photosFolder, output: output)
        self.init(photosFolder: photosFolder, photos: photos, folder: folder, taxonomy: taxonomy, proposals: proposals)
    }

    /// Opens the session as ``init(photosFolder:output:taxonomy:proposals:)`` does, with the
    /// taxonomy (`taxonomy`, else `grocery-taxonomy.json` of `store` if there is one) and the
    /// model `model` (nil: no proposals) of `store`, loaded once the photos are known to be good.
    public static func open(
        photos photosFolder: String, output: String? = nil, model: String?, store: ModelStore, taxonomy: String? = nil
    ) throws(DetectionError) -> LabellingSession {
        let (photos, folder) = try read(photosFolder, output: output)
        let labels = try LabelTaxonomy.load(path: taxonomy, store: store)
        let proposals = try model.map { name throws(DetectionError) in
            ProposalSource(detector: try OpenCVDetector(model: name, store: store), taxonomy: labels)
        }
        return LabellingSession(photosFolder: photosFolder, photos: photos, folder: folder, taxonomy: labels, proposals: proposals)
    }

    private static func read(_ photosFolder: String, output: String?) throws(DetectionError) -> ([TeachPhoto], LabelledFolder) {
        let output = output ?? photosFolder
        let photos = try PhotoFolder.photos(in: photosFolder, imagesFolder: output + "/images")
        return (photos, try LabelledFolder(path: output, photos: photos))
    }

    private init(
        photosFolder: String, photos: [TeachPhoto], folder: sending LabelledFolder, taxonomy: LabelTaxonomy, proposals: ProposalSource?
    ) {
        self.photos = photos
        self.photosFolder = photosFolder
        self.folder = folder
        self.taxonomy = taxonomy
        self.proposals = proposals
        modelName = proposals?.modelName
        let saved = folder.saved.count
        startLine =
            "Labelling \(photos.count) photo\(photos.count == 1 ? "" : "s") of \(photosFolder) (\(saved) saved) into \(folder.path), "
            + (proposals.map { "proposals from \($0.modelName)" } ?? "no proposals")
    }

    /// The labelled folder's path.
    public var outputFolder: String { folder.path }

    /// The class names on offer, each once.
    public var classes: [String] {
        var seen = Set<String>()
        return (taxonomy.classes + folder.classes + (proposals?.labels ?? []) + added).filter { seen.insert($0).inserted }
    }

    /// Each photo's status, in photo order.
    public var statuses: [PhotoStatus] { photos.map { status(of: $0) } }

    private func status(of photo: TeachPhoto) -> PhotoStatus {
        switch folder.saved[photo.name] {
        case .none: .new
        case .boxes: .labelled
        case .nothingHere: .nothingHere
        }
    }

    /// The photo at `index` with its saved boxes, or the model's proposals if it is new.
    public func view(_ index: Int) async throws(DetectionError) -> PhotoView {
        let photo = try self.photo(index)
        var view = PhotoView(index: index, photo: photo, status: status(of: photo), boxes: [], scores: [], proposalError: nil)
        switch folder.saved[photo.name] {
        case let .boxes(boxes): view.boxes = boxes
        case .nothingHere: break
        case .none:
            guard let proposals else { break }
            switch await proposals.proposals(for: photo) {
            case let .success(found):
                view.boxes = found.map(\.box)
                view.scores = found.map(\.score)
            case let .failure(error): view.proposalError = error.description
            }
        }
        return view
    }

    /// Adds a class name; returns it normalised.
    public func addClass(_ text: String) throws(DetectionError) -> String {
        let name = try Self.normalisedClassName(text, file: folder.classesFile)
        let offered = classes
        if offered.contains(name) {
            throw .dataset(path: folder.classesFile, detail: "class '\(name)' is already on the list")
        }
        let canonical = taxonomy.canonical(name)
        if canonical != name, offered.contains(canonical) {
            throw .dataset(
                path: folder.classesFile, detail: "class '\(name)' is already on the list as '\(canonical)' (the taxonomy's name for it)")
        }
        added.append(name)
        return name
    }

    /// `text` as a class name: trimmed, lower case, inner spaces as `_`.
    static func normalisedClassName(_ text: String, file: String) throws(DetectionError) -> String {
        let words = text.lowercased().split(whereSeparator: \.isWhitespace)
        let name = words.joined(separator: "_")
        guard !name.isEmpty else { throw .dataset(path: file, detail: "a class name cannot be empty") }
        guard name.count <= 64 else { throw .dataset(path: file, detail: "class name '\(name)' is longer than 64 characters") }
        guard name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }) else {
            throw .dataset(path: file, detail: "class name '\(name)' may hold only letters, digits, '_' and '-'")
        }
        return name
    }

    /// Saves the wearer's boxes for the photo at `index`, or "nothing here" (then `boxes` must be
    /// empty). A label not on offer, no boxes without "nothing here", and boxes outside the photo
    /// are refused, naming the photo; a failed write is an error and leaves the saved files as
    /// they were.
    public func save(_ index: Int, boxes: [LabelledBox], nothingHere: Bool) async throws -> PhotoView {
        let photo = try self.photo(index)
        if nothingHere {
            guard boxes.isEmpty else {
                throw DetectionError.dataset(
                    path: photo.name, detail: "\"nothing here\" with \(boxes.count) box\(boxes.count == 1 ? "" : "es"); delete them first")
            }
            _ = try folder.save(.nothingHere, for: photo)
        } else {
            let offered = Set(classes)
            let named = boxes.map { LabelledBox(label: taxonomy.canonical($0.label), box: $0.box) }
            for (k, b) in named.enumerated() where !offered.contains(b.label) {
                throw DetectionError.dataset(
                    path: photo.name, detail: "box \(k + 1): unknown class '\(b.label)'; add it as a new class first")
            }
            _ = try folder.save(.boxes(named), for: photo)
        }
        return try await view(index)
    }

    private func photo(_ index: Int) throws(DetectionError) -> TeachPhoto {
        guard photos.indices.contains(index) else {
            throw .dataset(path: photosFolder, detail: "no photo \(index) (there are \(photos.count), 0…\(photos.count - 1))")
        }
        return photos[index]
    }
}
