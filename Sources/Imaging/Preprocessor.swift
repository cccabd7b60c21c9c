public import SightlineCore
internal import SightlineKernels

/// How the JPEG path decodes (``Preprocessor/jpegPath``).
public enum JPEGDecodePath: String, Sendable, CaseIterable, CustomStringConvertible {
    /// libjpeg-turbo decodes to RGB (with its "fancy" triangle-filter chroma upsampling and its
    /// colour conversion) at the DCT scale; then `resizePack` resamples and packs.
    case rgb
    /// libjpeg-turbo decodes to Y, Cb, Cr planes at the DCT scale (no upsampling, no colour
    /// conversion); then `resizePackYUV` resamples luma and chroma each at its own resolution and
    /// converts only the output pixels, in one pass.
    case yuvPlanes = "yuv-planes"
    /// `yuvPlanes` for YCbCr JPEGs (4:2:0, 4:2:2, 4:4:4, 4:4:0, 4:1:1); `rgb` for greyscale and
    /// RGB-coded ones. The default.
    case auto

    public var description: String { rawValue }
}

/// What one preprocessing run did: sizes, the DCT scale, the letterbox and time per stage.
public struct PreprocessReport: Sendable, Equatable {
    public var origin: String
    public var sourceFormat: PixelFormat
    public var sourceWidth: Int
    public var sourceHeight: Int
    /// Set for JPEG input.
    public var jpeg: JPEGHeader?
    /// The DCT scale the JPEG was decoded at (1 for raw frames).
    public var scale: ScalingFactor
    /// How the JPEG was decoded: `.rgb` or `.yuvPlanes` (nil for raw frames).
    public var jpegPath: JPEGDecodePath? = nil
    /// Size of the image the resize started from (RGB, or the luma plane of YUV planes).
    public var decodedWidth: Int
    public var decodedHeight: Int
    public var letterbox: Letterbox
    public var shape: [Int]
    public var kernels: KernelChoice
    /// Seconds spent decoding (JPEG) or converting (raw) to RGB, and resizing + packing.
    public var decodeSeconds: Double
    public var convertSeconds: Double
    public var resizePackSeconds: Double

    public var totalSeconds: Double { decodeSeconds + convertSeconds + resizePackSeconds }
}

/// Turns frames (JPEG or raw) into a detector's input tensor.
///
/// The path for a JPEG: read the header, work out where the picture lands in the model input
/// (``Letterbox``), decode at the smallest DCT scale that still covers that rectangle, then one
/// fused SIMD pass resizes, reorders channels, normalises and writes the planar float tensor;
/// a second fills the padding. YCbCr JPEGs are by default decoded to Y, Cb, Cr planes instead
/// of RGB (``JPEGDecodePath``) and resampled, converted and packed by one fused pass
/// (`resizePackYUV`). Raw frames are converted to RGB first, except YUYV and NV12 frames that
/// need resizing: those go through one fused pass straight from the camera's bytes
/// (`resizePackYUYV`, `resizePackYUV`: resize Y, U, V, convert the output pixels).
///
/// A preprocessor owns its decoder, intermediate buffer and resize tables and reuses them: once
/// it has seen a frame size, the same size again allocates nothing. It is not thread-safe.
public final class Preprocessor {
    public let input: ModelInput
    public let kernels: KernelChoice
    public let decoder: JPEGDecoder
    /// How JPEGs pick their DCT scale (see ``DCTScaling``); `.off` decodes at full size.
    public var dctScaling: DCTScaling = .fastest
    /// How JPEGs are decoded (see ``JPEGDecodePath``); `.auto` takes the YUV planes when it can.
    public var jpegPath: JPEGDecodePath = .auto
    private let rgb = ImageBuffer()
    private let converter: RGBConverter
    private let planes = ImageBuffer()
    private var plan: ResizePlan?
    private var planKey: (Int, Int, Int, Int) = (0, 0, 0, 0)
    private var yuvPlan: YUVResizePlan?
    private var yuvPlanKey: (Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0)

