import CV4L2
import Capture
import Glibc
import SightlineCore
import Testing

private let vga = FrameSize(width: 640, height: 480)
private func fps(_ n: UInt32) -> FrameInterval { FrameInterval(numerator: 1, denominator: n) }

/// Waits (up to 5 s) until `condition` holds.
private func eventually(_ condition: () -> Bool) -> Bool {
    for _ in 0..<500 {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

@Suite("Negotiation")
struct NegotiationTests {
    func offer(_ f: FourCC, _ sizes: [FrameSize], _ intervals: [FrameInterval] = [fps(30)]) -> FormatCapabilities {
        FormatCapabilities(
            fourcc: f, name: "\(f)",
            sizes: .discrete(sizes.map { .init(size: $0, intervals: intervals) }))
    }

    @Test func prefersMJPEGWhenOffered() throws {
        let offered = [offer(.yuyv, [vga]), offer(.nv12, [vga]), offer(.mjpeg, [vga])]
        let c = try Negotiation.choose(from: offered, for: CaptureRequest(size: vga, fps: 30), device: "d")
        #expect(c.pixelFormat == .mjpeg)
        #expect(c.size == vga)
        #expect(c.interval == fps(30))
    }

    @Test(
        "Preference order",
        arguments: [
            ([FourCC.grey, .rgb24, .nv12, .yuyv], PixelFormat.yuyv),
            ([.grey, .rgb24, .nv12], .nv12),
            ([.grey, .rgb24], .rgb24),
            ([.grey], .grey),
        ])
    func preferenceOrder(offered: [FourCC], expected: PixelFormat) throws {
        let c = try Negotiation.choose(from: offered.map { offer($0, [vga]) }, for: CaptureRequest(), device: "d")
        #expect(c.pixelFormat == expected)
    }

    @Test func fallsBackWhenThePreferredFormatLacksTheSize() throws {
        let offered = [offer(.mjpeg, [FrameSize(width: 1920, height: 1080)]), offer(.yuyv, [vga])]
        let c = try Negotiation.choose(from: offered, for: CaptureRequest(size: vga), device: "d")
        #expect(c.pixelFormat == .yuyv)
    }

    @Test func fallsBackWhenThePreferredFormatIsTooSlow() throws {
        let offered = [offer(.mjpeg, [vga], [fps(10)]), offer(.yuyv, [vga], [fps(30), fps(10)])]
        let c = try Negotiation.choose(from: offered, for: CaptureRequest(size: vga, fps: 25), device: "d")
        #expect(c.pixelFormat == .yuyv)
        #expect(c.interval == fps(30))
    }

    @Test func picksTheSlowestRateThatIsFastEnough() throws {
        let offered = [offer(.yuyv, [vga], [fps(5), fps(10), fps(25), fps(30)])]
        #expect(try Negotiation.choose(from: offered, for: CaptureRequest(fps: 15), device: "d").interval == fps(25))
        #expect(try Negotiation.choose(from: offered, for: CaptureRequest(), device: "d").interval == fps(30))
        #expect(try Negotiation.choose(from: offered, for: CaptureRequest(fps: 60), device: "d").interval == fps(30))
    }

    @Test func picksTheSmallestCoveringSize() throws {
        let sizes = [FrameSize(width: 320, height: 180), FrameSize(width: 640, height: 360), FrameSize(width: 1280, height: 720)]
        let c = try Negotiation.choose(from: [offer(.yuyv, sizes)], for: CaptureRequest(size: vga), device: "d")
        #expect(c.size == FrameSize(width: 1280, height: 720))
        let big = try Negotiation.choose(
            from: [offer(.yuyv, sizes)], for: CaptureRequest(size: FrameSize(width: 4000, height: 3000)), device: "d")
        #expect(big.size == FrameSize(width: 1280, height: 720))
    }

    @Test func stepwiseSizesAreClampedToTheStep() throws {
        let f = FormatCapabilities(
            fourcc: .yuyv, name: "YUYV",
            sizes: .stepwise(min: FrameSize(width: 16, height: 16), max: FrameSize(width: 1920, height: 1080), stepWidth: 16, stepHeight: 8)
        )
        let c = try Negotiation.choose(from: [f], for: CaptureRequest(size: FrameSize(width: 650, height: 2000)), device: "d")
        #expect(c.size == FrameSize(width: 640, height: 1080))
    }

    @Test func aRequiredFormatThatIsNotOfferedIsAClearError() {
        #expect {
            try Negotiation.choose(from: [offer(.yuyv, [vga])], for: CaptureRequest(format: .nv12), device: "/dev/video9")
        } throws: { error in
            let e = error as? CaptureError
            return e == .noUsableFormat(device: "/dev/video9", wanted: "nv12", offered: ["YUYV"])
                && "\(e!)".contains("/dev/video9: no usable pixel format (wanted nv12; the device offers YUYV)")
        }
    }
}

@Suite("Syscall funnel")
struct FunnelTests {
    struct Scripted: SystemCalls {
        let results: [Result<Int32, Errno>]
        let counter = Counter()
        final class Counter: @unchecked Sendable { var n = 0 }
        func open(_ path: String, flags: Int32) -> Result<Int32, Errno> { next() }
        func close(_ fd: Int32) -> Result<Void, Errno> { .success(()) }
        func ioctl(_ fd: Int32, request: UInt, argument: UnsafeMutableRawPointer) -> Result<Int32, Errno> { next() }
        func poll(_ fd: Int32, events: Int16, timeoutMilliseconds: Int32) -> Result<Int16, Errno> { .success(0) }
        func mmap(length: Int, fd: Int32, offset: Int) -> Result<UnsafeMutableRawPointer, Errno> { .failure(Errno(ENOMEM)) }
        func munmap(_ address: UnsafeMutableRawPointer, length: Int) -> Result<Void, Errno> { .success(()) }
        func next() -> Result<Int32, Errno> {
            defer { counter.n += 1 }
            return results[min(counter.n, results.count - 1)]
        }
    }

    @Test func retriesEINTR() throws {
        let sys = Scripted(results: [.failure(Errno(EINTR)), .failure(Errno(EINTR)), .success(7)])
        let funnel = SyscallFunnel(system: sys, device: "/dev/video0")
        var arg: Int32 = 0
        #expect(try funnel.ioctl(3, "VIDIOC_QUERYCAP", sl_VIDIOC_QUERYCAP, &arg) == 7)
        #expect(sys.counter.n == 3)
    }

    @Test func errorsNameTheCallTheDeviceAndTheErrno() {
        let funnel = SyscallFunnel(system: Scripted(results: [.failure(Errno(ENODEV))]), device: "/dev/video0")
        var arg: Int32 = 0
        #expect(throws: SystemCallError(call: "VIDIOC_DQBUF", device: "/dev/video0", errno: ENODEV)) {
            try funnel.ioctl(3, "VIDIOC_DQBUF", sl_VIDIOC_DQBUF, &arg)
        }
        let e = SystemCallError(call: "VIDIOC_DQBUF", device: "/dev/video0", errno: ENODEV)
        #expect(e.description == "VIDIOC_DQBUF on /dev/video0: No such device (ENODEV)")
        #expect(e.meansDeviceGone)
        #expect("\(SystemCallError(call: "mmap", device: "/dev/video0", errno: ENOMEM))".hasSuffix("(ENOMEM)"))
    }

    @Test func eagainIsNotAnError() throws {
        let funnel = SyscallFunnel(system: Scripted(results: [.failure(Errno(EAGAIN))]), device: "d")
        var arg: Int32 = 0
        #expect(try funnel.ioctlUnlessAgain(3, "VIDIOC_DQBUF", sl_VIDIOC_DQBUF, &arg) == false)
    }
}

