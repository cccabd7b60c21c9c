import CTurboJPEG
import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct ScalingChoiceTests {
    @Test func offersTheLibjpegTurboFactors() {
        let f = ScalingFactor.available.map(\.description)
        #expect(f.first == "1/8")
        #expect(f.last == "1")
        #expect(f.contains("1/4") && f.contains("1/2") && f.contains("3/8"))
    }

    /// The examples of the issue: letterboxing 1920x1080 into 416x416 fills 416x234, which 1/4
    /// (480x270) covers; stretching to 416x416 needs 540 rows, so 1/2.
    @Test func picksTheSmallestCoveringScale() {
        let lb = Letterbox(sourceWidth: 1920, sourceHeight: 1080, input: .square(416))
        #expect(lb.contentWidth == 416 && lb.contentHeight == 234)
        #expect(ScalingFactor.smallest(covering: 416, 234, width: 1920, height: 1080).description == "1/4")
        #expect(ScalingFactor.smallest(covering: 416, 416, width: 1920, height: 1080).description == "1/2")
        // 1280x720 -> 416x234: 3/8 gives 480x270; 1/4 would give 320x180, too small.
        #expect(ScalingFactor.smallest(covering: 416, 234, width: 1280, height: 720).description == "3/8")
        // 512x480 -> 416x390: 7/8 (448x420) still covers it.
        #expect(ScalingFactor.smallest(covering: 416, 390, width: 512, height: 480).description == "7/8")
        // Already no larger than the model input: decode at full size.
        #expect(ScalingFactor.smallest(covering: 416, 390, width: 416, height: 390) == .one)
        // The fast policy keeps to 1/8, 1/4, 1/2 and 1.
        #expect(DCTScaling.fastest.factor(covering: 416, 234, width: 1920, height: 1080).description == "1/4")
        #expect(DCTScaling.fastest.factor(covering: 416, 234, width: 1280, height: 720).description == "1/2")
        #expect(DCTScaling.fastest.factor(covering: 416, 390, width: 512, height: 480) == .one)
        #expect(DCTScaling.off.factor(covering: 10, 10, width: 1920, height: 1080) == .one)
        // TJSCALED rounds up.
        #expect(ScalingFactor(num: 1, denom: 8).scaled(17) == 3)
    }
}

@Suite struct DecodeAgainstOpenCV {
    /// Real photos at every scale OpenCV can also produce: our decode must match OpenCV's own
    /// (which goes through libjpeg's scaled IDCT too) within a mean of 0.5 levels per channel.
    @Test(arguments: [1, 2, 4, 8])
    func realPhotos(reduce: Int) throws {
        #expect(!Samples.photos.isEmpty, "Samples/photos.tsv lists no photos")
        let decoder = JPEGDecoder()
        let buffer = ImageBuffer()
        for (name, path) in Samples.photos {
            let jpeg = try Samples.bytes(path)
            let ours = try jpeg.withUnsafeBytes {
                try decoder.decode($0, origin: path, scale: ScalingFactor(num: 1, denom: reduce), into: buffer)
            }
            let ref = try Reference.decode(jpeg, reduce: reduce, name: "\(name)-\(reduce)")
            #expect(ours.width == ref.width && ours.height == ref.height, "\(name) 1/\(reduce)")
            let mad = ref.rgb.withUnsafeBytes { meanAbsDiff(buffer.bytes, $0, count: ref.rgb.count, channels: 3) }
            #expect(mad.allSatisfy { $0 <= 0.5 }, "\(name) at 1/\(reduce): mean abs diff \(mad)")
        }
    }

