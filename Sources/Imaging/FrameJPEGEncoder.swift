public import SightlineCore

/// Camera frames to JPEG, for recording: YUYV/NV12 (limited-range BT.601, as V4L2 cameras deliver) through
/// Imaging's ``RGBConverter``, then libjpeg-turbo; RGB, BGR and GREY frames as they are. Reuses
/// its RGB buffer.
public final class FrameJPEGEncoder {
    /// JPEG quality for raw frames (1-100).
    public let quality: Int
    private let converter = RGBConverter()
    private let encoder = JPEGEncoder()
    private let rgb = ImageBuffer()

    /// An encoder writing raw frames at `quality`.
    public init(quality: Int) { self.quality = quality }

    /// The frame as a JPEG: a JPEG frame's own bytes, any other encoded.
    public func encode(_ frame: Frame) throws(ImagingError) -> [UInt8] {
        switch frame.format {
        case .rgb24, .bgr24, .grey:
            return try encoder.encode(
                frame.bytes.baseAddress!, width: frame.width, height: frame.height, stride: frame.stride, format: frame.format,
                quality: quality, origin: frame.origin)
        case .yuyv, .nv12:
            let image = try converter.convert(frame, into: rgb)
            return try encoder.encode(
                image.pixels, width: image.width, height: image.height, stride: image.stride, format: .rgb24, quality: quality,
                origin: frame.origin)
        case .mjpeg:
            return Array(frame.bytes)
        }
    }
}