@Suite("V4L2 camera against a fake driver", .serialized)
struct FakeCameraTests {
    func camera(_ driver: FakeDriver, _ request: CaptureRequest = CaptureRequest(), options: V4L2Camera.Options = .init())
        -> V4L2Camera
    {
        V4L2Camera(device: "/dev/fake0", request: request, options: options, system: driver)
    }

    @Test func streamsFramesWithSequenceTimestampAndTheDriversBytes() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame])
        let cam = camera(driver)
        let format = try cam.start()
        #expect(format.pixelFormat == .yuyv && format.width == 640 && format.height == 480 && format.stride == 1280)
        #expect(format.bufferCount == 4)
        let before = Timestamp.now()
        let frame = try #require(try cam.next())
        #expect(frame.sequence == 0)
        #expect(frame.format == .yuyv && frame.width == 640 && frame.stride == 1280)
        #expect(frame.byteCount == 640 * 480 * 2)
        #expect(frame.timestamp <= Timestamp.now() && frame.timestamp.seconds(since: before) > -1)
        #expect(frame.bytes.allSatisfy { $0 == 0 })
        #expect(frame.origin == "/dev/fake0")
        cam.stop()
        #expect(driver.calls.contains("STREAMOFF"))
        #expect(driver.openCount == 1, "the frame still borrows a buffer, so the device stays open")
        _ = consume frame
        #expect(driver.openCount == 0 && driver.mappedCount == 0)
    }

    @Test func vividLikeRateIsSetWithSPARMAfterSFMT() throws {
        let driver = FakeDriver(formats: [.init(fourcc: .yuyv, sizes: [vga], intervals: [fps(5), fps(25)])])
        let cam = camera(driver, CaptureRequest(fps: 25))
        let format = try cam.start()
        cam.stop()
        #expect(format.interval == fps(25))
        #expect(format.rateSet)
        let calls = driver.calls
        #expect(calls.firstIndex(of: "S_FMT")! < calls.firstIndex(of: "S_PARM 1/25")!)
    }

    @Test func aDriverWithoutSPARMStillStreams() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame])
        driver.supportsParm = false
        let cam = camera(driver, CaptureRequest(fps: 30))
        let format = try cam.start()
        #expect(!format.rateSet)
        #expect(format.interval == fps(5))
        #expect(try cam.next() != nil)
        cam.stop()
    }

    @Test func aDriverThatIgnoresTheSizeIsBelieved() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame])
        driver.forcedSize = FrameSize(width: 320, height: 240)
        let cam = camera(driver)
        let format = try cam.start()
        #expect(format.width == 320 && format.height == 240 && format.stride == 640)
        #expect(format.sizeAdjusted)
        #expect("\(format)".contains("asked for 640x480; the driver chose 320x240"))
        let frame = try #require(try cam.next())
        #expect(frame.width == 320 && frame.height == 240 && frame.byteCount == 320 * 240 * 2)
        cam.stop()
    }

    @Test func negotiationPicksMJPEGFromTheDriver() throws {
        let driver = FakeDriver(formats: [
            .init(fourcc: .yuyv, sizes: [vga], intervals: [fps(30)]),
            .init(fourcc: .mjpeg, sizes: [vga], intervals: [fps(30)]),
        ])
        let cam = camera(driver)
        #expect(try cam.start().pixelFormat == .mjpeg)
        cam.stop()
    }

    /// Devices Sightline cannot capture from are refused from what `VIDIOC_QUERYCAP` says,
    /// before anything is mapped: an output device; a multi-planar-only one (as many ARM camera
    /// interfaces are), whose error says to go through libv4l2 (its mplane plugin presents it
    /// as an ordinary camera: tried on vivid with multiplanar=2, docs/capture.md); one without
    /// streaming I/O.
    @Test(arguments: [
        (0x2 | sl_V4L2_CAP_STREAMING,  // V4L2_CAP_VIDEO_OUTPUT
         CaptureError.notACaptureDevice(device: "/dev/fake0", card: "Fake Camera", capabilities: 0x2 | sl_V4L2_CAP_STREAMING),
         "/dev/fake0 (Fake Camera) is not a video capture device (capabilities 0x4000002)"),
        (sl_V4L2_CAP_VIDEO_CAPTURE_MPLANE | sl_V4L2_CAP_STREAMING,
         .multiplanarOnly(device: "/dev/fake0", card: "Fake Camera"), "capture it through libv4l2 (--libv4l2)"),
        (sl_V4L2_CAP_VIDEO_CAPTURE | sl_V4L2_CAP_READWRITE,
         .noStreamingIO(device: "/dev/fake0", card: "Fake Camera"), "does not support streaming I/O (mmap)"),
    ])
    func devicesThatCannotBeCapturedAreRefused(capabilities: UInt32, expected: CaptureError, says: String) throws {
        let driver = FakeDriver.yuyvOnly()
        driver.capabilities = capabilities
        #expect(throws: expected) { try camera(driver).start() }
        #expect(driver.openCount == 0)
        #expect(expected.description.contains(says), "\(expected)")
    }

    @Test func noUsableFormatListsWhatTheDeviceOffers() throws {
        let driver = FakeDriver(formats: [.init(fourcc: FourCC("BA81")!, sizes: [vga], intervals: [fps(30)])])
        #expect(throws: CaptureError.noUsableFormat(device: "/dev/fake0", wanted: "mjpeg/yuyv/nv12/rgb24/bgr24/grey", offered: ["BA81"])) {
            try camera(driver).start()
        }
        #expect(driver.openCount == 0 && driver.mappedCount == 0)
    }

    @Test func enodevMidStreamEndsTheStreamWithAnErrorNamingTheDevice() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame, .unplug])
        let cam = camera(driver)
        try cam.start()
        var frames = 0
        var failure: CaptureError?
        do {
            while try cam.next() != nil { frames += 1 }
        } catch { failure = error }
        #expect(frames <= 1)
        let e = try #require(failure)
        #expect(e == .system(SystemCallError(call: "VIDIOC_DQBUF", device: "/dev/fake0", errno: ENODEV)))
        #expect(e.description == "VIDIOC_DQBUF on /dev/fake0: No such device (ENODEV)")
        #expect(try cam.next() == nil, "after the error the stream stays ended")
        cam.stop()
        #expect(eventually { driver.openCount == 0 && driver.mappedCount == 0 })
    }

    @Test func eioAlsoEndsTheStream() throws {
        let driver = FakeDriver.yuyvOnly(script: [.error(EIO)])
        let cam = camera(driver)
        try cam.start()
        #expect(throws: CaptureError.system(SystemCallError(call: "VIDIOC_DQBUF", device: "/dev/fake0", errno: EIO))) {
            _ = try cam.next()
        }
        cam.stop()
    }

    @Test func eagainFromDQBUFIsRetriedQuietly() throws {
        let driver = FakeDriver.yuyvOnly(script: [.error(EAGAIN), .error(EAGAIN), .frame])
        let cam = camera(driver)
        try cam.start()
        let frame = try #require(try cam.next())
        #expect(frame.sequence == 0)
        cam.stop()
        #expect(cam.captureStatistics.framesCaptured == 1)
    }

    @Test func eintrIsRetriedEverywhere() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame])
        driver.eintr = ["open": 1, "QUERYCAP": 2, "S_FMT": 1, "REQBUFS": 1, "poll": 3, "DQBUF": 2]
        let cam = camera(driver)
        try cam.start()
        #expect(try cam.next() != nil)
        cam.stop()
        #expect(driver.eintrReturned == 10)
    }

    @Test func sequenceGapsAreCountedAsDriverDrops() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame, .skip(3), .frame, .skip(1), .frame])
        let cam = camera(driver)
        try cam.start()
        #expect(eventually { cam.captureStatistics.framesCaptured == 3 })
        cam.stop()
        #expect(cam.captureStatistics.driverDrops == 4)
        #expect(cam.captureStatistics.handoffLatencies.count == 3)
    }

    @Test func erroredBuffersAreGivenBackAndCounted() throws {
        let driver = FakeDriver.yuyvOnly(script: [.erroredFrame, .frame])
        let cam = camera(driver)
        try cam.start()
        let frame = try #require(try cam.next())
        #expect(frame.sequence == 1)
        cam.stop()
        #expect(cam.captureStatistics.erroredBuffers == 1)
    }

    @Test func aSlowConsumerGetsTheNewestFrame() throws {
        let driver = FakeDriver.yuyvOnly(script: Array(repeating: .frame, count: 20))
        let cam = camera(driver)
        try cam.start()
        #expect(eventually { driver.dequeuedCount == 20 && cam.captureStatistics.framesCaptured == 20 })
        let frame = try #require(try cam.next())
        #expect(frame.sequence == 19)
        #expect(frame.bytes.allSatisfy { $0 == 19 })
        let stats = cam.captureStatistics
        #expect(stats.framesReplaced == 19)
        #expect(stats.driverDrops == 0, "replaced frames went back to the driver, so it never starved")
        cam.stop()
    }

    @Test func aConsumerHoldingEveryBufferStarvesTheDriverWhichDrops() throws {
        let driver = FakeDriver.yuyvOnly(script: [])
        driver.framesAfterScript = true
        let cam = camera(driver, options: .init(bufferCount: 3))
        try cam.start()
        var held: [Frame] = []
        while held.count < 3 { if let f = try cam.next(timeout: 2) { held.append(f) } }
        #expect(driver.queuedCount == 0)
        #expect(try cam.next(timeout: 0.2) == nil, "no buffer is queued: no frame arrives, and that is not a timeout")
        driver.append([.skip(5)])
        held.removeAll()  // buffers go back to the driver
        let next = try #require(try cam.next(timeout: 2))
        #expect(next.sequence >= 8)
        cam.stop()
        #expect(cam.captureStatistics.driverDrops >= 5)
    }

    @Test func releasingAFrameRequeuesItsBuffer() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame])
        let cam = camera(driver)
        try cam.start()
        var frame = try cam.next()
        #expect(eventually { driver.queuedCount == 3 })
        #expect(driver.queuedCount == 3, "the frame borrows its buffer")
        frame = nil
        // The capture thread may still hold its own reference for a moment after the hand-off.
        #expect(eventually { driver.queuedCount == 4 })
        _ = frame
        cam.stop()
    }

    @Test func copyDeliveryGivesTheBufferBackAtOnce() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame, .frame])
        let cam = camera(driver, options: .init(delivery: .copy))
        try cam.start()
        #expect(eventually { driver.dequeuedCount == 2 })
        let frame = try #require(try cam.next())
        #expect(frame.sequence == 1 && frame.bytes.allSatisfy { $0 == 1 } && frame.byteCount == 640 * 480 * 2)
        #expect(eventually { driver.queuedCount == 4 })
        cam.stop()
        // The capture thread lets go of the device as it winds down (as in stopAndRestart): wait
        // for it, while `frame` is still alive.
        #expect(eventually { driver.openCount == 0 }, "copied frames do not keep the device open")
        #expect(frame.bytes.count >= 640 * 480 * 2)
    }

    @Test func stopAndRestart() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame])
        let cam = camera(driver)
        try cam.start()
        #expect(try cam.next()?.sequence == 0)
        cam.stop()
        cam.stop()  // idempotent
        #expect(try cam.next() == nil)
        #expect(eventually { driver.openCount == 0 })
        driver.append([.frame, .frame])
        try cam.start()
        #expect(throws: CaptureError.self) { try cam.start() }
        #expect(try cam.next() != nil)
        cam.stop()
        #expect(eventually { driver.openCount == 0 && driver.mappedCount == 0 })
        #expect(driver.calls.filter { $0 == "STREAMON" }.count == 2)
    }

    @Test func reconnectsWithBackOffWhenAsked() throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame, .unplug, .frame])
        driver.failedOpensAfterUnplug = 2
        let policy = V4L2Camera.ReconnectPolicy(attempts: 5, initialDelay: 0.01, maximumDelay: 0.05)
        let cam = camera(driver, options: .init(reconnect: policy))
        try cam.start()
        #expect(eventually { cam.captureStatistics.reconnects == 1 && cam.captureStatistics.framesCaptured == 2 })
        #expect(driver.calls.filter { $0 == "open ENOENT" }.count == 2)
        let frame = try #require(try cam.next(timeout: 2))
        #expect(frame.sequence == 0, "the reopened device counts from 0 again")
        cam.stop()
        #expect(cam.captureStatistics.driverDrops == 0)
    }

    @Test func reconnectGivesUpAfterItsAttempts() throws {
        let driver = FakeDriver.yuyvOnly(script: [.unplug])
        driver.failedOpensAfterUnplug = 100
        let policy = V4L2Camera.ReconnectPolicy(attempts: 3, initialDelay: 0.01, maximumDelay: 0.02)
        let cam = camera(driver, options: .init(reconnect: policy))
        try cam.start()
        #expect {
            while try cam.next() != nil {}
        } throws: { error in
            guard case .reconnectFailed(let d, 3, let last)? = error as? CaptureError else { return false }
            return d == "/dev/fake0" && last.call == "open" && last.errno == ENOENT
        }
        cam.stop()
    }

    @Test func noFramesForTooLongIsATimeout() throws {
        let driver = FakeDriver.yuyvOnly(script: [])
        let cam = camera(driver, options: .init(frameTimeout: 0.2, pollInterval: 0.02))
        try cam.start()
        #expect(throws: CaptureError.timeout(device: "/dev/fake0", seconds: 0.2)) { _ = try cam.next() }
        cam.stop()
    }

    @Test func asyncConsumers() async throws {
        let driver = FakeDriver.yuyvOnly(script: [.frame, .frame, .unplug])
        let cam = camera(driver)
        try cam.start()
        var sequences: [UInt64] = []
        do {
            for try await frame in cam.frames { sequences.append(frame.sequence) }
            Issue.record("the stream should end with ENODEV")
        } catch {
            #expect("\(error)".contains("VIDIOC_DQBUF on /dev/fake0: No such device (ENODEV)"))
        }
        #expect(!sequences.isEmpty && sequences.last! <= 1)
        cam.stop()
    }

    @Test func cancellingAnAsyncWaitReturnsNil() async throws {
        let driver = FakeDriver.yuyvOnly(script: [])
        let cam = camera(driver)
        try cam.start()
        let task = Task { try await cam.nextFrame() }
        usleep(50_000)
        task.cancel()
        #expect(try await task.value == nil)
        cam.stop()
    }
}
