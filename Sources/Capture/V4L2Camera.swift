internal import CV4L2
public import Logging
public import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// A live V4L2 camera as a ``FrameSource``.
///
/// `start()` opens the device, checks it is a capture device with streaming I/O
/// (`VIDIOC_QUERYCAP`), enumerates formats, sizes and intervals, negotiates the best match for
/// the ``CaptureRequest`` (see ``Negotiation``), sets it (`VIDIOC_S_FMT`, then reads back what
/// the driver chose), sets the rate (`VIDIOC_S_PARM`, where supported), maps a few buffers
/// (`VIDIOC_REQBUFS`, `mmap`), queues them and starts streaming. A dedicated thread (not
/// Swift's cooperative pool) then waits in `poll` and dequeues frames, and hands each to the
/// consumer through a one-frame slot where the newest frame wins.
///
/// Frames borrow the driver's buffer (``Options/Delivery/zeroCopy``, the default): the buffer
/// goes back to the driver (`VIDIOC_QBUF`) when the last copy of the frame is released, so
/// hold frames only as long as you need them — a consumer that keeps every buffer starves
/// the driver, which then drops frames (counted in ``CaptureStatistics/driverDrops``).
/// ``Options/Delivery/copy`` copies each frame into a pooled buffer instead and gives the
/// driver's buffer back at once.
///
/// Frames carry the driver's timestamp (`CLOCK_MONOTONIC`) and sequence number. An unplugged
/// camera (`ENODEV`, `EIO`) ends the stream with an error naming the device, or, with
/// ``Options/reconnect`` set, is reopened with exponential back-off.
///
/// `stop()` ends streaming (`VIDIOC_STREAMOFF`) and joins the thread; the buffers are unmapped
/// and the device closed once no frame borrows them any more. `start()` may be called again.
public final class V4L2Camera: FrameSource, @unchecked Sendable {
    /// How frames reach the consumer.
    public enum Delivery: String, Sendable, CaseIterable {
        /// Frames borrow the mmap'd driver buffer; it is re-queued when the frame is released.
        case zeroCopy = "zero-copy"
        /// Frames are copied into pooled memory and the driver buffer is re-queued at once.
        case copy
    }

    /// Reopening a camera that went away.
    public struct ReconnectPolicy: Sendable, Equatable {
        public var attempts: Int
        public var initialDelay: Double
        public var maximumDelay: Double
        public init(attempts: Int = 10, initialDelay: Double = 0.25, maximumDelay: Double = 4) {
            (self.attempts, self.initialDelay, self.maximumDelay) = (attempts, initialDelay, maximumDelay)
        }
    }

    public struct Options: Sendable, Equatable {
        /// mmap buffers to ask the driver for (it may grant more or fewer).
        public var bufferCount: Int
        /// Go through libv4l2 (`v4l2_open`, `v4l2_ioctl` …), which converts formats the device lacks.
        public var conversion: Bool
        public var delivery: Delivery
        /// Reopen the device after `ENODEV`/`EIO`; nil ends the stream with the error.
        public var reconnect: ReconnectPolicy?
        /// Seconds without a frame (while the driver has buffers) before the stream fails.
        public var frameTimeout: Double
        /// How often the capture thread wakes to check for `stop()`, in seconds.
        public var pollInterval: Double

        public init(
            bufferCount: Int = 4, conversion: Bool = false, delivery: Delivery = .zeroCopy,
            reconnect: ReconnectPolicy? = nil, frameTimeout: Double = 5, pollInterval: Double = 0.1
        ) {
            self.bufferCount = bufferCount
            self.conversion = conversion
            self.delivery = delivery
            self.reconnect = reconnect
            self.frameTimeout = frameTimeout
            self.pollInterval = pollInterval
        }
    }

    public let device: String
    public let request: CaptureRequest
    public let options: Options
    private let system: any SystemCalls
    private let logger: Logger?
    private let lock = Lock()
    private var session: CaptureSession?
    private var started = false
    private var lastStatistics = CaptureStatistics()

