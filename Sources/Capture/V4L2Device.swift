internal import CV4L2
import Foundation
import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// An open V4L2 device node: typed wrappers over the ioctls Capture uses, each through the
/// funnel so every failure names its request and the device.
struct V4L2Handle: Sendable {
    let funnel: SyscallFunnel
    let fd: Int32
    var device: String { funnel.device }

    static func open(_ funnel: SyscallFunnel) throws(SystemCallError) -> V4L2Handle {
        let fd = try funnel.open(flags: O_RDWR | O_NONBLOCK | O_CLOEXEC)
        return V4L2Handle(funnel: funnel, fd: fd)
    }

    func close() { try? funnel.close(fd) }

    func queryCapabilities() throws(SystemCallError) -> DeviceCapabilities {
        var cap = v4l2_capability()
        try funnel.ioctl(fd, "VIDIOC_QUERYCAP", sl_VIDIOC_QUERYCAP, &cap)
        let caps = cap.capabilities & sl_V4L2_CAP_DEVICE_CAPS != 0 ? cap.device_caps : cap.capabilities
        return DeviceCapabilities(
            driver: cString(cap.driver), card: cString(cap.card), busInfo: cString(cap.bus_info), capabilities: caps)
    }

    /// Checks the node is a single-planar capture device with streaming I/O (a multi-planar-only
    /// one is, through libv4l2's mplane plugin, which rewrites what `VIDIOC_QUERYCAP` says).
    func requireCaptureAndStreaming() throws(CaptureError) -> DeviceCapabilities {
        let caps: DeviceCapabilities
        do { caps = try queryCapabilities() } catch { throw .system(error) }
        guard caps.canCapture else {
            if caps.canCaptureMultiplanar { throw .multiplanarOnly(device: device, card: caps.card) }
            throw .notACaptureDevice(device: device, card: caps.card, capabilities: caps.capabilities)
        }
        guard caps.canStream else { throw .noStreamingIO(device: device, card: caps.card) }
        return caps
    }

    /// `VIDIOC_ENUM_FMT` until `EINVAL`.
    func enumerateFormats() throws(SystemCallError) -> [(fourcc: FourCC, name: String, flags: UInt32)] {
        var out: [(FourCC, String, UInt32)] = []
        for index in 0..<UInt32(1024) {
            var d = v4l2_fmtdesc()
            d.index = index
            d.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
            do { try funnel.ioctl(fd, "VIDIOC_ENUM_FMT", sl_VIDIOC_ENUM_FMT, &d) } catch  where error.errno == EINVAL {
                break
            }
            out.append((FourCC(rawValue: d.pixelformat), cString(d.description), d.flags))
        }
        return out
    }

    /// `VIDIOC_ENUM_FRAMESIZES` (and `VIDIOC_ENUM_FRAMEINTERVALS` for each discrete size).
    func enumerateSizes(_ fourcc: FourCC) throws(SystemCallError) -> FrameSizes {
        var sizes: [FrameSizes.DiscreteSize] = []
        for index in 0..<UInt32(256) {
            var s = v4l2_frmsizeenum()
            s.index = index
            s.pixel_format = fourcc.rawValue
            do { try funnel.ioctl(fd, "VIDIOC_ENUM_FRAMESIZES", sl_VIDIOC_ENUM_FRAMESIZES, &s) } catch
                where error.errno == EINVAL || error.errno == ENOTTY
            {
                break
            }
            if s.type == sl_V4L2_FRMSIZE_TYPE_DISCRETE {
                let size = FrameSize(width: Int(s.discrete.width), height: Int(s.discrete.height))
                sizes.append(.init(size: size, intervals: try enumerateIntervals(fourcc, size)))
            } else {
                let w = s.stepwise
                let continuous = s.type == sl_V4L2_FRMSIZE_TYPE_CONTINUOUS
                return .stepwise(
                    min: FrameSize(width: Int(w.min_width), height: Int(w.min_height)),
                    max: FrameSize(width: Int(w.max_width), height: Int(w.max_height)),
                    stepWidth: continuous ? 1 : max(1, Int(w.step_width)),
                    stepHeight: continuous ? 1 : max(1, Int(w.step_height)))
            }
        }
        return sizes.isEmpty ? .unknown : .discrete(sizes)
    }

    /// `VIDIOC_ENUM_FRAMEINTERVALS`: the discrete intervals, or for a stepwise range its
    /// minimum and maximum.
    func enumerateIntervals(_ fourcc: FourCC, _ size: FrameSize) throws(SystemCallError) -> [FrameInterval] {
        var out: [FrameInterval] = []
        for index in 0..<UInt32(256) {
            var i = v4l2_frmivalenum()
            i.index = index
            i.pixel_format = fourcc.rawValue
            i.width = UInt32(size.width)
            i.height = UInt32(size.height)
            do { try funnel.ioctl(fd, "VIDIOC_ENUM_FRAMEINTERVALS", sl_VIDIOC_ENUM_FRAMEINTERVALS, &i) } catch
                where error.errno == EINVAL || error.errno == ENOTTY
            {
                break
            }
            if i.type == sl_V4L2_FRMIVAL_TYPE_DISCRETE {
                out.append(FrameInterval(numerator: i.discrete.numerator, denominator: i.discrete.denominator))
            } else {
                out.append(FrameInterval(numerator: i.stepwise.min.numerator, denominator: i.stepwise.min.denominator))
                out.append(FrameInterval(numerator: i.stepwise.max.numerator, denominator: i.stepwise.max.denominator))
                break
            }
        }
        return out
    }

