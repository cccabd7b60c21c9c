public import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// A system call that failed: which call (an ioctl is named by its request, e.g.
/// `VIDIOC_DQBUF`), on which device or file, and the `errno` it returned.
///
/// Its description reads like a log line: `VIDIOC_DQBUF on /dev/video0: No such device (ENODEV)`.
public struct SystemCallError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The call's name: `open`, `poll`, `mmap`, or an ioctl request such as `VIDIOC_S_FMT`.
    public var call: String
    /// The device node or file the call was made on.
    public var device: String
    /// The `errno` value.
    public var errno: Int32

    public init(call: String, device: String, errno: Int32) { (self.call, self.device, self.errno) = (call, device, errno) }

    /// True for the errors a camera gives when it has been unplugged or has failed for good
    /// (`ENODEV`, `EIO`, `ENXIO`, `ESHUTDOWN`).
    public var meansDeviceGone: Bool {
        errno == ENODEV || errno == EIO || errno == ENXIO || errno == ESHUTDOWN
    }

    public var description: String {
        "\(call) on \(device): \(String(cString: strerror(errno))) (\(Errno.name(errno)))"
    }
}

/// Why a frame source could not start, or stopped. Every case names its device or file.
public enum CaptureError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed (open, ioctl, poll, mmap …), with the call's name and errno.
    case system(SystemCallError)
    /// `VIDIOC_QUERYCAP` says the node cannot capture video (single-planar), e.g. a metadata
    /// node, an output device or a codec.
    case notACaptureDevice(device: String, card: String, capabilities: UInt32)
    /// The device captures through the multi-planar API only (`V4L2_CAP_VIDEO_CAPTURE_MPLANE`,
    /// common on ARM boards' camera interfaces), and the calls do not go through libv4l2,
    /// whose mplane plugin presents such a device's single-plane formats as an ordinary camera.
    case multiplanarOnly(device: String, card: String)
    /// The device captures but does not support streaming I/O (mmap), which Sightline needs.
    case noStreamingIO(device: String, card: String)
    /// The device offers no pixel format Sightline can use (or not the one asked for).
    case noUsableFormat(device: String, wanted: String, offered: [String])
    /// The driver set a format Sightline cannot read after `VIDIOC_S_FMT`.
    case formatRejected(device: String, asked: String, got: String)
    /// The driver granted no buffers, or handed back one Sightline does not know.
    case buffers(device: String, detail: String)
    /// No frame arrived for this long while streaming.
    case timeout(device: String, seconds: Double)
    /// The camera disappeared and every reconnection attempt failed.
    case reconnectFailed(device: String, attempts: Int, last: SystemCallError)
    /// A frame from a device or file could not be made (size/stride/byte count).
    case invalidFrame(FrameError)
    /// A file or directory could not be opened, read or written (a recording, its sidecar,
    /// a directory being listed).
    case file(FileError)
    /// A recorded frame is damaged; `index` counts frames from 0 in delivery order.
    case corruptFrame(origin: String, index: Int, detail: String)
    /// A sidecar (timestamps) file has a line Sightline cannot read.
    case badSidecar(path: String, line: Int, detail: String)
    /// A recorded source holds no frames at all.
    case noFrames(origin: String)
    /// The source was used in a way its state does not allow (e.g. started twice).
    case misuse(String)

    public var description: String {
        switch self {
        case let .system(error): return error.description
        case let .notACaptureDevice(device, card, caps):
            return "\(device) (\(card)) is not a video capture device (capabilities 0x\(String(caps, radix: 16)))"
        case let .multiplanarOnly(device, card):
            return
                "\(device) (\(card)) captures through the multi-planar API only; capture it through libv4l2 (--libv4l2), whose mplane plugin presents its single-plane formats (YUYV, NV12, MJPEG …) as an ordinary camera's"
        case let .noStreamingIO(device, card):
            return "\(device) (\(card)) does not support streaming I/O (mmap), which Sightline needs"
        case let .noUsableFormat(device, wanted, offered):
            return
                "\(device): no usable pixel format (wanted \(wanted); the device offers \(offered.isEmpty ? "none" : offered.joined(separator: ", ")))"
        case let .formatRejected(device, asked, got):
            return "\(device): asked for \(asked) but the driver chose \(got), which Sightline cannot read"
        case let .buffers(device, detail): return "\(device): \(detail)"
        case let .timeout(device, seconds):
            return "\(device): no frame for \(String(format1: seconds)) s while streaming"
        case let .reconnectFailed(device, attempts, last):
            return "\(device): gone, and \(attempts) reconnection attempt(s) failed; last: \(last)"
        case let .invalidFrame(error): return error.description
        case let .file(error): return error.description
        case let .corruptFrame(origin, index, detail): return "\(origin): frame \(index) is corrupt: \(detail)"
        case let .badSidecar(path, line, detail): return "\(path):\(line): \(detail)"
        case let .noFrames(origin): return "\(origin): no frames"
        case let .misuse(detail): return detail
        }
    }
}

extension String {
    /// One decimal place, without Foundation.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