    /// - Parameters:
    ///   - system: the system-call layer; the default is the real one (``LinuxSystemCalls``,
    ///     through libv4l2 when ``Options/conversion`` is set). Tests pass a fake driver.
    public init(
        device: String = "/dev/video0", request: CaptureRequest = CaptureRequest(), options: Options = Options(),
        system: (any SystemCalls)? = nil, logger: Logger? = nil
    ) {
        self.device = device
        self.request = request
        self.options = options
        self.system = system ?? LinuxSystemCalls(conversion: options.conversion)
        self.logger = logger
    }

    deinit { stop() }

    public var name: String { device }

    /// The format of the running (or last) session.
    public var format: NegotiatedFormat? { lock.withLock { session?.format } }

    /// Counters of the running session, or of the last one after ``stop()``.
    public var captureStatistics: CaptureStatistics {
        lock.withLock { session?.statistics ?? lastStatistics }
    }

    /// Frame timestamps are on `CLOCK_MONOTONIC` (the driver's, or the dequeue time when the
    /// driver stamps another clock).
    public var clock: FrameClock { .monotonic }

    /// A camera is live: frames the consumer is too slow for are replaced (latest wins).
    public var isLive: Bool { true }

    /// Frames lost before delivery (replaced in the hand-off, or dropped by the driver), with
    /// the session's figures.
    public var statistics: SourceStatistics {
        let s = captureStatistics
        return SourceStatistics(framesDropped: s.framesReplaced + s.driverDrops, capture: s)
    }

    /// Opens the device, negotiates and starts streaming. Throws if already running.
    @discardableResult
    public func start() throws(CaptureError) -> NegotiatedFormat {
        lock.lock()
        defer { lock.unlock() }
        guard session == nil else { throw .misuse("\(device): already capturing") }
        let opened = try Self.openStream(device: device, request: request, options: options, system: system, logger: logger)
        let s = CaptureSession(camera: self, stream: opened)
        session = s
        started = true
        s.startThread()
        return opened.format
    }

    /// The newest frame, blocking until one arrives; nil after ``stop()``. Starts the camera
    /// on first use.
    public func next() throws(CaptureError) -> Frame? {
        guard let s = try currentSession() else { return nil }
        while true {
            if let frame = try s.slot.take(timeout: 1) { return frame }
            if s.slot.isFinished { return try s.slot.take(timeout: 0) }
        }
    }

    /// The newest frame, blocking for at most `timeout` seconds (nil on timeout or after stop).
    public func next(timeout: Double) throws(CaptureError) -> Frame? {
        guard let s = try currentSession() else { return nil }
        return try s.slot.take(timeout: timeout)
    }

    /// The newest frame, waiting asynchronously; nil after ``stop()`` or on cancellation.
    public func nextFrame() async throws(CaptureError) -> Frame? {
        guard let s = try currentSession() else { return nil }
        return try await s.slot.take()
    }

    private func currentSession() throws(CaptureError) -> CaptureSession? {
        lock.lock()
        let s = session
        let wasStarted = started
        lock.unlock()
        if let s { return s }
        if wasStarted { return nil }
        try start()
        return lock.withLock { session }
    }

    /// Stops streaming, joins the capture thread and drops the frame waiting in the slot.
    public func stop() {
        lock.lock()
        let s = session
        session = nil
        lock.unlock()
        guard let s else { return }
        s.stop()
        lock.withLock { lastStatistics = s.statistics }
    }

    // MARK: - Opening

    /// The mapped buffers and format of one open, streaming device.
    struct OpenStream {
        var ring: BufferRing
        var format: NegotiatedFormat
    }