    /// Everything the device offers.
    func describeFormats() throws(SystemCallError) -> [FormatCapabilities] {
        var formats: [FormatCapabilities] = []
        for f in try enumerateFormats() {
            formats.append(
                FormatCapabilities(
                    fourcc: f.fourcc, name: f.name, emulated: f.flags & sl_V4L2_FMT_FLAG_EMULATED != 0,
                    compressed: f.flags & sl_V4L2_FMT_FLAG_COMPRESSED != 0, sizes: try enumerateSizes(f.fourcc)))
        }
        return formats
    }

    /// `VIDIOC_S_FMT`; returns what the driver actually set.
    func setFormat(_ fourcc: FourCC, _ size: FrameSize) throws(SystemCallError) -> v4l2_pix_format {
        var f = v4l2_format()
        f.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
        f.fmt.pix.width = UInt32(size.width)
        f.fmt.pix.height = UInt32(size.height)
        f.fmt.pix.pixelformat = fourcc.rawValue
        f.fmt.pix.field = sl_V4L2_FIELD_NONE
        try funnel.ioctl(fd, "VIDIOC_S_FMT", sl_VIDIOC_S_FMT, &f)
        return f.fmt.pix
    }

    /// `VIDIOC_G_PARM`, then `VIDIOC_S_PARM` when the driver says it takes a frame interval.
    /// Returns the interval in force afterwards (nil when the driver reports none) and whether
    /// setting it was supported.
    func setInterval(_ wanted: FrameInterval?) throws(SystemCallError) -> (FrameInterval?, Bool) {
        var p = v4l2_streamparm()
        p.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
        do { try funnel.ioctl(fd, "VIDIOC_G_PARM", sl_VIDIOC_G_PARM, &p) } catch  where error.errno == ENOTTY || error.errno == EINVAL {
            return (nil, false)
        }
        func current() -> FrameInterval? {
            let t = p.parm.capture.timeperframe
            return t.numerator == 0 || t.denominator == 0 ? nil : FrameInterval(numerator: t.numerator, denominator: t.denominator)
        }
        guard let wanted, p.parm.capture.capability & sl_V4L2_CAP_TIMEPERFRAME != 0 else { return (current(), false) }
        p.parm.capture.timeperframe.numerator = wanted.numerator
        p.parm.capture.timeperframe.denominator = wanted.denominator
        do { try funnel.ioctl(fd, "VIDIOC_S_PARM", sl_VIDIOC_S_PARM, &p) } catch  where error.errno == ENOTTY || error.errno == EINVAL {
            return (current(), false)
        }
        return (current(), true)
    }

    /// `VIDIOC_REQBUFS` for mmap buffers; returns how many the driver granted.
    func requestBuffers(_ count: Int) throws(SystemCallError) -> Int {
        var r = v4l2_requestbuffers()
        r.count = UInt32(count)
        r.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
        r.memory = sl_V4L2_MEMORY_MMAP
        try funnel.ioctl(fd, "VIDIOC_REQBUFS", sl_VIDIOC_REQBUFS, &r)
        return Int(r.count)
    }

    func queryBuffer(_ index: Int) throws(SystemCallError) -> (offset: Int, length: Int) {
        var b = v4l2_buffer()
        b.index = UInt32(index)
        b.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
        b.memory = sl_V4L2_MEMORY_MMAP
        try funnel.ioctl(fd, "VIDIOC_QUERYBUF", sl_VIDIOC_QUERYBUF, &b)
        return (Int(b.m.offset), Int(b.length))
    }

    func queueBuffer(_ index: Int) throws(SystemCallError) {
        var b = v4l2_buffer()
        b.index = UInt32(index)
        b.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
        b.memory = sl_V4L2_MEMORY_MMAP
        try funnel.ioctl(fd, "VIDIOC_QBUF", sl_VIDIOC_QBUF, &b)
    }

    /// `VIDIOC_DQBUF` on the non-blocking descriptor; nil when no buffer is ready (`EAGAIN`).
    func dequeueBuffer() throws(SystemCallError) -> v4l2_buffer? {
        var b = v4l2_buffer()
        b.type = sl_V4L2_BUF_TYPE_VIDEO_CAPTURE
        b.memory = sl_V4L2_MEMORY_MMAP
        return try funnel.ioctlUnlessAgain(fd, "VIDIOC_DQBUF", sl_VIDIOC_DQBUF, &b) ? b : nil
    }

