import ArgumentParser
import Capture
import Foundation
import Logging
import SightlineCore

/// A real system call every time (glibc caches nothing for getppid).
@inline(never) func syscall_getppid() -> pid_t { getppid() }

extension V4L2Camera.Delivery: ExpressibleByArgument {}
extension CorruptFramePolicy: ExpressibleByArgument {}
extension ReplayPace: ExpressibleByArgument {}
extension FrameRecorder.Container: ExpressibleByArgument {}

/// What to capture from, shared by `capture` and `record`.
struct SourceOptions: ParsableArguments {
    @Option(help: "The V4L2 camera.")
    var device = "/dev/video0"

    @Option(help: "Pixel format: mjpeg, yuyv, nv12, rgb24, bgr24 or grey (default: the best offered, MJPEG first).")
    var format: PixelFormat?

    @Option(help: "Frame size WIDTHxHEIGHT (the driver may choose another; it is reported).")
    var size = "640x480"

    @Option(help: "Frames per second to ask for (default: the fastest offered at the size).")
    var fps: Double?

    @Option(help: "mmap buffers to ask the driver for.")
    var buffers = 4

    @Flag(help: "Go through libv4l2 (converts formats the camera lacks; needed for multi-planar-only cameras).")
    var libv4l2 = false

    @Option(help: "How frames reach the consumer: zero-copy (borrow the driver's buffer) or copy.")
    var delivery: V4L2Camera.Delivery = .zeroCopy

    @Flag(help: "Reopen the camera with back-off when it goes away (ENODEV/EIO) instead of failing.")
    var reconnect = false

    @Option(
        name: .customLong("set-control"),
        help: ArgumentHelp("Set a device control first, e.g. 'Timestamp Source=1' (repeatable).", valueName: "NAME=VALUE"))
    var controls: [String] = []

    func validate() throws {
        guard FrameSize(size) != nil else { throw ValidationError("--size must be WIDTHxHEIGHT, e.g. 640x480") }
        guard buffers >= 1, buffers <= 32 else { throw ValidationError("--buffers must be between 1 and 32") }
        if let fps, fps <= 0 || fps > 1000 { throw ValidationError("--fps must be between 0 and 1000") }
    }

    func camera(logger: Logger?) throws -> V4L2Camera {
        for c in controls {
            let parts = c.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = Int32(parts[1].trimmingCharacters(in: .whitespaces)) else {
                throw ValidationError("--set-control takes NAME=VALUE with a whole-number value, got '\(c)'")
            }
            try V4L2Devices.setControl(device, name: parts[0].trimmingCharacters(in: .whitespaces), value: value)
        }
        return V4L2Camera(
            device: device, request: CaptureRequest(size: FrameSize(size)!, fps: fps, format: format),
            options: .init(
                bufferCount: buffers, conversion: libv4l2, delivery: delivery,
                reconnect: reconnect ? .init() : nil),
            logger: logger)
    }
}

