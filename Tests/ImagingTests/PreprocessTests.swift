import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct LetterboxTests {
    @Test func geometryAndRoundTrip() {
        let lb = Letterbox(sourceWidth: 1920, sourceHeight: 1080, input: .square(416))
        #expect(lb.contentX == 0 && lb.contentY == 91 && lb.contentWidth == 416 && lb.contentHeight == 234)
        let box = Rect(x: 100, y: 200, width: 300, height: 400)
        let back = lb.toSource(lb.toInput(box))
        #expect(abs(back.x - box.x) < 0.01 && abs(back.y - box.y) < 0.01)
        #expect(abs(back.width - box.width) < 0.01 && abs(back.height - box.height) < 0.01)
        // A box in the padding maps to nothing inside the frame.
        #expect(lb.toSource(Rect(x: 10, y: 0, width: 20, height: 50)).area == 0)
        // Portrait frames are padded left and right.
        let p = Letterbox(sourceWidth: 480, sourceHeight: 640, input: .square(416))
        #expect(p.contentWidth == 312 && p.contentHeight == 416 && p.contentX == 52 && p.contentY == 0)
        let s = Letterbox(sourceWidth: 1920, sourceHeight: 1080, input: .square(416, fit: .stretch))
        #expect(s.contentWidth == 416 && s.contentHeight == 416 && s.contentX == 0)
    }
}

@Suite struct PreprocessTests {
    /// The whole JPEG path against OpenCV doing the job its own way (full decode, INTER_LINEAR
    /// resize, border, blobFromImage, scale 1/255).
    ///
    /// Without DCT scaling the two resample the same full-size image with the same geometry and
    /// 11-bit weights, so they agree to a mean of 0.002 (half a level). With DCT scaling, the
    /// decode itself low-passes and shrinks the picture before the bilinear step, so fine
    /// texture (the giraffe's grass) comes out smoother than OpenCV's aliased INTER_LINEAR
    /// downscale: the bound there is a mean of 0.05 (13 levels), and the padding must be equal.
    ///
    /// This is the RGB decode path (`JPEGDecodePath.rgb`); the YUV-planes path has its own
    /// bounds (`YUVPathTests`).
    @Test(arguments: ["letterbox", "stretch"], [DCTScaling.off, .fastest, .smallest])
    func jpegPathMatchesOpenCV(fit: String, dctScaling: DCTScaling) throws {
        let input = ModelInput.square(416, fit: fit == "letterbox" ? .letterbox : .stretch)
        let pre = Preprocessor(input: input)
        pre.dctScaling = dctScaling
        pre.jpegPath = .rgb
        let tensor = Tensor()
        for (name, path) in Samples.photos {
            let jpeg = try Samples.bytes(path)
            let report = try jpeg.withUnsafeBytes { try pre.run(jpeg: $0, origin: path, into: tensor) }
            #expect(tensor.shape == [1, 3, 416, 416])
            #expect(dctScaling != .off || report.scale == .one)
            let ref = try Reference.tensor(path: path, size: 416, fit: fit)
            #expect(ref.count == tensor.count)
            var sum: Double = 0
            for i in 0..<min(ref.count, tensor.count) { sum += Double(abs(ref[i] - tensor.elements[i])) }
            let mad = sum / Double(tensor.count)
            #expect(mad < (dctScaling == .off ? 0.002 : 0.05), "\(name) \(fit) (scale \(report.scale)): mean abs diff \(mad)")
            if fit == "letterbox", report.letterbox.contentY > 0 {
                #expect(tensor.elements[0] == Float(128) / 255, "padding value")
                #expect(ref[0] == tensor.elements[0])
            }
        }
    }

    @Test func reportsTheScaleAndSizes() throws {
        let rgb = photoLike(width: 1920, height: 1080, seed: 5)
        let jpeg = try JPEGEncoder().encode(rgb: rgb, width: 1920, height: 1080)
        let pre = Preprocessor(input: .square(416))
        let r = try jpeg.withUnsafeBytes { try pre.run(jpeg: $0, origin: "hd.jpg", into: Tensor()) }
        #expect(r.scale.description == "1/4")
        // 1280x720 -> 416x234: 3/8 is the smallest cover, but 1/2 decodes faster.
        let jpeg720 = try JPEGEncoder().encode(rgb: photoLike(width: 1280, height: 720), width: 1280, height: 720)
        let r720 = try jpeg720.withUnsafeBytes { try pre.run(jpeg: $0, origin: "720.jpg", into: Tensor()) }
        #expect(r720.scale.description == "1/2")
        pre.dctScaling = .smallest
        let s720 = try jpeg720.withUnsafeBytes { try pre.run(jpeg: $0, origin: "720.jpg", into: Tensor()) }
        #expect(s720.scale.description == "3/8")
        #expect(r.decodedWidth == 480 && r.decodedHeight == 270)
        #expect(r.letterbox.contentHeight == 234)
        #expect(r.decodeSeconds > 0 && r.resizePackSeconds > 0)
    }