    func streamOn() throws(SystemCallError) {
        var t = Int32(bitPattern: sl_V4L2_BUF_TYPE_VIDEO_CAPTURE)
        try funnel.ioctl(fd, "VIDIOC_STREAMON", sl_VIDIOC_STREAMON, &t)
    }

    func streamOff() throws(SystemCallError) {
        var t = Int32(bitPattern: sl_V4L2_BUF_TYPE_VIDEO_CAPTURE)
        try funnel.ioctl(fd, "VIDIOC_STREAMOFF", sl_VIDIOC_STREAMOFF, &t)
    }
}

/// A device control (`VIDIOC_QUERYCTRL`): brightness, a test pattern, vivid's timestamp source …
public struct DeviceControl: Hashable, Sendable {
    public var id: UInt32
    public var name: String
    public var minimum: Int32
    public var maximum: Int32
    public var defaultValue: Int32
}

extension V4L2Handle {
    /// Every enabled control (`VIDIOC_QUERYCTRL` with `V4L2_CTRL_FLAG_NEXT_CTRL`).
    func controls() throws(SystemCallError) -> [DeviceControl] {
        var out: [DeviceControl] = []
        var id = sl_V4L2_CTRL_FLAG_NEXT_CTRL
        for _ in 0..<1024 {
            var q = v4l2_queryctrl()
            q.id = id
            do { try funnel.ioctl(fd, "VIDIOC_QUERYCTRL", sl_VIDIOC_QUERYCTRL, &q) } catch  where error.errno == EINVAL {
                break
            }
            if q.flags & sl_V4L2_CTRL_FLAG_DISABLED == 0 {
                out.append(
                    DeviceControl(id: q.id, name: cString(q.name), minimum: q.minimum, maximum: q.maximum, defaultValue: q.default_value))
            }
            id = q.id | sl_V4L2_CTRL_FLAG_NEXT_CTRL
        }
        return out
    }

    func setControl(_ id: UInt32, _ value: Int32) throws(SystemCallError) {
        var c = v4l2_control(id: id, value: value)
        try funnel.ioctl(fd, "VIDIOC_S_CTRL", sl_VIDIOC_S_CTRL, &c)
    }
}

/// Finding and describing V4L2 cameras.
public enum V4L2Devices {
    /// The device's controls.
    public static func controls(_ path: String, system: any SystemCalls = LinuxSystemCalls()) throws(CaptureError) -> [DeviceControl] {
        do {
            let handle = try V4L2Handle.open(SyscallFunnel(system: system, device: path))
            defer { handle.close() }
            return try handle.controls()
        } catch { throw .system(error) }
    }

    /// Sets a control from `NAME=VALUE` (e.g. `Timestamp Source=1`; a whole-number value).
    public static func setControl(_ path: String, assignment: String, system: any SystemCalls = LinuxSystemCalls()) throws(CaptureError) {
        let parts = assignment.split(separator: "=", maxSplits: 1)
        guard parts.count == 2, let value = Int32(parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw .misuse("a control is set with NAME=VALUE and a whole-number value, not '\(assignment)'")
        }
        try setControl(path, name: parts[0].trimmingCharacters(in: .whitespaces), value: value, system: system)
    }

    /// Sets the control called `name` (as `VIDIOC_QUERYCTRL` names it, any case) to `value`.
    /// Controls belong to the device, so the value outlasts this call.
    public static func setControl(
        _ path: String, name: String, value: Int32, system: any SystemCalls = LinuxSystemCalls()
    ) throws(CaptureError) {
        let handle: V4L2Handle
        do { handle = try V4L2Handle.open(SyscallFunnel(system: system, device: path)) } catch { throw .system(error) }
        defer { handle.close() }
        do {
            guard let c = try handle.controls().first(where: { $0.name.lowercased() == name.lowercased() }) else {
                throw CaptureError.misuse("\(path): no control named '\(name)'")
            }
            try handle.setControl(c.id, value)
        } catch let e as SystemCallError {
            throw .system(e)
        } catch let e as CaptureError {
            throw e
        } catch {
            throw .misuse("\(path): \(error)")
        }
    }

    /// The `/dev/video*` nodes present, in numeric order.
    public static func nodes(in directory: String = "/dev") -> [String] {
        guard let names = try? FileIO.names(in: directory) else { return [] }
        let found = names.compactMap { name -> (Int, String)? in
            guard name.hasPrefix("video"), let n = Int(name.dropFirst(5)) else { return nil }
            return (n, directory + "/" + name)
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// Opens `path` and reads its identity, formats, sizes and frame intervals.
    /// Throws for nodes that are not capture devices.
    public static func describe(
        _ path: String, system: any SystemCalls = LinuxSystemCalls()
    ) throws(CaptureError) -> DeviceDescription {
        let handle: V4L2Handle
        do { handle = try V4L2Handle.open(SyscallFunnel(system: system, device: path)) } catch { throw .system(error) }
        defer { handle.close() }
        let caps = try handle.requireCaptureAndStreaming()
        do {
            return DeviceDescription(path: path, capabilities: caps, formats: try handle.describeFormats())
        } catch { throw .system(error) }
    }
}
