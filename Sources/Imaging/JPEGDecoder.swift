internal import CTurboJPEG
public import SightlineCore

/// Chroma subsampling of a JPEG, as libjpeg-turbo reports it.
public enum ChromaSubsampling: String, Sendable {
    case s444 = "4:4:4", s422 = "4:2:2", s420 = "4:2:0", grey = "grey", s440 = "4:4:0", s411 = "4:1:1"
    case unknown

    /// The subsampling of a three-component JPEG with these (horizontal, vertical) sampling
    /// factors per component, when it is one libjpeg-turbo names; nil otherwise (4:1:0 …).
    init?(factors: [JPEGInfo.SamplingFactor]) {
        guard factors.count == 3, factors[1] == factors[2], factors[1].horizontal == 1, factors[1].vertical == 1 else { return nil }
        switch (factors[0].horizontal, factors[0].vertical) {
        case (1, 1): self = .s444
        case (2, 1): self = .s422
        case (2, 2): self = .s420
        case (1, 2): self = .s440
        case (4, 1): self = .s411
        default: return nil
        }
    }

    init(tj value: Int32) {
        switch value {
        case Int32(TJSAMP_444.rawValue): self = .s444
        case Int32(TJSAMP_422.rawValue): self = .s422
        case Int32(TJSAMP_420.rawValue): self = .s420
        case Int32(TJSAMP_GRAY.rawValue): self = .grey
        case Int32(TJSAMP_440.rawValue): self = .s440
        case Int32(TJSAMP_411.rawValue): self = .s411
        default: self = .unknown
        }
    }

    /// Horizontal and vertical chroma subsampling factors (nil for greyscale and unknown).
    public var chromaFactors: (x: Int, y: Int)? {
        switch self {
        case .s444: return (1, 1)
        case .s422: return (2, 1)
        case .s420: return (2, 2)
        case .s440: return (1, 2)
        case .s411: return (4, 1)
        case .grey, .unknown: return nil
        }
    }

    var tj: Int32? {
        switch self {
        case .s444: return Int32(TJSAMP_444.rawValue)
        case .s422: return Int32(TJSAMP_422.rawValue)
        case .s420: return Int32(TJSAMP_420.rawValue)
        case .grey: return Int32(TJSAMP_GRAY.rawValue)
        case .s440: return Int32(TJSAMP_440.rawValue)
        case .s411: return Int32(TJSAMP_411.rawValue)
        case .unknown: return nil
        }
    }
}

/// The colour space of the JPEG's coded data.
public enum JPEGColorSpace: String, Sendable {
    case rgb, ycbcr = "YCbCr", grey, cmyk = "CMYK", ycck = "YCCK", unknown
}

/// Everything known about a JPEG before decoding it.
public struct JPEGHeader: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var subsampling: ChromaSubsampling
    public var colorSpace: JPEGColorSpace
    public var process: JPEGInfo.Process
}

/// One of libjpeg-turbo's DCT-domain scaling factors (num/denom, from 1/8 up to 1 here).
///
/// Scaling in the DCT domain skips most of the inverse transform and all of the full-size
/// colour conversion and upsampling, so decoding a 1920x1080 frame at 1/4 costs a fraction of a
/// full decode.
public struct ScalingFactor: Sendable, Hashable, CustomStringConvertible {
    public var num: Int
    public var denom: Int

    public init(num: Int, denom: Int) { (self.num, self.denom) = (num, denom) }

    public static let one = ScalingFactor(num: 1, denom: 1)

    /// The size libjpeg-turbo gives a dimension at this scale (TJSCALED: rounds up).
    public func scaled(_ dimension: Int) -> Int { (dimension * num + denom - 1) / denom }

    public var value: Double { Double(num) / Double(denom) }

    public var description: String { num == denom ? "1" : "\(num)/\(denom)" }

    /// The factors the linked libjpeg-turbo offers that do not enlarge, smallest first.
    public static let available: [ScalingFactor] = {
        var count: Int32 = 0
        guard let list = tjGetScalingFactors(&count) else { return [.one] }
        return (0..<Int(count))
            .map { ScalingFactor(num: Int(list[$0].num), denom: Int(list[$0].denom)) }
            .filter { $0.num <= $0.denom }
            .sorted { $0.value < $1.value }
    }()

    /// The smallest factor whose output still covers `minWidth`x`minHeight`: the decode
    /// produces no more pixels than the model will look at, and never fewer.
    public static func smallest(covering minWidth: Int, _ minHeight: Int, width: Int, height: Int) -> ScalingFactor {
        first(of: available, covering: minWidth, minHeight, width: width, height: height)
    }