    /// The SIMD and scalar kernels give the same tensor, for JPEG and every raw format.
    @Test(arguments: [PixelFormat.mjpeg, .rgb24, .bgr24, .grey, .yuyv, .nv12])
    func simdAndScalarAgree(format: PixelFormat) throws {
        let frame = try makeFrame(format: format, width: 333, height: 257)
        let a = Tensor(), b = Tensor()
        try Preprocessor(input: .square(160), kernels: .simd).run(frame, into: a)
        try Preprocessor(input: .square(160), kernels: .scalar).run(frame, into: b)
        #expect(a.toArray() == b.toArray())
    }

    /// Raw RGB and BGR frames of the same picture give the same tensor, and asking for BGR
    /// order swaps the planes.
    @Test func channelOrder() throws {
        let rgb = try makeFrame(format: .rgb24, width: 64, height: 48)
        let bgr = try makeFrame(format: .bgr24, width: 64, height: 48)
        let t1 = Tensor(), t2 = Tensor(), t3 = Tensor()
        try Preprocessor(input: .square(32)).run(rgb, into: t1)
        try Preprocessor(input: .square(32)).run(bgr, into: t2)
        #expect(t1.toArray() == t2.toArray())
        var bgrInput = ModelInput.square(32)
        bgrInput.channelOrder = .bgr
        try Preprocessor(input: bgrInput).run(rgb, into: t3)
        let plane = 32 * 32
        #expect(Array(t1.toArray()[0..<plane]) == Array(t3.toArray()[(2 * plane)..<(3 * plane)]))
    }

    /// A warm preprocessor reuses its buffers: the same frame size again allocates nothing
    /// (checked on the tensor, for JPEG and for the fused YUYV camera path).
    @Test(arguments: [PixelFormat.mjpeg, .yuyv])
    func warmPathDoesNotReallocate(format: PixelFormat) throws {
        let frame = try makeFrame(format: format, width: 640, height: 480)
        let pre = Preprocessor(input: .square(416))
        let tensor = Tensor()
        try pre.run(frame, into: tensor)
        let before = tensor.allocationCount
        for _ in 0..<3 { try pre.run(frame, into: tensor) }
        #expect(tensor.allocationCount == before)
    }

    /// A reused tensor keeps the padding of the first frame of a geometry and the preprocessor
    /// writes only the content after that; a frame of another shape, or a tensor whose padding
    /// is no longer known, gets the padding filled again. Every tensor equals a fresh one.
    @Test(arguments: [PixelFormat.mjpeg, .yuyv, .rgb24])
    func paddingIsFilledOncePerGeometry(format: PixelFormat) throws {
        let pre = Preprocessor(input: .square(64))
        func fresh(_ f: Frame) throws -> [Float] {
            let t = Tensor()
            try pre.run(f, into: t)
            return t.toArray()
        }
        let wide = try makeFrame(format: format, width: 96, height: 54)
        let wide2 = try makeFrame(format: format, width: 96, height: 54, blocky: true)
        let tall = try makeFrame(format: format, width: 48, height: 64)
        let tensor = Tensor()
        try pre.run(wide, into: tensor)
        let recorded = try #require(tensor.padding)
        #expect(recorded.contentY > 0 && recorded.contentHeight < 64, "a 16:9 frame is padded above and below")
        #expect(tensor.toArray() == (try fresh(wide)))
        // Same geometry, other picture: only the content changes, the padding is still right.
        try pre.run(wide2, into: tensor)
        #expect(tensor.toArray() == (try fresh(wide2)))
        // The recorded padding is trusted: scribble over it and keep the record, it is not redone…
        tensor.elements[0] = .nan
        try pre.run(wide, into: tensor)
        #expect(tensor.elements[0].isNaN)
        // …clear the record (as the contract asks of any other writer) and it is.
        tensor.padding = nil
        try pre.run(wide, into: tensor)
        #expect(tensor.toArray() == (try fresh(wide)))
        // Another geometry refills, and back again.
        try pre.run(tall, into: tensor)
        #expect(tensor.padding != recorded)
        #expect(tensor.toArray() == (try fresh(tall)))
        try pre.run(wide2, into: tensor)
        #expect(tensor.toArray() == (try fresh(wide2)))
        // A new shape forgets the record.
        tensor.reshape([1, 3, 32, 32])
        #expect(tensor.padding == nil)
    }

    @Test func normalisation() throws {
        // A constant grey frame gives (v/255 - mean)/std in every content element.
        let buffer = ImageBuffer(capacity: 16 * 16)
        buffer.mutableBytes.initializeMemory(as: UInt8.self, repeating: 200)
        let frame = try Frame(format: .grey, width: 16, height: 16, origin: "grey", storage: buffer)
        let input = ModelInput(width: 16, height: 16, mean: [0.5, 0.25, 0], std: [0.5, 0.25, 2])
        let t = Tensor()
        try Preprocessor(input: input).run(frame, into: t)
        let e = t.toArray()
        let expected: [Float] = [(200 / 255 - 0.5) / 0.5, (200 / 255 - 0.25) / 0.25, (200 / 255) / 2]
        for c in 0..<3 {
            #expect(abs(e[c * 256] - expected[c]) < 1e-5)
            #expect(abs(e[c * 256 + 255] - expected[c]) < 1e-5)
        }
    }
}

