import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// Mean absolute difference of two tensors, in levels of 1/255 (the default scale is 1/255).
private func madLevels(_ a: [Float], _ b: [Float]) -> Double {
    var sum: Double = 0
    for i in 0..<min(a.count, b.count) { sum += Double(abs(a[i] - b[i])) }
    return 255 * sum / Double(max(a.count, 1))
}

private func run(_ pre: Preprocessor, _ jpeg: [UInt8], _ origin: String, _ tensor: Tensor) throws -> PreprocessReport {
    try jpeg.withUnsafeBytes { try pre.run(jpeg: $0, origin: origin, into: tensor) }
}

/// The JPEG → YUV planes → tensor path (`JPEGDecodePath.yuvPlanes`: `tjDecompressToYUVPlanes`
/// and the fused `resizePackYUV`) against the RGB path (libjpeg-turbo's RGB decode +
/// `resizePack`) and against OpenCV's own path.
///
/// The two decode paths differ in how they reconstruct chroma: libjpeg-turbo's RGB output
/// upsamples it with a triangle filter ("fancy upsampling") and converts each full-size pixel
/// before the bilinear resize; the planes path samples chroma bilinearly at its own resolution
/// and converts the output pixels. Luma is identical, so the differences are small colour
/// differences at sharp chroma edges.
@Suite struct YUVPathTests {
    /// Generated photo-like JPEGs in every subsampling libjpeg-turbo's compressor makes, at
    /// odd, tiny and camera sizes: the planes path within a mean of 1 level of the RGB path
    /// (measured: at most 0.59, at 17x9 in 4:2:0; 0.05–0.12 at 1280x720), and the report says which path ran. Greyscale JPEGs have no
    /// chroma planes: `.auto` takes the RGB path for them.
    @Test(arguments: [ChromaSubsampling.s420, .s422, .s444, .grey], [(1280, 720), (333, 257), (17, 9), (2, 2), (1, 1)])
    func generatedJPEGsMatchTheRGBPath(subsampling: ChromaSubsampling, size: (Int, Int)) throws {
        let (w, h) = size
        let jpeg = try JPEGEncoder().encode(
            rgb: photoLike(width: w, height: h, seed: UInt64(w + h)), width: w, height: h, quality: 90, subsampling: subsampling)
        let name = "gen-\(w)x\(h)-\(subsampling.rawValue).jpg"
        for dct in [DCTScaling.fastest, .off] {
            let planes = Preprocessor(input: .square(416)), rgb = Preprocessor(input: .square(416))
            planes.dctScaling = dct
            rgb.dctScaling = dct
            rgb.jpegPath = .rgb
            let a = Tensor(), b = Tensor()
            let ra = try run(planes, jpeg, name, a), rb = try run(rgb, jpeg, name, b)
            #expect(ra.jpegPath == (subsampling == .grey ? .rgb : .yuvPlanes))
            #expect(rb.jpegPath == .rgb)
            #expect(ra.scale == rb.scale && ra.decodedWidth == rb.decodedWidth && ra.decodedHeight == rb.decodedHeight)
            #expect(a.shape == b.shape)
            let mad = madLevels(a.toArray(), b.toArray())
            #expect(mad < 1, "\(name) DCT \(dct): \(mad) levels")
            // The padding is the same value in both.
            if ra.letterbox.contentY > 0 { #expect(a.elements[0] == b.elements[0]) }
        }
    }

    /// Real photos: the planes path against OpenCV's `imdecode` + INTER_LINEAR resize +
    /// `blobFromImage` (the reference of `PreprocessTests`). Without DCT scaling the RGB path
    /// agrees to half a level; the planes path, which reconstructs chroma differently, within a
    /// mean of 1 level (measured: 0.12–0.51 over the sample photos). With DCT scaling the
    /// scaled decode low-passes fine texture that OpenCV's full decode + INTER_LINEAR aliases:
    /// within a mean of 3 levels (measured: at most 1.57, the giraffe's grass).
    @Test(arguments: [DCTScaling.off, .fastest])
    func realPhotosMatchOpenCV(dctScaling: DCTScaling) throws {
        #expect(!Samples.photos.isEmpty)
        let pre = Preprocessor(input: .square(416))
        pre.dctScaling = dctScaling
        let tensor = Tensor()
        for (name, path) in Samples.photos {
            let report = try run(pre, try Samples.bytes(path), path, tensor)
            #expect(report.jpegPath == .yuvPlanes, "\(name)")
            let mad = madLevels(try Reference.tensor(path: path, size: 416), tensor.toArray())
            #expect(mad < (dctScaling == .off ? 1 : 3), "\(name) (scale \(report.scale)): \(mad) levels")
        }
    }

    /// Real photos: the planes path against the RGB path at the same DCT scale within a mean of
    /// 1 level (measured: 0.05–0.50), SIMD and scalar kernels giving the same tensor.
    @Test func realPhotosPathsAndKernelsAgree() throws {
        for (name, path) in Samples.photos {
            let jpeg = try Samples.bytes(path)
            let simd = Preprocessor(input: .square(416), kernels: .simd)
            let scalar = Preprocessor(input: .square(416), kernels: .scalar)
            let rgb = Preprocessor(input: .square(416), kernels: .simd)
            rgb.jpegPath = .rgb
            let a = Tensor(), b = Tensor(), c = Tensor()
            _ = try run(simd, jpeg, path, a)
            _ = try run(scalar, jpeg, path, b)
            _ = try run(rgb, jpeg, path, c)
            #expect(a.toArray() == b.toArray(), "\(name)")
            let mad = madLevels(a.toArray(), c.toArray())
            #expect(mad < 1, "\(name): \(mad) levels from the RGB path")
        }
    }

    /// Forcing the planes path on a JPEG without chroma planes is a typed error naming the input;
    /// truncated data is reported as corrupt, as on the RGB path.
    @Test func refusesWhatItCannotDecode() throws {
        let grey = try JPEGEncoder().encode(rgb: photoLike(width: 64, height: 48), width: 64, height: 48, subsampling: .grey)
        let pre = Preprocessor(input: .square(32))
        pre.jpegPath = .yuvPlanes
        #expect {
            try run(pre, grey, "grey.jpg", Tensor())
        } throws: { error in
            guard let e = error as? ImagingError, case .unsupportedJPEG(let origin, _) = e else { return false }
            return origin == "grey.jpg"
        }
        let colour = try JPEGEncoder().encode(rgb: photoLike(width: 640, height: 480), width: 640, height: 480)
        let cut = Array(colour.prefix(colour.count / 2))
        pre.jpegPath = .auto
        #expect {
            try run(pre, cut, "cut.jpg", Tensor())
        } throws: { error in
            guard let e = error as? ImagingError, case .corruptJPEG(let origin, _) = e else { return false }
            return origin == "cut.jpg"
        }
    }

    /// The planes themselves: Y, Cb, Cr sizes and strides as libjpeg-turbo lays them out
    /// (luma padded to a whole chroma block), at the DCT scale.
    @Test func planeGeometry() throws {
        let jpeg = try JPEGEncoder().encode(rgb: photoLike(width: 1281, height: 719), width: 1281, height: 719, subsampling: .s420)
        let buffer = ImageBuffer()
        let d = try jpeg.withUnsafeBytes {
            try JPEGDecoder().decodePlanes($0, origin: "odd.jpg", scale: ScalingFactor(num: 1, denom: 2), into: buffer)
        }
        #expect(d.width == 641 && d.height == 360)
        #expect(d.chromaX == 2 && d.chromaY == 2 && d.chromaWidth == 321 && d.chromaHeight == 180)
        #expect(d.yStride == 642 && d.chromaStride == 321)
        #expect(d.cbOffset == 642 * 360 && d.crOffset == d.cbOffset + 321 * 180)
    }

    /// A warm preprocessor on the planes path allocates no new tensor storage per frame.
    @Test func warmPathDoesNotReallocate() throws {
        let jpeg = try JPEGEncoder().encode(rgb: photoLike(width: 1280, height: 720), width: 1280, height: 720)
        let pre = Preprocessor(input: .square(416))
        let tensor = Tensor()
        _ = try run(pre, jpeg, "hd.jpg", tensor)
        let before = tensor.allocationCount
        for _ in 0..<3 { _ = try run(pre, jpeg, "hd.jpg", tensor) }
        #expect(tensor.allocationCount == before)
    }
}
