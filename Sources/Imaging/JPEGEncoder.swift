internal import CTurboJPEG
public import SightlineCore

/// Encodes 8-bit images to JPEG with libjpeg-turbo (for recording, overlays and test inputs).
///
/// Not thread-safe: one encoder per thread.
public final class JPEGEncoder {
    private let handle: tjhandle

    public init() {
        guard let h = tjInitCompress() else {
            fatalError("tjInitCompress failed: \(String(cString: tjGetErrorStr2(nil)))")
        }
        handle = h
    }

    deinit { tjDestroy(handle) }

    /// Encodes `width`x`height` pixels of `format` (rgb24, bgr24 or grey) with rows `stride`
    /// bytes apart. `subsampling` is ignored for grey input (always greyscale output).
    public func encode(
        _ pixels: UnsafeRawPointer, width: Int, height: Int, stride: Int, format: PixelFormat,
        quality: Int = 90, subsampling: ChromaSubsampling = .s420, progressive: Bool = false,
        origin: String = "encoder input"
    ) throws(ImagingError) -> [UInt8] {
        let pixelFormat: Int32
        switch format {
        case .rgb24: pixelFormat = Int32(TJPF_RGB.rawValue)
        case .bgr24: pixelFormat = Int32(TJPF_BGR.rawValue)
        case .grey: pixelFormat = Int32(TJPF_GRAY.rawValue)
        default: throw .unsupportedFormat(origin: origin, format: format, operation: "JPEG encoding")
        }
        guard width > 0, height > 0, width <= 65535, height <= 65535 else {
            throw .badDimensions(origin: origin, width: width, height: height, limit: 65535 * 65535)
        }
        let samp = format == .grey ? Int32(TJSAMP_GRAY.rawValue) : (subsampling.tj ?? Int32(TJSAMP_420.rawValue))
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        let flags = progressive ? sl_TJFLAG_PROGRESSIVE : 0
        let rc = tjCompress2(
            handle, pixels.assumingMemoryBound(to: UInt8.self), Int32(width), Int32(stride), Int32(height),
            pixelFormat, &out, &size, samp, Int32(max(1, min(100, quality))), flags)
        defer { if let out { tjFree(out) } }
        guard rc == 0, let out else {
            let message = tjGetErrorStr2(handle).map { String(cString: $0) } ?? "unknown error"
            throw .codecFailure(origin: origin, detail: message)
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }

    /// Encodes a raw frame (rgb24, bgr24 or grey).
    public func encode(_ frame: Frame, quality: Int = 90, subsampling: ChromaSubsampling = .s420) throws(ImagingError) -> [UInt8] {
        try encode(
            frame.bytes.baseAddress!, width: frame.width, height: frame.height, stride: frame.stride,
            format: frame.format, quality: quality, subsampling: subsampling, origin: frame.origin)
    }
}