    static func openStream(
        device: String, request: CaptureRequest, options: Options, system: any SystemCalls, logger: Logger?
    ) throws(CaptureError) -> OpenStream {
        let funnel = SyscallFunnel(system: system, device: device)
        let handle: V4L2Handle
        do { handle = try V4L2Handle.open(funnel) } catch { throw .system(error) }
        var mapped: [UnsafeMutableRawBufferPointer] = []
        var handedOver = false
        defer {
            if !handedOver {
                for m in mapped { try? funnel.munmap(m.baseAddress!, length: m.count) }
                handle.close()
            }
        }
        _ = try handle.requireCaptureAndStreaming()
        do {
            // Only formats Sightline reads are worth enumerating sizes for (vivid offers 83).
            var offered: [FormatCapabilities] = []
            let all = try handle.enumerateFormats()
            for f in all where f.fourcc.pixelFormat != nil {
                offered.append(
                    FormatCapabilities(
                        fourcc: f.fourcc, name: f.name, emulated: f.flags & sl_V4L2_FMT_FLAG_EMULATED != 0,
                        compressed: f.flags & sl_V4L2_FMT_FLAG_COMPRESSED != 0, sizes: try handle.enumerateSizes(f.fourcc)))
            }
            let choice: FormatChoice
            do {
                choice = try Negotiation.choose(from: offered, for: request, device: device)
            } catch {
                if case .noUsableFormat(let d, let w, _) = error {
                    throw CaptureError.noUsableFormat(device: d, wanted: w, offered: all.map { $0.fourcc.description })
                }
                throw error
            }
            let pix = try handle.setFormat(choice.fourcc, choice.size)
            let got = FourCC(rawValue: pix.pixelformat)
            guard let pixelFormat = got.pixelFormat else {
                throw CaptureError.formatRejected(device: device, asked: choice.fourcc.description, got: got.description)
            }
            let width = Int(pix.width), height = Int(pix.height)
            var stride = pixelFormat.isCompressed ? 0 : Int(pix.bytesperline)
            if !pixelFormat.isCompressed, stride < pixelFormat.minimumStride(width: width)! {
                stride = pixelFormat.minimumStride(width: width)!
            }
            if got != choice.fourcc {
                logger?.notice("\(device): asked for \(choice.fourcc), the driver chose \(got)")
            }
            if width != choice.size.width || height != choice.size.height {
                logger?.notice("\(device): asked for \(choice.size), the driver chose \(width)x\(height)")
            }
            let (interval, rateSet) = try handle.setInterval(choice.interval)
            if !rateSet { logger?.info("\(device): the driver does not take a frame rate (VIDIOC_S_PARM)") }
            let granted = try handle.requestBuffers(max(1, options.bufferCount))
            guard granted >= 1 else {
                throw CaptureError.buffers(device: device, detail: "VIDIOC_REQBUFS granted no mmap buffers")
            }
            for i in 0..<granted {
                let (offset, length) = try handle.queryBuffer(i)
                let p = try funnel.mmap(length: length, fd: handle.fd, offset: offset)
                mapped.append(UnsafeMutableRawBufferPointer(start: p, count: length))
            }
            for i in 0..<granted { try handle.queueBuffer(i) }
            try handle.streamOn()
            let format = NegotiatedFormat(
                device: device, fourcc: got, pixelFormat: pixelFormat, width: width, height: height, stride: stride,
                sizeImage: Int(pix.sizeimage), interval: interval, rateSet: rateSet, askedSize: choice.size,
                bufferCount: granted,
                emulated: offered.first { $0.fourcc == got }?.emulated ?? false)
            logger?.debug("\(format)")
            handedOver = true
            return OpenStream(ring: BufferRing(handle: handle, buffers: mapped), format: format)
        } catch let error as SystemCallError {
            throw .system(error)
        } catch let error as CaptureError {
            throw error
        } catch {
            throw .misuse("\(device): \(error)")
        }
    }
}

extension V4L2Camera {
    var systemForSession: any SystemCalls { system }
    var loggerForSession: Logger? { logger }
}