    /// The first of `factors` (smallest first) whose output covers `minWidth`x`minHeight`, else 1.
    private static func first(
        of factors: [ScalingFactor], covering minWidth: Int, _ minHeight: Int, width: Int, height: Int
    ) -> ScalingFactor {
        factors.first { $0.scaled(width) >= minWidth && $0.scaled(height) >= minHeight } ?? .one
    }

    /// The factors libjpeg-turbo decodes fastest: its SIMD code covers the 8x8, 4x4 and 2x2
    /// inverse DCTs (scales 1, 1/2, 1/4) and 1/8 needs only the DC coefficient; the other
    /// factors (3/8, 5/8, 3/4, 7/8) run plain C transforms.
    public static let accelerated: [ScalingFactor] = [.init(num: 1, denom: 8), .init(num: 1, denom: 4), .init(num: 1, denom: 2), .one]

    /// The smallest *accelerated* factor whose output covers `minWidth`x`minHeight`.
    ///
    /// Measured with tjbench (libjpeg-turbo 2.1.5, x86_64) on a 1280x720 q85 frame: 1/2 decodes
    /// in 1.54 ms but 3/8 takes 1.81 ms although it makes fewer pixels; at 1920x1080, 1/2 takes
    /// 3.48 ms and 3/8 3.99 ms; 5/8, 3/4 and 7/8 are all slower than a full-size decode. The
    /// resize after the decode then has a little more to do, which costs far less.
    public static func fastest(covering minWidth: Int, _ minHeight: Int, width: Int, height: Int) -> ScalingFactor {
        first(of: accelerated, covering: minWidth, minHeight, width: width, height: height)
    }
}

/// How the JPEG path picks its DCT scale.
public enum DCTScaling: String, Sendable, CaseIterable {
    /// Decode at full size and only resample (what most pipelines do).
    case off
    /// The smallest libjpeg-turbo factor that still covers what the model sees.
    case smallest
    /// The smallest covering factor among those libjpeg-turbo decodes fastest (the default).
    case fastest

    /// The factor for a `width`x`height` JPEG whose picture fills `minWidth`x`minHeight`.
    public func factor(covering minWidth: Int, _ minHeight: Int, width: Int, height: Int) -> ScalingFactor {
        switch self {
        case .off: return .one
        case .smallest: return ScalingFactor.smallest(covering: minWidth, minHeight, width: width, height: height)
        case .fastest: return ScalingFactor.fastest(covering: minWidth, minHeight, width: width, height: height)
        }
    }
}

/// An image decoded into an ``ImageBuffer``.
public struct DecodedImage: Sendable, Equatable {
    public var format: PixelFormat
    public var width: Int
    public var height: Int
    public var stride: Int
    public var scale: ScalingFactor
}

/// A JPEG decoded into Y, Cb, Cr planes in an ``ImageBuffer`` (see
/// ``JPEGDecoder/decodePlanes(_:origin:header:scale:into:)``).
public struct DecodedPlanes: Sendable, Equatable {
    /// The picture's size (the luma plane may be a column or row larger, see `strides`).
    public var width: Int
    public var height: Int
    /// Chroma subsampling factors: (2, 2) for 4:2:0, (2, 1) for 4:2:2, (1, 1) for 4:4:4 …
    public var chromaX: Int
    public var chromaY: Int
    /// Byte offsets of the Cb and Cr planes in the buffer (Y starts at 0), and the row strides
    /// of the Y plane and of the two chroma planes.
    public var cbOffset: Int
    public var crOffset: Int
    public var yStride: Int
    public var chromaStride: Int
    /// Size of the chroma planes.
    public var chromaWidth: Int { (width + chromaX - 1) / chromaX }
    public var chromaHeight: Int { (height + chromaY - 1) / chromaY }
    public var scale: ScalingFactor
}

/// Decodes JPEGs with libjpeg-turbo, optionally scaled in the DCT domain.
///
/// A decoder holds a TurboJPEG handle and is not thread-safe: give each thread its own.
/// Reuse it (and the destination buffer) across frames; neither allocates once warm.
public final class JPEGDecoder {
    /// Images with more pixels than this are refused from their header, before any pixel
    /// memory is allocated. The default (128 megapixels) is far above any camera Sightline reads.
    public var maxPixels: Int
    /// Use libjpeg-turbo's fast integer IDCT and fast upsampling (slightly less accurate).
    public var fast: Bool
    /// Accept images whose data libjpeg-turbo only warns about (e.g. extraneous bytes).
    /// Off by default: a truncated camera frame is reported, not shown half-grey.
    public var tolerateWarnings: Bool