    /// JPEGs made by libjpeg-turbo's compressor at several sizes and subsamplings: decoded
    /// within 0.5 levels of OpenCV's decode of the same bytes, and within 4 levels of the pixels
    /// that were encoded (quality 95).
    @Test(arguments: [ChromaSubsampling.s420, .s422, .s444, .grey])
    func generated(subsampling: ChromaSubsampling) throws {
        let encoder = JPEGEncoder(), decoder = JPEGDecoder(), buffer = ImageBuffer()
        for (w, h) in [(1, 1), (2, 2), (17, 9), (333, 101), (640, 480), (1920, 1080)] {
            var rgb = photoLike(width: w, height: h, seed: UInt64(w * 7 + h))
            if subsampling == .grey {
                // Encode a grey picture so the comparison with the source is fair.
                for i in stride(from: 0, to: rgb.count, by: 3) {
                    let y = UInt8((Int(rgb[i]) * 77 + Int(rgb[i + 1]) * 150 + Int(rgb[i + 2]) * 29) >> 8)
                    rgb[i] = y; rgb[i + 1] = y; rgb[i + 2] = y
                }
            }
            let jpeg = try encoder.encode(rgb: rgb, width: w, height: h, quality: 95, subsampling: subsampling)
            let header = try jpeg.withUnsafeBytes { try decoder.readHeader($0, origin: "gen") }
            #expect(header.width == w && header.height == h)
            #expect(header.subsampling == subsampling)
            #expect(header.colorSpace == (subsampling == .grey ? .grey : .ycbcr))
            #expect(header.process == .baseline)
            let image = try jpeg.withUnsafeBytes { try decoder.decode($0, origin: "gen", into: buffer) }
            #expect(image.width == w && image.height == h && image.stride == w * 3)
            let ref = try Reference.decode(jpeg, name: "gen-\(subsampling.rawValue)-\(w)x\(h)")
            let vsOpenCV = ref.rgb.withUnsafeBytes { meanAbsDiff(buffer.bytes, $0, count: w * h * 3, channels: 3) }
            #expect(vsOpenCV.allSatisfy { $0 <= 0.5 }, "\(w)x\(h) \(subsampling.rawValue) vs OpenCV: \(vsOpenCV)")
            if w * h >= 64 * 64 {
                let vsSource = rgb.withUnsafeBytes { meanAbsDiff(buffer.bytes, $0, count: w * h * 3, channels: 3) }
                #expect(vsSource.allSatisfy { $0 <= 4 }, "\(w)x\(h) \(subsampling.rawValue) vs source: \(vsSource)")
            }
        }
    }

    @Test func greyscaleDecodesToEqualChannelsOrToGrey() throws {
        let rgb = photoLike(width: 64, height: 48)
        let jpeg = try JPEGEncoder().encode(rgb: rgb, width: 64, height: 48, subsampling: .grey)
        let decoder = JPEGDecoder(), colour = ImageBuffer(), grey = ImageBuffer()
        try jpeg.withUnsafeBytes { try decoder.decode($0, origin: "g", format: .rgb24, into: colour) }
        let g = try jpeg.withUnsafeBytes { try decoder.decode($0, origin: "g", format: .grey, into: grey) }
        #expect(g.stride == 64)
        for i in 0..<(64 * 48) {
            let (r, gg, b) = (colour.bytes[3 * i], colour.bytes[3 * i + 1], colour.bytes[3 * i + 2])
            guard r == gg, gg == b, r == grey.bytes[i] else {
                Issue.record("pixel \(i): rgb (\(r),\(gg),\(b)) grey \(grey.bytes[i])")
                return
            }
        }
    }

    /// A progressive JPEG with the same quantisation holds the same coefficients, so it must
    /// decode to exactly the baseline's pixels, and the header must say it is progressive.
    @Test func progressiveIsReportedAndDecoded() throws {
        let rgb = photoLike(width: 320, height: 240, seed: 9)
        let enc = JPEGEncoder(), dec = JPEGDecoder()
        let base = try enc.encode(rgb: rgb, width: 320, height: 240)
        let prog = try enc.encode(rgb: rgb, width: 320, height: 240, progressive: true)
        let h = try prog.withUnsafeBytes { try dec.readHeader($0, origin: "p") }
        #expect(h.process == .progressive)
        let a = ImageBuffer(), b = ImageBuffer()
        try base.withUnsafeBytes { try dec.decode($0, origin: "b", scale: .init(num: 1, denom: 2), into: a) }
        try prog.withUnsafeBytes { try dec.decode($0, origin: "p", scale: .init(num: 1, denom: 2), into: b) }
        #expect(Array(a.bytes.prefix(160 * 120 * 3)) == Array(b.bytes.prefix(160 * 120 * 3)))
    }
}

