import CV4L2
import Capture
import Foundation
import Glibc
import SightlineCore

/// A scripted V4L2 driver behind the ``SystemCalls`` interface, so negotiation and error
/// paths run without a kernel. It keeps a log of the calls it saw and checks that every
/// descriptor and mapping is given back.
final class FakeDriver: SystemCalls, @unchecked Sendable {
    struct Format {
        var fourcc: FourCC
        var sizes: [FrameSize]
        var intervals: [FrameInterval]
    }

    /// What DQBUF does next.
    enum Event {
        /// A frame (sequence numbers count up by themselves).
        case frame
        /// The driver skipped `n` sequence numbers (frames it dropped) before the next frame.
        case skip(Int)
        /// A frame flagged V4L2_BUF_FLAG_ERROR.
        case erroredFrame
        /// DQBUF fails with this errno (poll still reports readable).
        case error(Int32)
        /// The device is unplugged: DQBUF fails with ENODEV and so does every later call
        /// until `replug()`.
        case unplug
    }

    // Configuration
    var capabilities: UInt32 = sl_V4L2_CAP_VIDEO_CAPTURE | sl_V4L2_CAP_STREAMING
    var formats: [Format]
    /// The driver sets this size whatever is asked for.
    var forcedSize: FrameSize?
    /// G_PARM reports V4L2_CAP_TIMEPERFRAME and S_PARM works.
    var supportsParm = true
    /// EINTR is returned this many times by the first calls of each listed name first.
    var eintr: [String: Int] = [:]
    /// When the script runs out: more frames (true) or nothing (poll times out).
    var framesAfterScript = false
    /// Opens that fail (with ENOENT) after an unplug before the device is back.
    var failedOpensAfterUnplug = 0
    /// Maximum buffers REQBUFS grants.
    var maxBuffers = 8

    // State
    private let lock = NSLock()
    private(set) var log: [String] = []
    private var script: [Event]
    private var nextFD: Int32 = 100
    private(set) var openFDs: Set<Int32> = []
    private var fmt = (fourcc: FourCC.yuyv, size: FrameSize(width: 640, height: 480))
    private var interval = FrameInterval(numerator: 1, denominator: 5)
    private var buffers: [UnsafeMutableRawBufferPointer] = []
    private(set) var mapped: Set<Int> = []
    private var queued: [Int] = []
    private var streaming = false
    private var sequence: UInt32 = 0
    private(set) var unplugged = false
    private var opensSinceUnplug = 0
    private(set) var dequeued = 0
    private(set) var eintrReturned = 0

    init(formats: [Format], script: [Event] = []) {
        self.formats = formats
        self.script = script
    }

    static func yuyvOnly(_ sizes: [FrameSize] = [FrameSize(width: 640, height: 480)], script: [Event] = []) -> FakeDriver {
        FakeDriver(
            formats: [Format(fourcc: .yuyv, sizes: sizes, intervals: [FrameInterval(numerator: 1, denominator: 30)])],
            script: script)
    }

    func append(_ events: [Event]) { lock.withLock { script += events } }
    func replug() { lock.withLock { unplugged = false } }
    var calls: [String] { lock.withLock { log } }
    var dequeuedCount: Int { lock.withLock { dequeued } }
    var openCount: Int { lock.withLock { openFDs.count } }
    var mappedCount: Int { lock.withLock { mapped.count } }
    var queuedCount: Int { lock.withLock { queued.count } }

    private func interrupted(_ name: String) -> Bool {
        if let n = eintr[name], n > 0 {
            eintr[name] = n - 1
            eintrReturned += 1
            log.append("\(name) EINTR")
            return true
        }
        return false
    }

    // MARK: SystemCalls

    func open(_ path: String, flags: Int32) -> Result<Int32, Errno> {
        lock.withLock {
            if interrupted("open") { return .failure(Errno(EINTR)) }
            if unplugged || opensSinceUnplug > 0 {
                opensSinceUnplug += 1
                if opensSinceUnplug <= failedOpensAfterUnplug {
                    log.append("open ENOENT")
                    return .failure(Errno(ENOENT))
                }
                unplugged = false
                opensSinceUnplug = 0
            }
            nextFD += 1
            openFDs.insert(nextFD)
            log.append("open")
            return .success(nextFD)
        }
    }