    /// The TurboJPEG handle. Replaced by a fresh one after any failure: libjpeg-turbo 2.1 does
    /// not reset a handle's state after an error, so the next header read on it "succeeds"
    /// with a size of 0x0 and the next decode writes past its buffer.
    private var handle: tjhandle

    public init(maxPixels: Int = 128 << 20, fast: Bool = false, tolerateWarnings: Bool = false) {
        handle = Self.makeHandle()
        self.maxPixels = maxPixels
        self.fast = fast
        self.tolerateWarnings = tolerateWarnings
    }

    deinit { tjDestroy(handle) }

    private static func makeHandle() -> tjhandle {
        guard let h = tjInitDecompress() else {
            fatalError("tjInitDecompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        return h
    }

    /// The handle's error message, then a fresh handle in place of the failed one.
    private func failure() -> String {
        let message = lastError()
        tjDestroy(handle)
        handle = Self.makeHandle()
        return message
    }

    /// Reads and validates the header. Throws for non-JPEG data, unsupported kinds (CMYK,
    /// lossless, 12-bit) and sizes of zero or above ``maxPixels``.
    public func readHeader(_ jpeg: UnsafeRawBufferPointer, origin: String) throws(ImagingError) -> JPEGHeader {
        let info = try JPEGInfo.parse(jpeg, origin: origin)
        guard info.precision == 8 else {
            throw .unsupportedJPEG(origin: origin, detail: "\(info.precision)-bit samples (only 8-bit is supported)")
        }
        switch info.process {
        case .lossless, .arithmeticLossless, .hierarchical:
            throw .unsupportedJPEG(origin: origin, detail: "\(info.process.rawValue) coding")
        default: break
        }
        guard info.width > 0, info.height > 0, info.width * info.height <= maxPixels else {
            throw .badDimensions(origin: origin, width: info.width, height: info.height, limit: maxPixels)
        }
        var w: Int32 = 0, h: Int32 = 0, subsamp: Int32 = 0, cs: Int32 = 0
        let rc = tjDecompressHeader3(
            handle, jpeg.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
            &w, &h, &subsamp, &cs)
        if rc != 0 {
            let message = failure()
            // libjpeg-turbo 2.1 names six subsamplings; a valid YCbCr JPEG with another one
            // (4:1:0, `cjpeg -sample 4x2`) still decodes to RGB, with subsampling `unknown`.
            guard info.components == 3, info.samplingFactors.count == 3, ChromaSubsampling(factors: info.samplingFactors) == nil,
                message.contains("subsampling")
            else { throw .corruptJPEG(origin: origin, detail: message) }
            return JPEGHeader(width: info.width, height: info.height, subsampling: .unknown, colorSpace: .ycbcr, process: info.process)
        }
        guard Int(w) == info.width, Int(h) == info.height else {
            _ = failure()
            throw .corruptJPEG(
                origin: origin, detail: "the frame header says \(info.width)x\(info.height), the decoder read \(w)x\(h)")
        }
        let colorSpace: JPEGColorSpace
        switch cs {
        case Int32(TJCS_RGB.rawValue): colorSpace = .rgb
        case Int32(TJCS_YCbCr.rawValue): colorSpace = .ycbcr
        case Int32(TJCS_GRAY.rawValue): colorSpace = .grey
        case Int32(TJCS_CMYK.rawValue): colorSpace = .cmyk
        case Int32(TJCS_YCCK.rawValue): colorSpace = .ycck
        default: colorSpace = .unknown
        }
        guard colorSpace != .cmyk, colorSpace != .ycck else {
            throw .unsupportedJPEG(origin: origin, detail: "\(colorSpace.rawValue) colour (convert it to RGB first)")
        }
        return JPEGHeader(
            width: Int(w), height: Int(h), subsampling: ChromaSubsampling(tj: subsamp),
            colorSpace: colorSpace, process: info.process)
    }

    /// Decodes `jpeg` at `scale` into `buffer` as `format` (rgb24, bgr24 or grey).
    @discardableResult
    public func decode(
        _ jpeg: UnsafeRawBufferPointer, origin: String, header knownHeader: JPEGHeader? = nil,
        scale: ScalingFactor = .one, format: PixelFormat = .rgb24, into buffer: ImageBuffer
    ) throws(ImagingError) -> DecodedImage {
        let header: JPEGHeader
        if let given = knownHeader { header = given } else { header = try readHeader(jpeg, origin: origin) }
        let pixelFormat: Int32
        switch format {
        case .rgb24: pixelFormat = Int32(TJPF_RGB.rawValue)
        case .bgr24: pixelFormat = Int32(TJPF_BGR.rawValue)
        case .grey: pixelFormat = Int32(TJPF_GRAY.rawValue)
        default: throw .unsupportedFormat(origin: origin, format: format, operation: "JPEG decoding")
        }
        let width = scale.scaled(header.width)
        let height = scale.scaled(header.height)
        let stride = format.minimumStride(width: width)!
        buffer.reserve(stride * height)
        var flags = sl_TJFLAG_LIMITSCANS | sl_TJFLAG_NOREALLOC
        if fast { flags |= sl_TJFLAG_FASTDCT | sl_TJFLAG_FASTUPSAMPLE }
        if !tolerateWarnings { flags |= sl_TJFLAG_STOPONWARNING }
        let rc = tjDecompress2(
            handle, jpeg.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
            buffer.pointer.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(stride), Int32(height),
            pixelFormat, flags)
        if rc != 0 {
            let isWarning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
            let message = failure()
            if !(isWarning && tolerateWarnings) { throw .corruptJPEG(origin: origin, detail: message) }
        }
        return DecodedImage(format: format, width: width, height: height, stride: stride, scale: scale)
    }

    /// Decodes a YCbCr `jpeg` at `scale` into Y, Cb and Cr planes in `buffer`
    /// (`tjDecompressToYUVPlanes`): the DCT-domain scaling, but neither libjpeg-turbo's chroma
    /// upsampling nor its colour conversion. Planes have libjpeg-turbo's sizes (`tjPlaneWidth`,
    /// `tjPlaneHeight`: the luma plane padded to a whole chroma block, chroma at its subsampled
    /// size) and are stored one after the other. Throws for greyscale, RGB-coded and
    /// unknown-subsampling JPEGs (decode those with ``decode(_:origin:header:scale:format:into:)``).
    @discardableResult
    public func decodePlanes(
        _ jpeg: UnsafeRawBufferPointer, origin: String, header knownHeader: JPEGHeader? = nil,
        scale: ScalingFactor = .one, into buffer: ImageBuffer
    ) throws(ImagingError) -> DecodedPlanes {
        let header: JPEGHeader
        if let given = knownHeader { header = given } else { header = try readHeader(jpeg, origin: origin) }
        guard header.colorSpace == .ycbcr, let factors = header.subsampling.chromaFactors, let sub = header.subsampling.tj
        else {
            throw .unsupportedJPEG(
                origin: origin,
                detail: "\(header.colorSpace.rawValue) \(header.subsampling.rawValue) has no Y, Cb, Cr planes to decode to")
        }
        let width = scale.scaled(header.width)
        let height = scale.scaled(header.height)
        let yStride = Int(tjPlaneWidth(0, Int32(width), sub)), yRows = Int(tjPlaneHeight(0, Int32(height), sub))
        let cStride = Int(tjPlaneWidth(1, Int32(width), sub)), cRows = Int(tjPlaneHeight(1, Int32(height), sub))
        guard yStride > 0, yRows > 0, cStride > 0, cRows > 0 else {
            throw .corruptJPEG(origin: origin, detail: failure())
        }
        let cbOffset = yStride * yRows, crOffset = cbOffset + cStride * cRows
        buffer.reserve(crOffset + cStride * cRows)
        let base = buffer.pointer.assumingMemoryBound(to: UInt8.self)
        var planes: (UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?, UnsafeMutablePointer<UInt8>?) =
            (base, base + cbOffset, base + crOffset)
        var strides: (Int32, Int32, Int32) = (Int32(yStride), Int32(cStride), Int32(cStride))
        var flags = sl_TJFLAG_LIMITSCANS
        if fast { flags |= sl_TJFLAG_FASTDCT }
        if !tolerateWarnings { flags |= sl_TJFLAG_STOPONWARNING }
        let rc = withUnsafeMutableBytes(of: &planes) { p in
            withUnsafeMutableBytes(of: &strides) { s in
                tjDecompressToYUVPlanes(
                    handle, jpeg.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt(jpeg.count),
                    p.baseAddress!.assumingMemoryBound(to: UnsafeMutablePointer<UInt8>?.self), Int32(width),
                    s.baseAddress!.assumingMemoryBound(to: Int32.self), Int32(height), flags)
            }
        }
        if rc != 0 {
            let isWarning = tjGetErrorCode(handle) == Int32(TJERR_WARNING.rawValue)
            let message = failure()
            if !(isWarning && tolerateWarnings) { throw .corruptJPEG(origin: origin, detail: message) }
        }
        return DecodedPlanes(
            width: width, height: height, chromaX: factors.x, chromaY: factors.y, cbOffset: cbOffset,
            crOffset: crOffset, yStride: yStride, chromaStride: cStride, scale: scale)
    }

    private func lastError() -> String {
        guard let s = tjGetErrorStr2(handle) else { return "unknown error" }
        return String(cString: s)
    }
}