/// A frame of `format` holding the same photo-like picture.
func makeFrame(format: PixelFormat, width w: Int, height h: Int, blocky: Bool = false) throws -> Frame {
    var rgb = photoLike(width: w, height: h, seed: 3)
    if blocky {
        // Every 2x2 block takes its top-left pixel's colour.
        for y in 0..<h {
            for x in 0..<w {
                let from = ((y & ~1) * w + (x & ~1)) * 3, to = (y * w + x) * 3
                for c in 0..<3 { rgb[to + c] = rgb[from + c] }
            }
        }
    }
    var bytes: [UInt8]
    var rowStride = w * 3
    switch format {
    case .mjpeg:
        bytes = try JPEGEncoder().encode(rgb: rgb, width: w, height: h)
        return try Frame(format: .mjpeg, width: 0, height: 0, origin: "gen.jpg", storage: ImageBuffer(copying: bytes))
    case .rgb24:
        bytes = rgb
    case .bgr24:
        bytes = rgb
        for i in stride(from: 0, to: bytes.count, by: 3) { bytes.swapAt(i, i + 2) }
    case .grey:
        bytes = (0..<(w * h)).map { rgb[3 * $0 + 1] }
        rowStride = w
    case .yuyv:
        rowStride = ((w + 1) / 2) * 4 + 8  // padded rows
        bytes = [UInt8](repeating: 0, count: rowStride * h)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                let (yy, u, v) = limitedYUV(rgb[i], rgb[i + 1], rgb[i + 2])
                let o = y * rowStride + (x / 2) * 4
                bytes[o + (x % 2) * 2] = yy
                if x % 2 == 0 { bytes[o + 1] = u; bytes[o + 3] = v }
            }
        }
    case .nv12:
        rowStride = w
        bytes = [UInt8](repeating: 0, count: w * h + w * ((h + 1) / 2) + 2)
        for y in 0..<h {
            for x in 0..<w {
                let i = (y * w + x) * 3
                let (yy, u, v) = limitedYUV(rgb[i], rgb[i + 1], rgb[i + 2])
                bytes[y * w + x] = yy
                if x % 2 == 0 && y % 2 == 0 {
                    bytes[w * h + (y / 2) * w + x] = u
                    bytes[w * h + (y / 2) * w + x + 1] = v
                }
            }
        }
    }
    return try Frame(format: format, width: w, height: h, stride: rowStride, origin: "gen.\(format)", storage: ImageBuffer(copying: bytes))
}

/// BT.601 limited-range RGB -> YUV, for building test frames.
func limitedYUV(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> (UInt8, UInt8, UInt8) {
    let (r, g, b) = (Double(r), Double(g), Double(b))
    let y = 16 + 0.257 * r + 0.504 * g + 0.098 * b
    let u = 128 - 0.148 * r - 0.291 * g + 0.439 * b
    let v = 128 + 0.439 * r - 0.368 * g - 0.071 * b
    func c(_ x: Double) -> UInt8 { UInt8(max(0, min(255, x.rounded()))) }
    return (c(y), c(u), c(v))
}

@Suite struct RawConversionTests {
    /// YUYV and NV12 frames made from a picture whose 2x2 blocks share one colour (so chroma
    /// subsampling loses nothing) convert back to it at the same size: what is left is 8-bit
    /// YUV rounding, at most 3 levels per element and under 1 on average.
    @Test(arguments: [PixelFormat.yuyv, .nv12, .grey])
    func convertsBackToThePicture(format: PixelFormat) throws {
        let w = 64, h = 48
        let input = ModelInput(width: w, height: h, fit: .stretch)
        let ref = Tensor(), t = Tensor()
        try Preprocessor(input: input).run(try makeFrame(format: .rgb24, width: w, height: h, blocky: true), into: ref)
        try Preprocessor(input: input).run(try makeFrame(format: format, width: w, height: h, blocky: true), into: t)
        let a = ref.toArray(), b = t.toArray()
        if format == .grey {
            // Grey replicates the green channel of the picture into all three planes.
            let plane = w * h
            for c in 0..<3 { #expect(Array(b[(c * plane)..<((c + 1) * plane)]) == Array(a[plane..<(2 * plane)])) }
            return
        }
        var worst: Float = 0, sum: Float = 0
        for i in 0..<a.count {
            worst = max(worst, abs(a[i] - b[i]))
            sum += abs(a[i] - b[i])
        }
        #expect(sum / Float(a.count) * 255 < 1, "\(format): mean diff \(sum / Float(a.count) * 255) levels")
        #expect(worst * 255 < 3.01, "\(format): worst diff \(worst * 255) levels")
    }
}