    func close(_ fd: Int32) -> Result<Void, Errno> {
        lock.withLock {
            log.append("close")
            guard openFDs.remove(fd) != nil else { return .failure(Errno(EBADF)) }
            if openFDs.isEmpty {
                streaming = false
                queued = []
            }
            return .success(())
        }
    }

    func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) -> Result<Int16, Errno> {
        lock.lock()
        if interrupted("poll") {
            lock.unlock()
            return .failure(Errno(EINTR))
        }
        var ready = unplugged
        if streaming {
            switch script.first {
            case .error?, .unplug?: ready = true
            case nil: ready = framesAfterScript && !queued.isEmpty
            default: ready = !queued.isEmpty
            }
        }
        lock.unlock()
        if ready { return .success(Int16(POLLIN)) }
        usleep(UInt32(min(timeoutMilliseconds, 20)) * 1000)
        return .success(0)
    }

    func mmap(length: Int, fd: Int32, offset: Int) -> Result<UnsafeMutableRawPointer, Errno> {
        lock.withLock {
            let index = offset / 4096
            guard index < buffers.count, length <= buffers[index].count else { return .failure(Errno(EINVAL)) }
            mapped.insert(index)
            log.append("mmap \(index)")
            return .success(buffers[index].baseAddress!)
        }
    }

    func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Result<Void, Errno> {
        lock.withLock {
            guard let index = buffers.firstIndex(where: { $0.baseAddress == address }) else { return .failure(Errno(EINVAL)) }
            mapped.remove(index)
            log.append("munmap \(index)")
            return .success(())
        }
    }

    func ioctl(_ fd: Int32, request: UInt, argument: UnsafeMutableRawPointer) -> Result<Int32, Errno> {
        lock.lock()
        defer { lock.unlock() }
        let name = Self.name(request)
        if interrupted(name) { return .failure(Errno(EINTR)) }
        guard openFDs.contains(fd) else { return .failure(Errno(EBADF)) }
        if unplugged { return .failure(Errno(ENODEV)) }
        log.append(name)
        switch request {
        case sl_VIDIOC_QUERYCAP:
            let c = argument.assumingMemoryBound(to: v4l2_capability.self)
            c.pointee = v4l2_capability()
            withUnsafeMutableBytes(of: &c.pointee.driver) { b in
                for (i, ch) in "fake".utf8.enumerated() { b[i] = ch }
            }
            withUnsafeMutableBytes(of: &c.pointee.card) { b in
                for (i, ch) in "Fake Camera".utf8.enumerated() { b[i] = ch }
            }
            c.pointee.capabilities = capabilities | sl_V4L2_CAP_DEVICE_CAPS
            c.pointee.device_caps = capabilities
            return .success(0)
        case sl_VIDIOC_ENUM_FMT:
            let d = argument.assumingMemoryBound(to: v4l2_fmtdesc.self)
            guard Int(d.pointee.index) < formats.count else { return .failure(Errno(EINVAL)) }
            d.pointee.pixelformat = formats[Int(d.pointee.index)].fourcc.rawValue
            d.pointee.flags = formats[Int(d.pointee.index)].fourcc == .mjpeg ? sl_V4L2_FMT_FLAG_COMPRESSED : 0
            return .success(0)
        case sl_VIDIOC_ENUM_FRAMESIZES:
            let s = argument.assumingMemoryBound(to: v4l2_frmsizeenum.self)
            guard let f = formats.first(where: { $0.fourcc.rawValue == s.pointee.pixel_format }),
                Int(s.pointee.index) < f.sizes.count
            else { return .failure(Errno(EINVAL)) }
            s.pointee.type = sl_V4L2_FRMSIZE_TYPE_DISCRETE
            s.pointee.discrete.width = UInt32(f.sizes[Int(s.pointee.index)].width)
            s.pointee.discrete.height = UInt32(f.sizes[Int(s.pointee.index)].height)
            return .success(0)
        case sl_VIDIOC_ENUM_FRAMEINTERVALS:
            let v = argument.assumingMemoryBound(to: v4l2_frmivalenum.self)
            guard let f = formats.first(where: { $0.fourcc.rawValue == v.pointee.pixel_format }),
                Int(v.pointee.index) < f.intervals.count
            else { return .failure(Errno(EINVAL)) }
            v.pointee.type = sl_V4L2_FRMIVAL_TYPE_DISCRETE
            v.pointee.discrete.numerator = f.intervals[Int(v.pointee.index)].numerator
            v.pointee.discrete.denominator = f.intervals[Int(v.pointee.index)].denominator
            return .success(0)
        case sl_VIDIOC_S_FMT:
            if streaming || !buffers.isEmpty && !mapped.isEmpty { return .failure(Errno(EBUSY)) }
            let f = argument.assumingMemoryBound(to: v4l2_format.self)
            let asked = FourCC(rawValue: f.pointee.fmt.pix.pixelformat)
            let chosen = formats.first(where: { $0.fourcc == asked })?.fourcc ?? formats[0].fourcc
            let size = forcedSize ?? FrameSize(width: Int(f.pointee.fmt.pix.width), height: Int(f.pointee.fmt.pix.height))
            fmt = (chosen, size)
            interval = FrameInterval(numerator: 1, denominator: 5)  // like vivid: 1/5 s until S_PARM
            f.pointee.fmt.pix.pixelformat = chosen.rawValue
            f.pointee.fmt.pix.width = UInt32(size.width)
            f.pointee.fmt.pix.height = UInt32(size.height)
            f.pointee.fmt.pix.bytesperline = UInt32(bytesPerLine)
            f.pointee.fmt.pix.sizeimage = UInt32(sizeImage)
            return .success(0)
        case sl_VIDIOC_G_PARM, sl_VIDIOC_S_PARM:
            let p = argument.assumingMemoryBound(to: v4l2_streamparm.self)
            if request == sl_VIDIOC_S_PARM {
                guard supportsParm else { return .failure(Errno(ENOTTY)) }
                interval = FrameInterval(
                    numerator: p.pointee.parm.capture.timeperframe.numerator,
                    denominator: p.pointee.parm.capture.timeperframe.denominator)
                log.append("S_PARM \(interval.numerator)/\(interval.denominator)")
            }
            p.pointee.parm.capture.capability = supportsParm ? sl_V4L2_CAP_TIMEPERFRAME : 0
            p.pointee.parm.capture.timeperframe.numerator = interval.numerator
            p.pointee.parm.capture.timeperframe.denominator = interval.denominator
            return .success(0)
        case sl_VIDIOC_REQBUFS:
            let r = argument.assumingMemoryBound(to: v4l2_requestbuffers.self)
            guard mapped.isEmpty else { return .failure(Errno(EBUSY)) }
            for b in buffers { b.deallocate() }
            let n = min(Int(r.pointee.count), maxBuffers)
            buffers = (0..<n).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: sizeImage, alignment: 64) }
            queued = []
            r.pointee.count = UInt32(n)
            return .success(0)
        case sl_VIDIOC_QUERYBUF:
            let b = argument.assumingMemoryBound(to: v4l2_buffer.self)
            guard Int(b.pointee.index) < buffers.count else { return .failure(Errno(EINVAL)) }
            b.pointee.m.offset = b.pointee.index * 4096
            b.pointee.length = UInt32(buffers[Int(b.pointee.index)].count)
            return .success(0)
        case sl_VIDIOC_QBUF:
            let b = argument.assumingMemoryBound(to: v4l2_buffer.self)
            let i = Int(b.pointee.index)
            guard i < buffers.count, !queued.contains(i) else { return .failure(Errno(EINVAL)) }
            queued.append(i)
            return .success(0)
        case sl_VIDIOC_STREAMON:
            streaming = true
            sequence = 0
            return .success(0)
        case sl_VIDIOC_STREAMOFF:
            streaming = false
            queued = []
            return .success(0)
        case sl_VIDIOC_DQBUF:
            guard streaming else { return .failure(Errno(EINVAL)) }
            var event: Event
            if !script.isEmpty {
                event = script[0]
            } else if framesAfterScript {
                event = .frame
            } else {
                return .failure(Errno(EAGAIN))
            }
            while case .skip(let n) = event {
                sequence &+= UInt32(n)
                script.removeFirst()
                guard !script.isEmpty else { return .failure(Errno(EAGAIN)) }
                event = script[0]
            }
            switch event {
            case .error(let e):
                script.removeFirst()
                return .failure(Errno(e))
            case .unplug:
                script.removeFirst()
                unplugged = true
                streaming = false
                return .failure(Errno(ENODEV))
            case .frame, .erroredFrame:
                guard !queued.isEmpty else { return .failure(Errno(EAGAIN)) }  // starved: wait
                if !script.isEmpty { script.removeFirst() }
                let i = queued.removeFirst()
                let seq = sequence
                sequence &+= 1
                // Fill with a recognisable pattern: every byte is the sequence number.
                memset(buffers[i].baseAddress!, Int32(seq & 0xFF), buffers[i].count)
                let b = argument.assumingMemoryBound(to: v4l2_buffer.self)
                b.pointee.index = UInt32(i)
                b.pointee.sequence = seq
                b.pointee.bytesused = UInt32(sizeImage)
                b.pointee.length = UInt32(buffers[i].count)
                b.pointee.flags = sl_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC
                if case .erroredFrame = event { b.pointee.flags |= sl_V4L2_BUF_FLAG_ERROR }
                var ts = timespec()
                clock_gettime(CLOCK_MONOTONIC, &ts)
                b.pointee.timestamp.tv_sec = ts.tv_sec
                b.pointee.timestamp.tv_usec = ts.tv_nsec / 1000
                dequeued += 1
                return .success(0)
            case .skip:
                fatalError("handled above")
            }
        default:
            return .failure(Errno(ENOTTY))
        }
    }

    private var bytesPerLine: Int { PixelFormat(fmt.fourcc).flatMap { $0.minimumStride(width: fmt.size.width) } ?? 0 }
    private var sizeImage: Int {
        guard let p = PixelFormat(fmt.fourcc) else { return 4096 }
        return p.minimumByteCount(width: fmt.size.width, height: fmt.size.height, stride: bytesPerLine) ?? 65536
    }

    static func name(_ request: UInt) -> String {
        switch request {
        case sl_VIDIOC_QUERYCAP: return "QUERYCAP"
        case sl_VIDIOC_ENUM_FMT: return "ENUM_FMT"
        case sl_VIDIOC_ENUM_FRAMESIZES: return "ENUM_FRAMESIZES"
        case sl_VIDIOC_ENUM_FRAMEINTERVALS: return "ENUM_FRAMEINTERVALS"
        case sl_VIDIOC_S_FMT: return "S_FMT"
        case sl_VIDIOC_G_PARM: return "G_PARM"
        case sl_VIDIOC_S_PARM: return "S_PARM"
        case sl_VIDIOC_REQBUFS: return "REQBUFS"
        case sl_VIDIOC_QUERYBUF: return "QUERYBUF"
        case sl_VIDIOC_QBUF: return "QBUF"
        case sl_VIDIOC_DQBUF: return "DQBUF"
        case sl_VIDIOC_STREAMON: return "STREAMON"
        case sl_VIDIOC_STREAMOFF: return "STREAMOFF"
        default: return "ioctl \(request)"
        }
    }

    deinit { for b in buffers { b.deallocate() } }
}

extension PixelFormat {
    init?(_ fourcc: FourCC) {
        guard let p = fourcc.pixelFormat else { return nil }
        self = p
    }
}
