import Foundation
public import Imaging
public import SightlineCore

/// Draws what Sightline saw onto the frame: a box and a "label NN%" tag for each detection and
/// the conclusion along the bottom, as a JPEG a person can open. The one implementation of
/// box drawing (`sightline detect --annotate` uses it too).
///
/// Holds a decoder, an encoder and a pixel buffer that are reused across frames; not
/// thread-safe (one renderer per thread).
public final class OverlayRenderer {
    /// JPEG quality of the output.
    public var quality: Int
    private let converter = RGBConverter()
    private let encoder = JPEGEncoder()
    private let buffer = ImageBuffer()

    public init(quality: Int = 90) { self.quality = quality }

    /// Distinct, readable box colours, picked by class id.
    public static let palette: [Canvas.Color] = [
        (230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180), (70, 240, 240), (240, 50, 230),
        (210, 245, 60), (0, 128, 128), (170, 110, 40), (128, 0, 0), (0, 0, 128),
    ]

    /// The colour of boxes for `classID`.
    public static func color(forClass classID: Int) -> Canvas.Color {
        palette[((classID % palette.count) + palette.count) % palette.count]
    }

    /// Line thickness and text scale for an image of this size (1 at 300 px, growing with it).
    public static func scale(width: Int, height: Int) -> Int { max(1, min(width, height) / 300) }

    /// The frame with boxes, labels and `conclusion` drawn, encoded as JPEG (4:4:4, so thin
    /// coloured lines stay sharp).
    ///
    /// JPEG frames are decoded at full size; raw frames (rgb24, bgr24, grey, yuyv, nv12; YUV as
    /// BT.601 limited range, as cameras send it) are converted by Imaging's ``RGBConverter``.
    public func renderJPEG(frame: Frame, detections: [Detection], conclusion: String?, warnings: [String] = []) throws -> [UInt8] {
        let image = try converter.convert(frame, into: buffer, placement: .writableRGB)
        let canvas = Canvas(
            pixels: buffer.pointer.assumingMemoryBound(to: UInt8.self), width: image.width, height: image.height,
            stride: image.stride)
        Self.draw(on: canvas, detections: detections, conclusion: conclusion, warnings: warnings)
        return try encoder.encode(
            buffer.pointer, width: image.width, height: image.height, stride: image.stride, format: .rgb24, quality: quality,
            subsampling: .s444, origin: frame.origin)
    }