struct CaptureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Capture frames from a V4L2 camera (or replay a recording) and report timing.",
        discussion: """
            Negotiates a format with the camera (MJPEG first, then YUYV, NV12, RGB24, GREY; the \
            size and rate closest to what is asked), streams from mmap buffers on a dedicated \
            thread, and prints one line per frame: sequence number, format, size, bytes, the \
            driver's timestamp (CLOCK_MONOTONIC) and the latency from that timestamp to the moment \
            this command received the frame. The summary gives the frame rate, frames the driver \
            dropped (gaps in its sequence numbers), frames replaced before they were taken (the \
            consumer was slower; the newest frame wins), latency percentiles, and the capture \
            thread's CPU time per frame.

            With --input, frames come from a recording instead: a directory of JPEGs, an MJPEG \
            file or one JPEG (see `sightline record`).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: SourceOptions

    @Option(help: "How many frames to take.")
    var frames = 100

    @Option(help: "Replay a recording (directory, .mjpeg file or .jpg) instead of a camera.")
    var input: String?

    @Option(help: "What a recording does with a damaged frame: skip (report and go on) or stop.")
    var onCorrupt: CorruptFramePolicy = .stop

    @Option(help: "Simulate a slow consumer: milliseconds of work per frame.")
    var workMs: Double = 0

    @Flag(name: .shortAndLong, help: "Only print the summary.")
    var quiet = false

    /// Thread CPU seconds of one cheap system call (getppid) and of copying `bytes` bytes,
    /// medians over a few runs: the yardsticks capture-thread CPU time is read against.
    static func reference(bytes: Int) -> (syscall: Double, copy: Double) {
        func cpu() -> Double {
            var ts = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
            return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
        }
        func median(_ runs: Int, _ body: () -> Void) -> Double {
            var v: [Double] = []
            for _ in 0..<runs {
                let t0 = cpu()
                body()
                v.append(cpu() - t0)
            }
            return v.sorted()[runs / 2]
        }
        let calls = 200
        let syscall = median(9) { for _ in 0..<calls { _ = syscall_getppid() } } / Double(calls)
        let src = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
        memset(src, 1, bytes)
        memset(dst, 0, bytes)
        defer { src.deallocate(); dst.deallocate() }
        let copy = median(21) { dst.copyMemory(from: src, byteCount: bytes) }
        return (syscall, copy)
    }

    func validate() throws {
        guard frames >= 1 else { throw ValidationError("--frames must be at least 1") }
        guard workMs >= 0 else { throw ValidationError("--work-ms must not be negative") }
    }

    func run() throws {
        let logger = global.bootstrapLogging()
        let src: any FrameSource
        var camera: V4L2Camera?
        var lastFormat: NegotiatedFormat?
        if let input {
            src = try RecordedSources.open(input, fps: source.fps ?? 25, policy: onCorrupt, logger: logger)
        } else {
            let cam = try source.camera(logger: logger)
            let format = try cam.start()
            print("capturing \(format)")
            camera = cam
            src = cam
            lastFormat = format
        }
        defer { src.stop() }
        _ = lastFormat
        var latencies: [Double] = []
        latencies.reserveCapacity(frames)
        var count = 0
        var first: Timestamp?, last: Timestamp?
        var failure: (any Error)?
        do {
            while count < frames, let frame = try src.next() {
                let received = Timestamp.now()
                let latency = received.seconds(since: frame.timestamp)
                if camera != nil { latencies.append(latency) }
                if first == nil { first = received }
                last = received
                count += 1
                if !quiet {
                    let size = frame.format.isCompressed && frame.width == 0 ? "?" : "\(frame.width)x\(frame.height)"
                    var line = "#\(frame.sequence) \(frame.format) \(size) \(frame.byteCount) B ts \(frame.timestamp)"
                    if camera != nil { line += String(format: " latency %.2f ms", latency * 1000) }
                    print(line)
                }
                if workMs > 0 { usleep(UInt32(workMs * 1000)) }
            }
        } catch {
            failure = error
        }
        camera?.stop()
        var summary = "\(count) frames"
        if let first, let last, count > 1 {
            summary += String(
                format: " in %.2f s (%.1f fps received)", last.seconds(since: first), Double(count - 1) / last.seconds(since: first))
        }
        print(summary)
        if let cam = camera {
            let s = cam.captureStatistics
            print(
                String(
                    format:
                        "camera: %d captured at %.2f fps (driver clock), %d dropped by the driver, %d replaced before taken, %d errored buffers, %d reconnects",
                    s.framesCaptured, s.fps, s.driverDrops, s.framesReplaced, s.erroredBuffers, s.reconnects))
            print(
                String(
                    format: "latency driver timestamp -> received: p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                    CaptureStatistics.percentile(latencies, 50) * 1000, CaptureStatistics.percentile(latencies, 99) * 1000,
                    (latencies.max() ?? 0) * 1000))
            print(
                String(
                    format: "latency driver timestamp -> hand-off: p50 %.2f ms, p99 %.2f ms",
                    s.handoffLatency(percentile: 50) * 1000, s.handoffLatency(percentile: 99) * 1000))
            print(
                String(
                    format: "capture thread CPU: %.1f us/frame (%.3f s total, delivery %@)",
                    s.cpuSecondsPerFrame * 1e6, s.captureThreadCPUSeconds, cam.options.delivery.rawValue))
            if let format = lastFormat {
                let (syscall, copy) = Self.reference(bytes: format.sizeImage)
                print(
                    String(
                        format:
                            "reference, same process: one system call %.1f us, copying one %d-byte frame %.1f us; capture thread = %.1f system calls or %.2f frame copies per frame",
                        syscall * 1e6, format.sizeImage, copy * 1e6, s.cpuSecondsPerFrame / syscall, s.cpuSecondsPerFrame / copy))
            }
        } else if case let skipped = src.statistics.skippedFrames, !skipped.isEmpty {
            print("skipped damaged frames: " + skipped.map { "\($0.index) (\($0.detail))" }.joined(separator: "; "))
        }
        if let failure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }
}
