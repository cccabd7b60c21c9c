public import SightlineCore
internal import SightlineKernels

/// Makes small greyscale thumbnails of frames, for the live pipeline's change gate.
///
/// The path is as cheap as the format allows: a JPEG is decoded straight to grey at the
/// smallest DCT scale that still covers the thumbnail (usually 1/8, so a 640×480 frame costs
/// an 80×60 decode), a raw frame gives its luma (the Y plane of NV12 and grey frames as is,
/// YUYV deinterleaved, RGB converted with the BT.601 weights); then one SIMD area resize
/// averages it down to ``width``×``height``, which also averages away most sensor noise.
///
/// A thumbnailer owns its decoder, scratch planes and resize plan and reuses them: once it has
/// seen a frame size, frames of that size allocate nothing here (libjpeg-turbo's own per-image
/// working memory aside). Not thread-safe.
public final class Thumbnailer {
    public let width: Int
    public let height: Int
    public let kernels: KernelChoice
    public let decoder: JPEGDecoder
    private let luma = ImageBuffer()
    private let chroma = ImageBuffer()
    private var plan: ResizePlan?
    private var planKey = (0, 0)

    public init(width: Int = 64, height: Int = 48, kernels: KernelChoice = .fromEnvironment, decoder: JPEGDecoder = JPEGDecoder()) {
        precondition(width > 0 && height > 0, "thumbnail size must be positive")
        self.width = width
        self.height = height
        self.kernels = kernels
        self.decoder = decoder
    }

    deinit { plan?.deallocate() }

    /// Bytes in one thumbnail (`width × height`, rows packed).
    public var byteCount: Int { width * height }

    /// Writes `frame`'s thumbnail into `dst` (``byteCount`` bytes, rows packed).
    public func make(_ frame: Frame, into dst: UnsafeMutablePointer<UInt8>) throws(ImagingError) {
        let k = kernels.family
        let src: UnsafePointer<UInt8>
        let srcStride: Int, w: Int, h: Int
        let base = frame.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        switch frame.format {
        case .mjpeg:
            let header = try decoder.readHeader(frame.bytes, origin: frame.origin)
            let scale = ScalingFactor.fastest(covering: width, height, width: header.width, height: header.height)
            let decoded = try decoder.decode(
                frame.bytes, origin: frame.origin, header: header, scale: scale, format: .grey, into: luma)
            src = UnsafePointer(luma.pointer.assumingMemoryBound(to: UInt8.self))
            (srcStride, w, h) = (decoded.stride, decoded.width, decoded.height)
        case .grey, .nv12:
            (src, srcStride, w, h) = (base, frame.stride, frame.width, frame.height)
        case .yuyv:
            let cw = (frame.width + 1) / 2
            luma.reserve(frame.width * frame.height)
            chroma.reserve(2 * cw * frame.height)
            let y = luma.pointer.assumingMemoryBound(to: UInt8.self)
            let u = chroma.pointer.assumingMemoryBound(to: UInt8.self)
            k.deinterleaveYUYV(
                src: base, srcStride: frame.stride, width: frame.width, height: frame.height, y: y, yStride: frame.width, u: u,
                uStride: cw, v: u + cw * frame.height, vStride: cw)
            (src, srcStride, w, h) = (UnsafePointer(y), frame.width, frame.width, frame.height)
        case .rgb24, .bgr24:
            luma.reserve(frame.width * frame.height)
            let y = luma.pointer.assumingMemoryBound(to: UInt8.self)
            k.rgbToGrey(
                src: base, srcStride: frame.stride, dst: y, dstStride: frame.width, width: frame.width, height: frame.height,
                swapRB: frame.format == .bgr24)
            (src, srcStride, w, h) = (UnsafePointer(y), frame.width, frame.width, frame.height)
        }
        k.resize(plan: resizePlan(w, h), src: src, srcStride: srcStride, dst: dst, dstStride: width)
    }

    private func resizePlan(_ w: Int, _ h: Int) -> ResizePlan {
        if let plan, planKey == (w, h) { return plan }
        plan?.deallocate()
        // Sizes are positive (frames and JPEG headers are checked), so a plan always exists.
        let made = ResizePlan(srcWidth: w, srcHeight: h, dstWidth: width, dstHeight: height, channels: 1, mode: .area)!
        plan = made
        planKey = (w, h)
        return made
    }

    /// How many of the first `count` bytes of `a` and `b` differ by more than `threshold`
    /// (grey levels). `scratch` receives the difference image (`count` bytes).
    public static func differingPixels(
        _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, count: Int, threshold: UInt8,
        scratch: UnsafeMutablePointer<UInt8>, kernels: KernelChoice = .fromEnvironment
    ) -> Int {
        kernels.family.absDiff(a: a, aStride: count, b: b, bStride: count, dst: scratch, dstStride: count, width: count, height: 1)
        var n = 0
        for i in 0..<count where scratch[i] > threshold { n += 1 }
        return n
    }
}