    /// Writes `frame` with `detections` drawn (``renderJPEG(frame:detections:conclusion:)``) to
    /// `path`, or, when `folder` is set, to `<base name>.annotated.jpg` in the folder `path`
    /// (created if missing); returns the file written.
    public func writeAnnotated(_ frame: Frame, detections: [Detection], to path: String, folder: Bool) throws -> String {
        let out =
            folder ? path + "/" + ((frame.origin as NSString).lastPathComponent as NSString).deletingPathExtension + ".annotated.jpg" : path
        if folder { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        try FileIO.writeAtomically(out, try renderJPEG(frame: frame, detections: detections, conclusion: nil))
        return out
    }

    /// Draws boxes, labels and the conclusion onto an RGB canvas; warnings first and plainly: a
    /// red band across the top, one "! message" a line, over everything else.
    public static func draw(on canvas: Canvas, detections: [Detection], conclusion: String?, warnings: [String] = []) {
        let scale = scale(width: canvas.width, height: canvas.height)
        defer { drawWarnings(warnings, on: canvas, scale: scale) }
        for d in detections {
            let color = color(forClass: d.classID)
            canvas.stroke(d.box, thickness: max(2, scale), color: color)
            let label = "\(d.label) \(Int((d.score * 100).rounded()))%"
            let above = Int(d.box.y) - 8 * scale - 1
            let textY = above >= 0 ? above : Int(d.box.y) + max(2, scale) + scale + 1
            canvas.text(label, x: Int(d.box.x) + scale, y: textY, scale: scale, color: (255, 255, 255), background: color)
        }
        guard let conclusion, !conclusion.isEmpty else { return }
        let lines = wrap(conclusion, columns: max(1, (canvas.width - 4 * scale) / (6 * scale)))
        let lineHeight = 10 * scale
        let bandHeight = lines.count * lineHeight + 2 * scale
        let top = canvas.height - bandHeight
        canvas.fill(x: 0, y: top, width: canvas.width, height: bandHeight, color: (0, 0, 0))
        for (i, line) in lines.enumerated() {
            canvas.text(line, x: 2 * scale, y: top + 2 * scale + i * lineHeight, scale: scale, color: (255, 230, 80))
        }
    }

    /// The colour of the warning band.
    public static let warningColor: Canvas.Color = (200, 0, 0)

    static func drawWarnings(_ warnings: [String], on canvas: Canvas, scale: Int) {
        guard !warnings.isEmpty else { return }
        let columns = max(1, (canvas.width - 4 * scale) / (6 * scale))
        let lines = warnings.flatMap { wrap("! " + $0, columns: columns) }
        let lineHeight = 10 * scale
        let band = min(canvas.height, lines.count * lineHeight + 2 * scale)
        canvas.fill(x: 0, y: 0, width: canvas.width, height: band, color: warningColor)
        for (i, line) in lines.enumerated() where (i + 1) * lineHeight <= band {
            canvas.text(line, x: 2 * scale, y: 2 * scale + i * lineHeight, scale: scale, color: (255, 255, 255))
        }
    }

    /// Splits `text` into lines of at most `columns` characters, at spaces where possible.
    static func wrap(_ text: String, columns: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            while word.count > columns {
                if !current.isEmpty { lines.append(current); current = "" }
                lines.append(String(word.prefix(columns)))
                word = String(word.dropFirst(columns))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= columns {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }
}

/// Why the overlay sink could not draw an event.
public enum OverlayError: Error, CustomStringConvertible {
    case cannotCreateFolder(String, String)

    public var description: String {
        switch self {
        case let .cannotCreateFolder(path, why): return "\(path): cannot create the overlay folder: \(why)"
        }
    }
}

/// The heads-up overlay as a sink: for each event that carries the frame's pixels
/// (``SightlineEvent/image``), writes the frame with boxes, labels and the conclusion drawn to
/// `<folder>/<origin name>-<sequence>.jpg` (atomically). A later event about the same frame
/// (e.g. its conclusion) replaces the picture. Events without pixels are ignored.
public final class OverlaySink: ActionSink, @unchecked Sendable {
    public let folder: String
    public var name: String { "overlay" }
    private let renderer: OverlayRenderer
    private let lock = NSLock()
    private var _written: [String] = []

    /// Creates `folder` if needed.
    public init(folder: String, quality: Int = 90) throws {
        self.folder = folder
        renderer = OverlayRenderer(quality: quality)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OverlayError.cannotCreateFolder(folder, error.localizedDescription)
        }
    }

    /// The files written so far, in order (a file rewritten by a later event appears again).
    public var written: [String] {
        lock.lock()
        defer { lock.unlock() }
        return _written
    }

    /// The file an event's overlay goes to.
    public func path(for frame: SightlineEvent.FrameInfo) -> String {
        folder + "/" + Self.fileName(origin: frame.origin, sequence: frame.sequence)
    }

    /// `dog-000042.jpg` for origin `/photos/dog.jpg`, sequence 42; unusual characters become `_`.
    public static func fileName(origin: String, sequence: UInt64) -> String {
        var base = (origin as NSString).lastPathComponent
        let ext = (base as NSString).pathExtension.lowercased()
        if ["jpg", "jpeg", "mjpeg", "mjpg", "png", "raw", "yuv"].contains(ext) { base = (base as NSString).deletingPathExtension }
        let safe = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) ? $0 : "_" })
        let digits = String(sequence)
        return (safe.isEmpty ? "frame" : safe) + "-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jpg"
    }

    public func handle(_ event: SightlineEvent) throws {
        guard let image = event.image else { return }
        lock.lock()
        defer { lock.unlock() }
        let jpeg = try renderer.renderJPEG(
            frame: image, detections: event.detections, conclusion: event.conclusion, warnings: event.warnings ?? [])
        let out = path(for: event.frame)
        try FileIO.writeAtomically(out, jpeg)
        _written.append(out)
    }

    /// Every picture is written (and synced) when handled; nothing to do.
    public func flush() throws {}
}
