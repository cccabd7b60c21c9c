public import Detection
internal import Foundation
public import SightlineCore

/// A box the wearer drew or kept, in the photo's pixels.
public struct LabelledBox: Sendable, Equatable, Codable {
    public var label: String
    public var box: Rect

    public init(label: String, box: Rect) { (self.label, self.box) = (label, box) }
}

/// What the wearer decided about one photo.
public enum PhotoLabels: Sendable, Equatable {
    /// Boxes, at least one.
    case boxes([LabelledBox])
    /// The wearer said there is nothing to label in it (an empty label file).
    case nothingHere
}

/// The labelled folder in the YOLO layout `sightline eval` reads: `images/` (the labelled
/// photos), `labels/<base name>.txt` (`class cx cy w h`, normalised) and `classes.txt` (one
/// name a line, in index order).
///
/// Only photos the wearer decided on are in it: each has its image and its label file, which
/// is empty when the wearer said "nothing here". A photo without a decision is not written, so
/// the folder never holds a photo whose missing labels could be read as "no objects".
///
/// Every save leaves the folder consistent, whenever it stops:
/// - files are written whole or not at all (a temporary file, flushed, renamed into place);
/// - `classes.txt` only grows (names are appended, never reordered or removed), and is written
///   before the label files that use its new names, so every label line's class index is valid;
/// - the image is in `images/` before its label file, so no label file is without its image.
public final class LabelledFolder {
    /// The folder's path.
    public let path: String
    /// The class names of `classes.txt`, in index order.
    public private(set) var classes: [String]
    /// The decisions saved so far, by photo name.
    public private(set) var saved: [String: PhotoLabels] = [:]

    /// `path/images`.
    public var imagesFolder: String { path + "/images" }
    /// `path/labels`.
    public var labelsFolder: String { path + "/labels" }
    /// `path/classes.txt`.
    public var classesFile: String { path + "/classes.txt" }

