// Frame sequences made from one real photo: a window moving over it, as a head turning would.
import Foundation
import Imaging
import SightlineCore

extension Samples {
    /// Writes `width`x`height` crops of the JPEG at `path`, one per (x, y) offset, as
    /// `dir/f000.jpg`, `f001.jpg`, … (quality 90), with a `frames.tsv` sidecar giving frame k
    /// the capture time k × `secondsApart`. Returns the frame paths.
    public static func crops(
        of path: String, width: Int, height: Int, offsets: [(x: Int, y: Int)], secondsApart: Double, into dir: String
    ) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let jpeg = try bytes(path)
        let buffer = ImageBuffer()
        let image = try jpeg.withUnsafeBytes { try JPEGDecoder().decode($0, origin: path, into: buffer) }
        let full = UnsafeRawBufferPointer(start: buffer.pointer, count: image.stride * image.height)
        let encoder = JPEGEncoder()
        var sidecar = "# sightline-frames v1\n# frame\ttimestamp_ns\tsequence\n"
        var paths: [String] = []
        for (k, o) in offsets.enumerated() {
            guard o.x >= 0, o.y >= 0, o.x + width <= image.width, o.y + height <= image.height else {
                throw ReferenceError(message: "crop \(width)x\(height)+\(o.x)+\(o.y) does not fit \(image.width)x\(image.height)")
            }
            var rgb = [UInt8](repeating: 0, count: width * height * 3)
            for row in 0..<height {
                let from = (o.y + row) * image.stride + o.x * 3
                for i in 0..<(width * 3) { rgb[row * width * 3 + i] = full[from + i] }
            }
            let name = String(format: "f%03d.jpg", k)
            try Data(try encoder.encode(rgb: rgb, width: width, height: height)).write(to: URL(fileURLWithPath: dir + "/" + name))
            sidecar += "\(name)\t\(UInt64((Double(k) * secondsApart * 1e9).rounded()))\t\(k)\n"
            paths.append(dir + "/" + name)
        }
        try sidecar.write(toFile: dir + "/frames.tsv", atomically: true, encoding: .utf8)
        return paths
    }
}
