public import SightlineCore
internal import SightlineKernels

/// Frames as packed 8-bit RGB: the one conversion the preprocessor, the overlay and recording
/// share.
///
/// Raw frames (YUYV and NV12 as BT.601 limited range, as V4L2 cameras deliver them; GREY) go
/// through the kernel family ``KernelChoice`` selects; JPEG frames are decoded at full size by
/// libjpeg-turbo. RGB and BGR frames are used where they lie unless a writable copy is asked
/// for. Reuses its decoder; the caller owns the buffer, so one converter can fill several.
/// Not thread-safe (its decoder is not).
public final class RGBConverter {
    /// Which kernels convert raw frames.
    public let kernels: KernelChoice
    private let decoder: JPEGDecoder

    /// A converter using `kernels`, and `decoder` for JPEG frames.
    public init(kernels: KernelChoice = .fromEnvironment, decoder: JPEGDecoder = JPEGDecoder()) {
        self.kernels = kernels
        self.decoder = decoder
    }

    /// Packed 8-bit pixels, 3 bytes each, in ``order``.
    public struct Image {
        /// The first row.
        public var pixels: UnsafePointer<UInt8>
        public var width: Int
        public var height: Int
        /// Bytes from one row to the next.
        public var stride: Int
        /// `.bgr` only for a BGR frame used where it lies.
        public var order: ModelInput.ChannelOrder
    }

    /// Where ``convert(_:into:placement:)`` may leave the pixels.
    public enum Placement: Sendable {
        /// In the frame itself when it already is RGB or BGR (no copy; may be `.bgr`).
        case inPlaceIfPacked
        /// Always in the buffer, in RGB order, so the caller may draw on it.
        case writableRGB
    }

    /// The frame as packed RGB (or BGR, see ``Placement``), converted into `buffer` when needed.
    public func convert(_ frame: Frame, into buffer: ImageBuffer, placement: Placement = .inPlaceIfPacked) throws(ImagingError)
        -> Image
    {
        let w = frame.width, h = frame.height
        if frame.format == .mjpeg {
            let decoded = try decoder.decode(frame.bytes, origin: frame.origin, format: .rgb24, into: buffer)
            return Image(
                pixels: UnsafePointer(buffer.pointer.assumingMemoryBound(to: UInt8.self)), width: decoded.width,
                height: decoded.height, stride: decoded.stride, order: .rgb)
        }
        let src = frame.bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        if placement == .inPlaceIfPacked, frame.format == .rgb24 || frame.format == .bgr24 {
            return Image(pixels: src, width: w, height: h, stride: frame.stride, order: frame.format == .bgr24 ? .bgr : .rgb)
        }
        let stride = w * 3
        buffer.reserve(stride * h)
        let dst = buffer.pointer.assumingMemoryBound(to: UInt8.self)
        let k = kernels.family
        switch frame.format {
        case .rgb24:
            for row in 0..<h { (dst + row * stride).update(from: src + row * frame.stride, count: stride) }
        case .bgr24:
            k.swapRB(src: src, srcStride: frame.stride, dst: dst, dstStride: stride, width: w, height: h)
        case .grey:
            k.greyToRGB(src: src, srcStride: frame.stride, dst: dst, dstStride: stride, width: w, height: h)
        case .yuyv:
            k.yuyvToRGB(src: src, srcStride: frame.stride, dst: dst, dstStride: stride, width: w, height: h, range: .limited, swapRB: false)
        case .nv12:
            k.nv12ToRGB(
                y: src, yStride: frame.stride, uv: src + frame.stride * h, uvStride: frame.stride, dst: dst, dstStride: stride,
                width: w, height: h, range: .limited, swapRB: false)
        case .mjpeg:
            preconditionFailure("decoded above")
        }
        return Image(pixels: UnsafePointer(dst), width: w, height: h, stride: stride, order: .rgb)
    }
}