    /// Opens the labelled folder at `path` (created on the first save if missing) for `photos`,
    /// reading what an earlier session saved. A `classes.txt` with a blank line inside, a name
    /// listed twice or no name at all, a label file that does not parse or whose class index is
    /// out of range, and a label file with no photo are refused, each naming the file (and line).
    public init(path: String, photos: [TeachPhoto]) throws(DetectionError) {
        self.path = path
        classes = []
        if FileManager.default.fileExists(atPath: classesFile) {
            classes = try Self.readClasses(classesFile)
        }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: labelsFolder) else { return }
        let byBase = Dictionary(photos.map { ($0.baseName, $0) }, uniquingKeysWith: { a, _ in a })
        let reader = classes.isEmpty ? nil : try YOLOLabels(folder: labelsFolder, classesFile: classesFile)
        for name in names.sorted() where name.hasSuffix(".txt") && !name.hasPrefix(".") {
            let file = labelsFolder + "/" + name
            guard let photo = byBase[(name as NSString).deletingPathExtension] else {
                throw .dataset(
                    path: file, detail: "has no photo (no \((name as NSString).deletingPathExtension).jpg in the photos or in images/)")
            }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw .dataset(path: file, detail: "cannot read the label file")
            }
            if text.allSatisfy(\.isWhitespace) {
                saved[photo.name] = .nothingHere
                continue
            }
            guard let reader else { throw .dataset(path: file, detail: "has labels but \(classesFile) is missing") }
            let boxes = try reader.boxes(forImage: photo.path, width: photo.width, height: photo.height)
            saved[photo.name] = .boxes(boxes.map { LabelledBox(label: $0.label, box: $0.box) })
        }
    }

    /// Reads a class list, refusing blank lines between names, names listed twice and an empty list.
    static func readClasses(_ file: String) throws(DetectionError) -> [String] {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
            throw .dataset(path: file, detail: "cannot read the class names")
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        guard !lines.isEmpty else { throw .dataset(path: file, detail: "no class names") }
        var seen: [String: Int] = [:]
        for (n, name) in lines.enumerated() {
            guard !name.isEmpty else {
                throw .dataset(path: "\(file):\(n + 1)", detail: "blank line: every line is a class name, its index the line number − 1")
            }
            if let first = seen[name] {
                throw .dataset(path: "\(file):\(n + 1)", detail: "class '\(name)' is listed twice (also line \(first + 1))")
            }
            seen[name] = n
        }
        return lines
    }

    /// Saves the wearer's decision on `photo`: its image into `images/` (a hard link to the
    /// photo when the file system allows, else a copy), new class names appended to
    /// `classes.txt`, and its label file. Boxes are clamped to the photo; a box outside it, or
    /// of no area, is refused naming the photo and the box.
    public func save(_ labels: PhotoLabels, for photo: TeachPhoto) throws -> PhotoLabels {
        let (lines, kept) = try labelLines(labels, photo: photo)
        try FileManager.default.createDirectory(atPath: imagesFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: labelsFolder, withIntermediateDirectories: true)
        let placed = try placeImage(photo)
        do { try FileIO.writeAtomically(labelsFolder + "/" + photo.baseName + ".txt", Array(lines.utf8)) } catch {
            if let placed { unlink(placed) }  // no image without its label file
            throw error
        }
        saved[photo.name] = kept
        return kept
    }

    /// The label file's text and the boxes it holds (clamped to the photo); appends (and writes)
    /// the class names it needs first.
    private func labelLines(_ labels: PhotoLabels, photo: TeachPhoto) throws -> (String, PhotoLabels) {
        guard case let .boxes(boxes) = labels else { return ("", .nothingHere) }
        guard !boxes.isEmpty else {
            throw DetectionError.dataset(
                path: photo.name, detail: "no boxes to save; say \"nothing here\" to save a photo with nothing to label")
        }
        let W = Float(photo.width), H = Float(photo.height)
        let clamped = try boxes.enumerated().map { k, b throws(DetectionError) in
            guard !b.label.isEmpty, !b.label.contains(where: \.isNewline), b.label.trimmingCharacters(in: .whitespaces) == b.label else {
                throw .dataset(path: photo.name, detail: "box \(k + 1): '\(b.label)' cannot be a class name (one line of classes.txt)")
            }
            let r = b.box
            let values = [r.x, r.y, r.width, r.height]
            let slack: Float = 0.5  // half a pixel of rounding from the page
            guard values.allSatisfy(\.isFinite), r.width > 0, r.height > 0, r.x > -slack, r.y > -slack, r.maxX < W + slack,
                r.maxY < H + slack
            else {
                throw .dataset(
                    path: photo.name,
                    detail: "box \(k + 1) (\(b.label)) at \(r) is not inside the \(photo.width)x\(photo.height) photo or has no area")
            }
            return LabelledBox(label: b.label, box: r.clamped(width: W, height: H))
        }
        let added = clamped.map(\.label).reduce(into: [String]()) { list, l in
            if !classes.contains(l) && !list.contains(l) { list.append(l) }
        }
        if !added.isEmpty {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileIO.writeAtomically(classesFile, Array((classes + added).map { $0 + "\n" }.joined().utf8))
            classes += added
        }
        let text = clamped.map { b in
            let r = b.box
            return String(
                format: "%d %.6f %.6f %.6f %.6f\n", classes.firstIndex(of: b.label)!, (r.x + r.width / 2) / W, (r.y + r.height / 2) / H,
                r.width / W, r.height / H)
        }.joined()
        return (text, .boxes(clamped))
    }

    /// Puts the photo into `images/` unless it is there already; returns the file it made.
    private func placeImage(_ photo: TeachPhoto) throws -> String? {
        let target = imagesFolder + "/" + photo.name
        let same = URL(fileURLWithPath: photo.path).standardizedFileURL.path == URL(fileURLWithPath: target).standardizedFileURL.path
        if same || FileManager.default.contentsEqual(atPath: photo.path, andPath: target) { return nil }
        let temp = target + ".tmp-\(getpid())"
        unlink(temp)
        if link(photo.path, temp) != 0 {  // another file system: copy
            let bytes = ImageBuffer()
            let count = try FileIO.read(photo.path, into: bytes)
            try FileIO.writeAtomically(target, UnsafeRawBufferPointer(start: bytes.pointer, count: count))
            return target
        }
        guard rename(temp, target) == 0 else {
            let error = FileError(path: target, operation: "rename into place", errno: errno)
            unlink(temp)
            throw error
        }
        return target
    }
}