@Suite struct BadInputTests {
    let valid: [UInt8] = try! JPEGEncoder().encode(rgb: photoLike(width: 64, height: 48), width: 64, height: 48)

    func decodeError(_ bytes: [UInt8], buffer: ImageBuffer = ImageBuffer()) -> ImagingError? {
        do {
            try bytes.withUnsafeBytes { try JPEGDecoder().decode($0, origin: "bad.jpg", into: buffer) }
            return nil
        } catch let error as ImagingError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func empty() {
        #expect(decodeError([]) == .empty(origin: "bad.jpg"))
    }

    @Test func truncated() {
        guard case .corruptJPEG(let origin, let detail)? = decodeError(Array(valid.prefix(valid.count / 2))) else {
            Issue.record("a truncated JPEG was not reported as corrupt")
            return
        }
        #expect(origin == "bad.jpg")
        #expect(!detail.isEmpty)
        // Cut inside the headers: no frame header at all.
        guard case .corruptJPEG? = decodeError(Array(valid.prefix(20))) else {
            Issue.record("a JPEG cut in its headers was not reported as corrupt")
            return
        }
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 42)
        let noise = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        guard case .notJPEG? = decodeError(noise) else { Issue.record("random bytes accepted"); return }
        // Random bytes behind a valid start-of-image marker.
        guard case .corruptJPEG? = decodeError([0xFF, 0xD8] + noise) else { Issue.record("random body accepted"); return }
    }

    @Test func pngPassedAsJPEG() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        let e = decodeError(png)
        #expect(e == .notJPEG(origin: "bad.jpg", detail: "it is a PNG file"))
        #expect(e?.description.contains("bad.jpg: not a JPEG image (it is a PNG file)") == true)
    }

    /// Rewrites the size in the frame header (SOF0) of `valid`.
    func withSize(_ w: Int, _ h: Int) -> [UInt8] {
        var b = valid
        let sof = (0..<(b.count - 1)).first { b[$0] == 0xFF && b[$0 + 1] == 0xC0 }!
        b[sof + 5] = UInt8(h >> 8); b[sof + 6] = UInt8(h & 0xFF)
        b[sof + 7] = UInt8(w >> 8); b[sof + 8] = UInt8(w & 0xFF)
        return b
    }

    @Test func zeroSizeHeader() {
        #expect(decodeError(withSize(0, 0)) == .badDimensions(origin: "bad.jpg", width: 0, height: 0, limit: 128 << 20))
    }

    /// 65535x65535 would need 12 GiB of RGB: refused from the header, before any allocation.
    @Test func absurdSizeIsRefusedBeforeAllocating() {
        let buffer = ImageBuffer()
        let allocations = buffer.allocationCount
        #expect(
            decodeError(withSize(65535, 65535), buffer: buffer)
                == .badDimensions(origin: "bad.jpg", width: 65535, height: 65535, limit: 128 << 20))
        #expect(buffer.capacity == 0 && buffer.allocationCount == allocations)
    }

    @Test func cmykIsRefusedClearly() throws {
        // libjpeg-turbo writes CMYK input as a YCCK JPEG.
        let handle = tjInitCompress()!
        defer { tjDestroy(handle) }
        var pixels = [UInt8](repeating: 100, count: 16 * 16 * 4)
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let rc = tjCompress2(handle, &pixels, 16, 64, 16, Int32(TJPF_CMYK.rawValue), &out, &size, Int32(TJSAMP_444.rawValue), 90, 0)
        #expect(rc == 0)
        let jpeg = Array(UnsafeBufferPointer(start: out!, count: Int(size)))
        tjFree(out)
        guard case .unsupportedJPEG(let origin, let detail)? = decodeError(jpeg) else {
            Issue.record("CMYK JPEG not refused")
            return
        }
        #expect(origin == "bad.jpg")
        #expect(detail.contains("YCCK") || detail.contains("CMYK"))
    }

    @Test func rawFrameShorterThanItsSize() {
        #expect(throws: FrameError.bufferTooSmall(origin: "raw.yuyv", needed: 640 * 480 * 2, available: 640 * 480)) {
            try Frame(format: .yuyv, width: 640, height: 480, origin: "raw.yuyv", storage: ImageBuffer(capacity: 640 * 480))
        }
    }
}
