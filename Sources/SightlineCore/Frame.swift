/// One picture from a source, with where and when it came from.
///
/// A frame does not copy its pixels: it holds a reference to the storage they live in (an
/// ``ImageBuffer`` it owns, or a driver buffer it borrows) and the count of bytes in use.
public struct Frame: Sendable {
    public let format: PixelFormat
    public let width: Int
    public let height: Int
    /// Bytes from the start of one row to the next (first plane). Zero for compressed frames.
    public let stride: Int
    /// When the frame was captured, on the monotonic clock.
    public let timestamp: Timestamp
    /// The source's frame counter; gaps mean frames were dropped before they reached us.
    public let sequence: UInt64
    /// Names the input in messages: a file path, or a device and frame index.
    public let origin: String
    /// Keeps the bytes alive.
    public let storage: any FrameStorage
    /// How many bytes of `storage` belong to this frame.
    public let byteCount: Int

    /// Makes a frame after checking that the storage holds enough bytes for the format,
    /// size and stride, so no kernel downstream can read past the end.
    public init(
        format: PixelFormat, width: Int, height: Int, stride: Int? = nil,
        timestamp: Timestamp = .now(), sequence: UInt64 = 0, origin: String,
        storage: any FrameStorage, byteCount: Int? = nil
    ) throws(FrameError) {
        let count = byteCount ?? storage.bytes.count
        guard count <= storage.bytes.count, count >= 0 else {
            throw .bufferTooSmall(origin: origin, needed: count, available: storage.bytes.count)
        }
        if format.isCompressed {
            guard count > 0 else { throw .empty(origin: origin) }
            self.stride = 0
        } else {
            guard (1...PixelFormat.maximumDimension).contains(width), (1...PixelFormat.maximumDimension).contains(height),
                let minimum = format.minimumStride(width: width)
            else {
                throw .invalidDimensions(origin: origin, width: width, height: height)
            }
            let rowBytes = stride ?? minimum
            guard rowBytes >= minimum else {
                throw .strideTooSmall(origin: origin, stride: rowBytes, minimum: minimum)
            }
            guard let needed = format.minimumByteCount(width: width, height: height, stride: rowBytes) else {
                throw .bufferTooSmall(origin: origin, needed: Int.max, available: count)
            }
            guard count >= needed else {
                throw .bufferTooSmall(origin: origin, needed: needed, available: count)
            }
            self.stride = rowBytes
        }
        self.format = format
        self.width = width
        self.height = height
        self.timestamp = timestamp
        self.sequence = sequence
        self.origin = origin
        self.storage = storage
        self.byteCount = count
    }

    /// The frame's bytes; valid while the frame (and so its storage) is alive.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: storage.bytes[0..<byteCount])
    }
}

/// Why a frame could not be made or used.
public enum FrameError: Error, Equatable, CustomStringConvertible {
    case invalidDimensions(origin: String, width: Int, height: Int)
    case strideTooSmall(origin: String, stride: Int, minimum: Int)
    case bufferTooSmall(origin: String, needed: Int, available: Int)
    case empty(origin: String)

    public var description: String {
        switch self {
        case let .invalidDimensions(origin, w, h):
            return "\(origin): invalid frame size \(w)x\(h) (each side must be between 1 and \(PixelFormat.maximumDimension))"
        case let .strideTooSmall(origin, stride, minimum):
            return "\(origin): row stride \(stride) is shorter than a row (\(minimum) bytes)"
        case let .bufferTooSmall(origin, needed, available):
            return "\(origin): frame needs \(needed) bytes but the buffer holds \(available)"
        case let .empty(origin):
            return "\(origin): empty frame"
        }
    }
}