    public init(input: ModelInput, kernels: KernelChoice = .fromEnvironment, decoder: JPEGDecoder = JPEGDecoder()) {
        self.input = input
        self.kernels = kernels
        self.decoder = decoder
        converter = RGBConverter(kernels: kernels, decoder: decoder)
    }

    deinit {
        plan?.deallocate()
        yuvPlan?.deallocate()
    }

    /// Preprocesses a frame of any supported format into `tensor` (reshaped to ``ModelInput/shape``).
    @discardableResult
    public func run(_ frame: Frame, into tensor: Tensor) throws(ImagingError) -> PreprocessReport {
        if frame.format == .mjpeg {
            return try run(jpeg: frame.bytes, origin: frame.origin, into: tensor)
        }
        let k = kernels.family
        let t0 = Timestamp.now()
        let base = frame.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let letterbox = Letterbox(sourceWidth: frame.width, sourceHeight: frame.height, input: input)
        let resized = letterbox.contentWidth != frame.width || letterbox.contentHeight != frame.height
        if resized && (frame.format == .yuyv || frame.format == .nv12) {
            // Resized YUYV or NV12: one fused pass from the camera's bytes (no full-size RGB image).
            if frame.format == .yuyv {
                packYUYV(base, frame.stride, frame.width, frame.height, letterbox: letterbox, into: tensor, k)
            } else {
                let uv = base + frame.stride * frame.height
                packYUV(
                    y: base, yStride: frame.stride, u: uv, v: uv + 1, chromaStride: frame.stride, chromaStep: 2,
                    width: frame.width, height: frame.height, chromaX: 2, chromaY: 2, range: .limited,
                    letterbox: letterbox, into: tensor, k)
            }
            let t1 = Timestamp.now()
            return PreprocessReport(
                origin: frame.origin, sourceFormat: frame.format, sourceWidth: frame.width,
                sourceHeight: frame.height, jpeg: nil, scale: .one, decodedWidth: frame.width,
                decodedHeight: frame.height, letterbox: letterbox, shape: tensor.shape, kernels: kernels,
                decodeSeconds: 0, convertSeconds: 0, resizePackSeconds: t1.seconds(since: t0))
        }
        // Anything else as packed RGB: RGB and BGR frames where they lie, the others converted.
        let image = try converter.convert(frame, into: rgb)
        let swap = (input.channelOrder == .bgr) != (image.order == .bgr)
        let t1 = Timestamp.now()
        pack(image.pixels, image.stride, image.width, image.height, swap: swap, letterbox: letterbox, into: tensor, k)
        let t2 = Timestamp.now()
        return PreprocessReport(
            origin: frame.origin, sourceFormat: frame.format, sourceWidth: frame.width,
            sourceHeight: frame.height, jpeg: nil, scale: .one, decodedWidth: frame.width,
            decodedHeight: frame.height, letterbox: letterbox, shape: tensor.shape, kernels: kernels,
            decodeSeconds: 0, convertSeconds: t1.seconds(since: t0), resizePackSeconds: t2.seconds(since: t1))
    }

