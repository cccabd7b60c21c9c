public import SightlineCore

/// What a caller wants from a camera. Every field is a wish: the device decides, and
/// ``NegotiatedFormat`` says what it chose.
public struct CaptureRequest: Sendable, Equatable {
    /// Wanted size; the default is 640x480.
    public var size: FrameSize
    /// Wanted frames per second; nil takes the fastest the device offers at the chosen size.
    public var fps: Double?
    /// A format that must be used; nil lets ``preference`` decide.
    public var format: PixelFormat?
    /// Formats in order of preference when ``format`` is nil.
    public var preference: [PixelFormat]

    /// MJPEG first (least bandwidth, decoded with DCT scaling), then YUYV, NV12, RGB24, BGR24, GREY.
    public static let defaultPreference: [PixelFormat] = [.mjpeg, .yuyv, .nv12, .rgb24, .bgr24, .grey]

    public init(
        size: FrameSize = FrameSize(width: 640, height: 480), fps: Double? = nil, format: PixelFormat? = nil,
        preference: [PixelFormat] = CaptureRequest.defaultPreference
    ) {
        self.size = size
        self.fps = fps
        self.format = format
        self.preference = preference
    }
}

/// The format, size and rate a negotiation picked from what a device offers, before the
/// driver has had its say (see ``NegotiatedFormat`` for what it then set).
public struct FormatChoice: Equatable, Sendable {
    public var fourcc: FourCC
    public var pixelFormat: PixelFormat
    public var size: FrameSize
    /// Nil when the device lists no intervals for the size.
    public var interval: FrameInterval?
}

/// Picking a format, size and rate from a device's offer.
public enum Negotiation {
    /// Chooses the best match for `request` among `formats`.
    ///
    /// For each usable format, in the order of preference, the size is the requested one if
    /// offered, else the smallest offered size that covers it, else the largest; the rate is the
    /// slowest offered rate at or above the requested one (the fastest, when none is requested
    /// or none is fast enough). The first format whose size matches exactly and whose rate
    /// reaches the request wins; failing that, the first with the exact size; failing that,
    /// the one whose size is closest (ties go to the preferred format).
    public static func choose(
        from formats: [FormatCapabilities], for request: CaptureRequest, device: String
    ) throws(CaptureError) -> FormatChoice {
        let order = request.format.map { [$0] } ?? request.preference
        var candidates: [(choice: FormatChoice, exactSize: Bool, rateOK: Bool, distance: Int)] = []
        for wanted in order {
            // A native format beats libv4l2's emulation of the same format.
            let offers = formats.filter { $0.pixelFormat == wanted }.sorted { !$0.emulated && $1.emulated }
            guard let offer = offers.first else { continue }
            let (size, intervals) = pickSize(offer.sizes, request.size)
            let interval = pickInterval(intervals, request.fps)
            let exact = size == request.size
            let rateOK = request.fps == nil || interval == nil || interval!.fps + 0.01 >= request.fps!
            let distance = abs(size.width - request.size.width) + abs(size.height - request.size.height)
            candidates.append(
                (FormatChoice(fourcc: offer.fourcc, pixelFormat: wanted, size: size, interval: interval), exact, rateOK, distance))
        }
        if let best = candidates.first(where: { $0.exactSize && $0.rateOK }) ?? candidates.first(where: { $0.exactSize })
            ?? candidates.min(by: { $0.distance < $1.distance })
        {
            return best.choice
        }
        throw .noUsableFormat(
            device: device, wanted: order.map(\.description).joined(separator: "/"),
            offered: formats.map { $0.fourcc.description })
    }

    static func pickSize(_ sizes: FrameSizes, _ wanted: FrameSize) -> (FrameSize, [FrameInterval]) {
        switch sizes {
        case .unknown:
            return (wanted, [])
        case let .stepwise(lo, hi, sw, sh):
            func fit(_ v: Int, _ lo: Int, _ hi: Int, _ step: Int) -> Int {
                let clamped = min(max(v, lo), hi)
                return lo + ((clamped - lo) / step) * step
            }
            return (
                FrameSize(width: fit(wanted.width, lo.width, hi.width, sw), height: fit(wanted.height, lo.height, hi.height, sh)),
                []
            )
        case let .discrete(list):
            if let exact = list.first(where: { $0.size == wanted }) { return (exact.size, exact.intervals) }
            let covering = list.filter { $0.size.width >= wanted.width && $0.size.height >= wanted.height }
            let pick =
                covering.min { $0.size.width * $0.size.height < $1.size.width * $1.size.height }
                ?? list.max { $0.size.width * $0.size.height < $1.size.width * $1.size.height }!
            return (pick.size, pick.intervals)
        }
    }

    static func pickInterval(_ intervals: [FrameInterval], _ fps: Double?) -> FrameInterval? {
        let valid = intervals.filter { $0.fps > 0 }
        guard !valid.isEmpty else { return fps.map { FrameInterval(fps: $0) } }
        let fastest = valid.max { $0.fps < $1.fps }!
        guard let fps else { return fastest }
        return valid.filter { $0.fps + 0.01 >= fps }.min { $0.fps < $1.fps } ?? fastest
    }
}

/// What the driver set after negotiation: the format frames will arrive in.
public struct NegotiatedFormat: Equatable, Sendable, CustomStringConvertible {
    public var device: String
    public var fourcc: FourCC
    public var pixelFormat: PixelFormat
    /// The size the driver set (it may differ from the one asked for; see ``sizeAdjusted``).
    public var width: Int
    public var height: Int
    /// Bytes per row of the first plane (0 for MJPEG).
    public var stride: Int
    /// The largest frame in bytes, per the driver.
    public var sizeImage: Int
    /// The frame interval in force after `VIDIOC_S_PARM` (or as `VIDIOC_G_PARM` reports it).
    public var interval: FrameInterval?
    /// True when the driver accepted a rate through `VIDIOC_S_PARM`.
    public var rateSet: Bool
    /// The size negotiation asked the driver for.
    public var askedSize: FrameSize
    /// True when the driver ignored the asked size and chose another.
    public var sizeAdjusted: Bool { askedSize != FrameSize(width: width, height: height) }
    /// mmap buffers the driver granted.
    public var bufferCount: Int
    /// True when libv4l2 converts this format in user space.
    public var emulated: Bool

    public var description: String {
        var s = "\(device): \(fourcc) \(width)x\(height)"
        if stride > 0 { s += " stride \(stride)" }
        if let interval { s += ", \(interval)" }
        if !rateSet { s += " (rate not settable)" }
        if sizeAdjusted { s += " (asked for \(askedSize); the driver chose \(width)x\(height))" }
        if emulated { s += " (converted by libv4l2)" }
        s += ", \(bufferCount) buffers"
        return s
    }
}
