/// How the bytes of a frame are laid out.
///
/// Raw formats describe one plane (or, for NV12, a luma plane followed by an interleaved
/// chroma plane with the same stride). `mjpeg` frames are compressed: their byte count is
/// whatever the encoder produced and `stride` is meaningless.
public enum PixelFormat: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    /// 8-bit R, G, B interleaved.
    case rgb24
    /// 8-bit B, G, R interleaved.
    case bgr24
    /// 8-bit luma only.
    case grey
    /// 4:2:2 packed Y0 U Y1 V (V4L2_PIX_FMT_YUYV).
    case yuyv
    /// 4:2:0, a Y plane then an interleaved U V plane at half height (V4L2_PIX_FMT_NV12).
    case nv12
    /// A complete JPEG image (V4L2_PIX_FMT_MJPEG, or a file).
    case mjpeg

    public var description: String { rawValue }

    /// True when the frame must be decoded before its pixels can be read.
    public var isCompressed: Bool { self == .mjpeg }

    /// Bytes one row of `width` pixels needs without padding, for the first plane.
    /// Nil for compressed formats.
    /// Nil for compressed formats and for widths outside 0...``maximumDimension``.
    public func minimumStride(width: Int) -> Int? {
        guard (0...Self.maximumDimension).contains(width) else { return nil }
        switch self {
        case .rgb24, .bgr24: return width * 3
        case .grey, .nv12: return width
        case .yuyv: return ((width + 1) / 2) * 4
        case .mjpeg: return nil
        }
    }

    /// The largest width or height of a frame (JPEG's own limit, and far beyond any camera's),
    /// so that sizes from outside can never overflow the byte arithmetic.
    public static let maximumDimension = 65_535

    /// Bytes a whole frame needs with rows `stride` bytes apart. Nil for compressed formats.
    ///
    /// The last row is counted at its minimum length, so a buffer whose final row is not padded
    /// still validates (drivers are allowed to hand out such buffers).
    public func minimumByteCount(width: Int, height: Int, stride: Int) -> Int? {
        guard let row = minimumStride(width: width), width > 0, height > 0, height <= Self.maximumDimension,
            (0...(1 << 24)).contains(stride)
        else { return nil }
        switch self {
        case .nv12:
            let chromaRows = (height + 1) / 2
            let chromaRow = ((width + 1) / 2) * 2
            return stride * height + stride * (chromaRows - 1) + chromaRow
        default:
            return stride * (height - 1) + row
        }
    }
}