    /// Preprocesses one JPEG image into `tensor`.
    @discardableResult
    public func run(jpeg: UnsafeRawBufferPointer, origin: String, into tensor: Tensor) throws(ImagingError) -> PreprocessReport {
        let t0 = Timestamp.now()
        let header = try decoder.readHeader(jpeg, origin: origin)
        let letterbox = Letterbox(sourceWidth: header.width, sourceHeight: header.height, input: input)
        let scale = dctScaling.factor(
            covering: letterbox.contentWidth, letterbox.contentHeight, width: header.width, height: header.height)
        let k = kernels.family
        let hasPlanes = header.colorSpace == .ycbcr && header.subsampling.chromaFactors != nil
        if jpegPath == .yuvPlanes || (jpegPath == .auto && hasPlanes) {
            let decoded = try decoder.decodePlanes(jpeg, origin: origin, header: header, scale: scale, into: planes)
            let t1 = Timestamp.now()
            let y = UnsafePointer(planes.pointer.assumingMemoryBound(to: UInt8.self))
            packYUV(
                y: y, yStride: decoded.yStride, u: y + decoded.cbOffset, v: y + decoded.crOffset,
                chromaStride: decoded.chromaStride, chromaStep: 1, width: decoded.width, height: decoded.height,
                chromaX: decoded.chromaX, chromaY: decoded.chromaY, range: .full, letterbox: letterbox, into: tensor, k)
            let t2 = Timestamp.now()
            return PreprocessReport(
                origin: origin, sourceFormat: .mjpeg, sourceWidth: header.width, sourceHeight: header.height,
                jpeg: header, scale: scale, jpegPath: .yuvPlanes, decodedWidth: decoded.width,
                decodedHeight: decoded.height, letterbox: letterbox, shape: tensor.shape, kernels: kernels,
                decodeSeconds: t1.seconds(since: t0), convertSeconds: 0, resizePackSeconds: t2.seconds(since: t1))
        }
        let decoded = try decoder.decode(jpeg, origin: origin, header: header, scale: scale, format: .rgb24, into: rgb)
        let t1 = Timestamp.now()
        pack(
            UnsafePointer(rgb.pointer.assumingMemoryBound(to: UInt8.self)), decoded.stride, decoded.width,
            decoded.height, swap: input.channelOrder == .bgr, letterbox: letterbox, into: tensor, k)
        let t2 = Timestamp.now()
        return PreprocessReport(
            origin: origin, sourceFormat: .mjpeg, sourceWidth: header.width, sourceHeight: header.height,
            jpeg: header, scale: scale, jpegPath: .rgb, decodedWidth: decoded.width, decodedHeight: decoded.height,
            letterbox: letterbox, shape: tensor.shape, kernels: kernels,
            decodeSeconds: t1.seconds(since: t0), convertSeconds: 0, resizePackSeconds: t2.seconds(since: t1))
    }

    /// Resizes an RGB image into the letterbox's content rectangle of the tensor, normalising
    /// and packing planes on the way, then fills the padding.
    private func pack(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int, swap: Bool,
        letterbox: Letterbox, into tensor: Tensor, _ k: any PixelKernels.Type
    ) {
        tensor.reshape(n: 1, c: 3, h: input.height, w: input.width)
        let w = input.width, h = input.height
        let planeStride = w * h
        let scale = input.scale, bias = input.bias
        let out = tensor.pointer
        let dst = out + letterbox.contentY * w + letterbox.contentX
        let cw = letterbox.contentWidth, ch = letterbox.contentHeight
        if cw == width && ch == height {
            k.packPlanar(
                src: src, srcStride: srcStride, width: width, height: height, dst: dst, dstRowStride: w,
                dstPlaneStride: planeStride, scale: SIMD4(scale, 0), bias: SIMD4(bias, 0), swapRB: swap)
        } else {
            let plan = resizePlan(width, height, letterbox)
            k.resizePack(
                plan: plan, src: src, srcStride: srcStride, dst: dst, dstRowStride: w, dstPlaneStride: planeStride,
                scale: SIMD4(scale, 0), bias: SIMD4(bias, 0), swapRB: swap)
        }
        fillPadding(letterbox, tensor, k)
    }

    /// Resizes a packed YUYV frame into the letterbox's content rectangle in one fused pass
    /// (`resizePackYUYV`: vertical filter on the YUYV bytes, horizontal filter, YUV → RGB on the
    /// output pixels, packing), then fills the padding.
    private func packYUYV(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int, letterbox: Letterbox,
        into tensor: Tensor, _ k: any PixelKernels.Type
    ) {
        tensor.reshape(n: 1, c: 3, h: input.height, w: input.width)
        let w = input.width
        let dst = tensor.pointer + letterbox.contentY * w + letterbox.contentX
        let plan = resizePlan(width, height, letterbox)
        k.resizePackYUYV(
            plan: plan, src: src, srcStride: srcStride, range: .limited, dst: dst, dstRowStride: w,
            dstPlaneStride: w * input.height, scale: SIMD4(input.scale, 0), bias: SIMD4(input.bias, 0),
            swapRB: input.channelOrder == .bgr)
        fillPadding(letterbox, tensor, k)
    }

