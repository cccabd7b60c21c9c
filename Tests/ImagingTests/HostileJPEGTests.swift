import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// Issue 16's hostile JPEGs against the decoder: after any failure the next image decodes
/// right (libjpeg-turbo 2.1 leaves a failed handle's state behind), valid but unusual
/// subsamplings decode, and damage is named as damage.
@Suite struct HostileJPEGTests {
    let photo = try! Samples.bytes("/usr/share/darknet/data/dog.jpg")

    var withoutScan: [UInt8] {
        let sos = (0..<photo.count - 1).first { photo[$0] == 0xFF && photo[$0 + 1] == 0xDA }!
        return Array(photo[..<sos]) + [0xFF, 0xD9]
    }

    /// Tables and a frame header but no scan, then the good photo, on one decoder: the header
    /// of the good one is read right (not 0x0), and its decode stays inside its buffer.
    @Test func aFailedDecodeDoesNotSpoilTheNext() throws {
        let decoder = JPEGDecoder()
        let buffer = ImageBuffer()
        for path in [JPEGDecodePath.rgb, .yuvPlanes] {
            #expect(throws: ImagingError.self) {
                try withoutScan.withUnsafeBytes { b in
                    if path == .rgb {
                        _ = try decoder.decode(b, origin: "bad.jpg", into: buffer)
                    } else {
                        _ = try decoder.decodePlanes(b, origin: "bad.jpg", into: buffer)
                    }
                }
            }
            let header = try photo.withUnsafeBytes { try decoder.readHeader($0, origin: "dog.jpg") }
            #expect(header.width == 768 && header.height == 576)
            let image = try photo.withUnsafeBytes {
                try decoder.decode($0, origin: "dog.jpg", scale: .init(num: 1, denom: 8), format: .grey, into: buffer)
            }
            #expect(image.width == 96 && image.height == 72)
        }
        let pre = Preprocessor(input: .square(416))
        let tensor = Tensor()
        let bad = try Frame(format: .mjpeg, width: 0, height: 0, origin: "bad.jpg", storage: ImageBuffer(copying: withoutScan))
        let good = try Frame(format: .mjpeg, width: 0, height: 0, origin: "dog.jpg", storage: ImageBuffer(copying: photo))
        #expect(throws: ImagingError.self) { try pre.run(bad, into: tensor) }
        let report = try pre.run(good, into: tensor)
        #expect(report.letterbox.contentWidth == 416 && report.letterbox.contentHeight == 312)
    }

    /// A 4:1:0 JPEG (luma sampled 4x2) has a subsampling libjpeg-turbo 2.1 cannot name; it is
    /// read as `unknown` and decoded to RGB, not refused as corrupt.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/cjpeg")))
    func a410JPEGDecodes() throws {
        let dir = Reference.tempDir
        let rgb = photoLike(width: 64, height: 48, seed: 9)
        try Data("P6\n64 48\n255\n".utf8 + rgb).write(to: URL(fileURLWithPath: dir + "/410.ppm"))
        let r = try run("/usr/bin/cjpeg", ["-sample", "4x2,1x1,1x1", "-outfile", dir + "/410.jpg", dir + "/410.ppm"])
        #expect(r.status == 0, "\(r.err)")
        let jpeg = try Samples.bytes(dir + "/410.jpg")
        let decoder = JPEGDecoder()
        let header = try jpeg.withUnsafeBytes { try decoder.readHeader($0, origin: "410.jpg") }
        #expect(header.subsampling == .unknown && header.colorSpace == .ycbcr && header.width == 64)
        let buffer = ImageBuffer()
        let image = try jpeg.withUnsafeBytes { try decoder.decode($0, origin: "410.jpg", into: buffer) }
        #expect(image.width == 64 && image.height == 48)
        let diff = meanAbsDiff(
            UnsafeRawBufferPointer(start: buffer.pointer, count: 64 * 48 * 3), rgb.withUnsafeBytes { $0 }, count: 64 * 48 * 3, channels: 3)
        #expect(diff.allSatisfy { $0 < 12 }, "\(diff)")
    }

    /// Frame headers that no JPEG can have are damage: a precision of 243 bits, 0 components,
    /// a length that does not fit the components, sampling factors of 0.
    @Test(
        arguments: [
            ([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0xF3, 0x00, 0x10, 0x00, 0x10, 0x03], "sample precision (243 bits)"),
            ([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x08, 0x08, 0x00, 0x10, 0x00, 0x10, 0x00], "0 components"),
            ([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x03], "does not fit 3 components"),
            ([0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x10, 0x01, 0x01, 0x00, 0x00], "sampling factors 0x0"),
        ] as [([UInt8], String)])
    func impossibleFrameHeadersAreCorrupt(_ bytes: [UInt8], _ detail: String) {
        let padded = bytes + [UInt8](repeating: 0, count: 16)
        #expect {
            _ = try padded.withUnsafeBytes { try JPEGInfo.parse($0, origin: "x.jpg") }
        } throws: { error in
            "\(error)".contains("corrupt") && "\(error)".contains(detail)
        }
    }
}
