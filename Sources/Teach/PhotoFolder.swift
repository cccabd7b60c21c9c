public import Detection
internal import Foundation
internal import Imaging
internal import SightlineCore

/// One recorded frame the wearer labels: a JPEG file, its name (unique in the folder) and its
/// size in pixels, read from its header.
public struct TeachPhoto: Sendable, Equatable {
    /// The file name (`frame-000012.jpg`); its base name names the label file.
    public var name: String
    /// Where the photo is read from.
    public var path: String
    public var width: Int
    public var height: Int

    /// The base name without the extension (`frame-000012`).
    public var baseName: String { (name as NSString).deletingPathExtension }
}

/// The photos to label: the JPEG files directly in a folder (a recording from `sightline
/// record`), together with those already copied into the labelled folder's `images/` (a
/// folder labelled before, or one already in the YOLO layout). A photo in both places is read
/// from the folder itself.
///
/// Every photo is checked when the folder is opened, so that bad input stops the server before
/// the wearer starts: its header is read and its whole entropy-coded data decoded (at 1/8
/// scale, which decodes every coefficient but computes few pixels), and an unreadable,
/// truncated or non-JPEG file is refused by name. So are two photos that would share a label
/// file (`a.jpg` and `a.jpeg`), and a folder with no photos at all.
public enum PhotoFolder {
    static let extensions: Set<String> = ["jpg", "jpeg"]

    /// The photos of `folder` and of `imagesFolder` (which may be missing), sorted by name.
    public static func photos(in folder: String, imagesFolder: String) throws(DetectionError) -> [TeachPhoto] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw .dataset(path: folder, detail: "no such folder")
        }
        guard isDirectory.boolValue else {
            throw .dataset(path: folder, detail: "not a folder (give the folder that holds the recorded JPEG frames)")
        }
        var sources: [String: String] = [:]
        for dir in [imagesFolder, folder] {
            for name in jpegNames(in: dir) { sources[name] = dir + "/" + name }
        }
        guard !sources.isEmpty else {
            throw .dataset(path: folder, detail: "no photos (no .jpg or .jpeg files in the folder or in its images/)")
        }
        var byBase: [String: String] = [:]
        for name in sources.keys.sorted() {
            let base = (name as NSString).deletingPathExtension
            if let other = byBase[base] {
                throw .dataset(path: folder, detail: "'\(other)' and '\(name)' would share the label file \(base).txt; rename one")
            }
            byBase[base] = name
        }
        let decoder = JPEGDecoder()
        let bytes = ImageBuffer()
        let pixels = ImageBuffer()
        return try sources.keys.sorted().map { name throws(DetectionError) in
            try check(name: name, path: sources[name]!, decoder: decoder, bytes: bytes, pixels: pixels)
        }
    }

    private static func jpegNames(in dir: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return extensions.contains((name as NSString).pathExtension.lowercased()) && !name.hasPrefix(".")
                && FileManager.default.fileExists(atPath: dir + "/" + name, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// Reads and decodes the photo at `path`; any failure names the file.
    private static func check(
        name: String, path: String, decoder: JPEGDecoder, bytes: ImageBuffer, pixels: ImageBuffer
    ) throws(DetectionError) -> TeachPhoto {
        do {
            let count = try FileIO.read(path, into: bytes)
            let raw = UnsafeRawBufferPointer(start: bytes.pointer, count: count)
            let header = try decoder.readHeader(raw, origin: path)
            try decoder.decode(raw, origin: path, header: header, scale: ScalingFactor(num: 1, denom: 8), format: .grey, into: pixels)
            return TeachPhoto(name: name, path: path, width: header.width, height: header.height)
        } catch let error as ImagingError {
            throw .dataset(path: path, detail: "unreadable photo: \(Self.detail(error, path: path))")
        } catch let error as FileError {
            throw .dataset(path: path, detail: "unreadable photo: cannot \(error.operation): \(Errno(error.errno))")
        } catch {
            throw .dataset(path: path, detail: "unreadable photo: \(error)")
        }
    }

    /// The imaging error's message without its leading path (the caller names the file).
    private static func detail(_ error: ImagingError, path: String) -> String {
        let text = error.description
        return text.hasPrefix(path + ": ") ? String(text.dropFirst(path.count + 2)) : text
    }
}