    /// Resizes Y and chroma planes (`chromaX × chromaY` subsampled; separate planes with
    /// `chromaStep` 1, interleaved pairs with 2) into the letterbox's content rectangle in one
    /// fused pass (`resizePackYUV`: each plane resampled at its own resolution, YUV → RGB on the
    /// output pixels, packing), then fills the padding.
    private func packYUV(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int,
        chromaStep: Int, width: Int, height: Int, chromaX: Int, chromaY: Int, range: YUVRange, letterbox: Letterbox,
        into tensor: Tensor, _ k: any PixelKernels.Type
    ) {
        tensor.reshape(n: 1, c: 3, h: input.height, w: input.width)
        let w = input.width
        let dst = tensor.pointer + letterbox.contentY * w + letterbox.contentX
        let key = (width, height, chromaX, chromaY, letterbox.contentWidth, letterbox.contentHeight)
        if yuvPlan == nil || yuvPlanKey != key {
            yuvPlan?.deallocate()
            // Sizes are positive and bounded by the header checks, factors are 1, 2 or 4.
            yuvPlan = YUVResizePlan(
                width: width, height: height, chromaX: chromaX, chromaY: chromaY, dstWidth: letterbox.contentWidth,
                dstHeight: letterbox.contentHeight, mode: input.interpolation == .area ? .area : .bilinear)!
            yuvPlanKey = key
        }
        k.resizePackYUV(
            plan: yuvPlan!, y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep,
            range: range, dst: dst, dstRowStride: w, dstPlaneStride: w * input.height, scale: SIMD4(input.scale, 0),
            bias: SIMD4(input.bias, 0), swapRB: input.channelOrder == .bgr)
        fillPadding(letterbox, tensor, k)
    }

    /// The resize plan from `width × height` to the letterbox's content size, made once per
    /// geometry and reused.
    private func resizePlan(_ width: Int, _ height: Int, _ letterbox: Letterbox) -> ResizePlan {
        let key = (width, height, letterbox.contentWidth, letterbox.contentHeight)
        if let plan, planKey == key { return plan }
        plan?.deallocate()
        // Sizes are positive and bounded by the header checks, so a plan always exists.
        let made = ResizePlan(
            srcWidth: width, srcHeight: height, dstWidth: letterbox.contentWidth, dstHeight: letterbox.contentHeight,
            channels: 3, mode: input.interpolation == .area ? .area : .bilinear)!
        plan = made
        planKey = key
        return made
    }

    /// Fills the tensor outside the letterbox's content rectangle with the padding value, unless
    /// the tensor records that it already holds exactly that padding (``Tensor/padding``): a
    /// reused tensor fed frames of one size keeps its padding from the first frame.
    private func fillPadding(_ letterbox: Letterbox, _ tensor: Tensor, _ k: any PixelKernels.Type) {
        let w = input.width, h = input.height
        let planeStride = w * h
        let scale = input.scale, bias = input.bias
        let ch = letterbox.contentHeight, cw = letterbox.contentWidth
        let pad = Float(input.padValue)
        let padValue = SIMD3<Float>(pad, pad, pad) * scale + bias
        let wanted = PaddingFill(
            width: w, height: h, contentX: letterbox.contentX, contentY: letterbox.contentY, contentWidth: cw,
            contentHeight: ch, value: padValue)
        if tensor.padding == wanted { return }
        let out = tensor.pointer
        // Padding: the bands above and below the content, then the columns beside it.
        func fill(_ x: Int, _ y: Int, _ bw: Int, _ bh: Int) {
            if bw > 0 && bh > 0 {
                k.fillPlanar(
                    dst: out, dstRowStride: w, dstPlaneStride: planeStride, x: x, y: y, width: bw, height: bh,
                    value: SIMD4(padValue, 0))
            }
        }
        fill(0, 0, w, letterbox.contentY)
        fill(0, letterbox.contentY + ch, w, h - letterbox.contentY - ch)
        fill(0, letterbox.contentY, letterbox.contentX, ch)
        fill(letterbox.contentX + cw, letterbox.contentY, w - letterbox.contentX - cw, ch)
        tensor.padding = wanted
    }
}
