internal import CV4L2
public import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// A V4L2 pixel format code: four ASCII characters packed little-endian (`YUYV`, `MJPG`).
public struct FourCC: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// From four characters, e.g. `FourCC("YUYV")`; nil unless exactly four ASCII characters.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        guard b.count == 4 else { return nil }
        rawValue = UInt32(b[0]) | UInt32(b[1]) << 8 | UInt32(b[2]) << 16 | UInt32(b[3]) << 24
    }

    public var description: String {
        let chars = (0..<4).map { i -> Character in
            let c = UInt8(truncatingIfNeeded: rawValue >> (8 * UInt32(i)))
            return (32...126).contains(c) ? Character(UnicodeScalar(c)) : "?"
        }
        var s = String(chars)
        while s.hasSuffix(" ") { s.removeLast() }
        return s
    }

    public static let mjpeg = FourCC(rawValue: sl_V4L2_PIX_FMT_MJPEG)
    public static let jpeg = FourCC(rawValue: sl_V4L2_PIX_FMT_JPEG)
    public static let yuyv = FourCC(rawValue: sl_V4L2_PIX_FMT_YUYV)
    public static let nv12 = FourCC(rawValue: sl_V4L2_PIX_FMT_NV12)
    public static let rgb24 = FourCC(rawValue: sl_V4L2_PIX_FMT_RGB24)
    public static let bgr24 = FourCC(rawValue: sl_V4L2_PIX_FMT_BGR24)
    public static let grey = FourCC(rawValue: sl_V4L2_PIX_FMT_GREY)

    /// The Sightline pixel format this code carries, if Sightline reads it.
    public var pixelFormat: PixelFormat? {
        switch self {
        case .mjpeg, .jpeg: return .mjpeg
        case .yuyv: return .yuyv
        case .nv12: return .nv12
        case .rgb24: return .rgb24
        case .bgr24: return .bgr24
        case .grey: return .grey
        default: return nil
        }
    }

    /// The V4L2 code for a Sightline pixel format (MJPEG for `.mjpeg`).
    public init(_ format: PixelFormat) {
        switch format {
        case .mjpeg: self = .mjpeg
        case .yuyv: self = .yuyv
        case .nv12: self = .nv12
        case .rgb24: self = .rgb24
        case .bgr24: self = .bgr24
        case .grey: self = .grey
        }
    }
}

/// Time between frames as a fraction of a second (V4L2's `timeperframe`): 1/25 is 25 fps.
public struct FrameInterval: Hashable, Sendable, CustomStringConvertible {
    public var numerator: UInt32
    public var denominator: UInt32

    public init(numerator: UInt32, denominator: UInt32) { (self.numerator, self.denominator) = (numerator, denominator) }

    /// The interval for a rate, as a fraction with a denominator of 1000 unless the rate is whole.
    public init(fps: Double) {
        if fps == fps.rounded(), fps >= 1 {
            self.init(numerator: 1, denominator: UInt32(fps))
        } else {
            self.init(numerator: 1000, denominator: UInt32(max(1, (fps * 1000).rounded())))
        }
    }

    /// Frames per second (0 for a zero interval).
    public var fps: Double { numerator == 0 ? 0 : Double(denominator) / Double(numerator) }

    public var description: String {
        let f = fps
        let text = f == f.rounded() ? "\(Int(f))" : String(format1: f)
        return "\(numerator)/\(denominator) s (\(text) fps)"
    }
}

/// A frame size in pixels.
public struct FrameSize: Hashable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { (self.width, self.height) = (width, height) }
    public var description: String { "\(width)x\(height)" }

    /// Parses `WIDTHxHEIGHT`, each side between 1 and ``PixelFormat/maximumDimension``.
    public init?(_ text: String) {
        guard case .success(let size) = Self.parse(text) else { return nil }
        self = size
    }

    /// Parses `WIDTHxHEIGHT`, or says what is wrong with it (for a message that names the option).
    public static func parse(_ text: String) -> Result<FrameSize, FrameSizeError> {
        let parts = text.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            return .failure(FrameSizeError(text: text, detail: "expected WIDTHxHEIGHT, e.g. 640x480"))
        }
        let limit = 1...PixelFormat.maximumDimension
        guard limit.contains(w), limit.contains(h) else {
            return .failure(FrameSizeError(text: text, detail: "width and height must each be between 1 and \(limit.upperBound)"))
        }
        return .success(FrameSize(width: w, height: h))
    }
}

/// What is wrong with a frame size given as text.
public struct FrameSizeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text as given.
    public var text: String
    /// What is wrong with it.
    public var detail: String
    /// `'0x0': width and height must each be between 1 and 65535`.
    public var description: String { "'\(text)': \(detail)" }
}

/// The sizes a device offers for one format (`VIDIOC_ENUM_FRAMESIZES`).
public enum FrameSizes: Hashable, Sendable {
    /// A list of sizes, each with the intervals `VIDIOC_ENUM_FRAMEINTERVALS` gave for it.
    case discrete([DiscreteSize])
    /// Any size in a range, in steps (step 1 for "continuous").
    case stepwise(min: FrameSize, max: FrameSize, stepWidth: Int, stepHeight: Int)
    /// The driver does not enumerate sizes.
    case unknown

    /// One discrete size and its frame intervals (empty when the driver lists none).
    public struct DiscreteSize: Hashable, Sendable {
        public var size: FrameSize
        public var intervals: [FrameInterval]
        public init(size: FrameSize, intervals: [FrameInterval]) { (self.size, self.intervals) = (size, intervals) }
    }
}

/// One format a device offers (`VIDIOC_ENUM_FMT`) with its sizes and rates.
public struct FormatCapabilities: Hashable, Sendable {
    public var fourcc: FourCC
    /// The driver's name for it ("YUYV 4:2:2").
    public var name: String
    /// True when libv4l2 converts to this format in user space (not the hardware's own).
    public var emulated: Bool
    public var compressed: Bool
    public var sizes: FrameSizes

    public init(fourcc: FourCC, name: String, emulated: Bool = false, compressed: Bool = false, sizes: FrameSizes) {
        (self.fourcc, self.name, self.emulated, self.compressed, self.sizes) = (fourcc, name, emulated, compressed, sizes)
    }

    /// The Sightline pixel format, if Sightline reads this format.
    public var pixelFormat: PixelFormat? { fourcc.pixelFormat }
}

/// What `VIDIOC_QUERYCAP` says about a device node.
public struct DeviceCapabilities: Hashable, Sendable {
    public var driver: String
    public var card: String
    public var busInfo: String
    /// The node's own capabilities (`device_caps` when the driver reports them).
    public var capabilities: UInt32

    public var canCapture: Bool { capabilities & sl_V4L2_CAP_VIDEO_CAPTURE != 0 }
    public var canCaptureMultiplanar: Bool { capabilities & sl_V4L2_CAP_VIDEO_CAPTURE_MPLANE != 0 }
    public var canStream: Bool { capabilities & sl_V4L2_CAP_STREAMING != 0 }
}

/// A camera's identity and everything it offers.
public struct DeviceDescription: Sendable {
    public var path: String
    public var capabilities: DeviceCapabilities
    public var formats: [FormatCapabilities]
}

/// Converts a fixed-size C `char[N]` (imported as a tuple) to a String.
func cString<T>(_ tuple: T) -> String {
    withUnsafeBytes(of: tuple) { raw in
        let bytes = raw.prefix { $0 != 0 }
        return String(decoding: bytes, as: UTF8.self)
    }
}
