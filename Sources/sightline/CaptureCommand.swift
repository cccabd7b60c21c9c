import ArgumentParser
import Capture
import Foundation
import Logging
import SightlineCore

extension V4L2Camera.Delivery: ExpressibleByArgument {}
extension CorruptFramePolicy: ExpressibleByArgument {}
extension ReplayPace: ExpressibleByArgument {}
extension FrameRecorder.Container: ExpressibleByArgument {}

/// What to capture from, shared by `capture` and `record`.
struct SourceOptions: ParsableArguments {
    @Option(help: "The V4L2 camera.") var device = "/dev/video0"
    @Option(help: "Pixel format: mjpeg, yuyv, nv12, rgb24, bgr24 or grey (default: the best offered, MJPEG first).")
    var format: PixelFormat?

    @Option(help: "Frame size WIDTHxHEIGHT (the driver may choose another; it is reported).") var size = "640x480"
    @Option(help: "Frames per second to ask for (default: the fastest offered at the size).") var fps: Double?
    @Option(help: "mmap buffers to ask the driver for.") var buffers = 4
    @Flag(help: "Go through libv4l2 (converts formats the camera lacks; needed for multi-planar-only cameras).") var libv4l2 = false
    @Option(help: "How frames reach the consumer: zero-copy (borrow the driver's buffer) or copy.")
    var delivery: V4L2Camera.Delivery = .zeroCopy

    @Flag(help: "Reopen the camera with back-off when it goes away (ENODEV/EIO) instead of failing.") var reconnect = false
    @Option(
        name: .customLong("set-control"),
        help: ArgumentHelp("Set a device control first, e.g. 'Timestamp Source=1' (repeatable).", valueName: "NAME=VALUE"))
    var controls: [String] = []

    func validate() throws {
        if case .failure(let problem) = FrameSize.parse(size) { throw ValidationError("--size \(problem)") }
        guard buffers >= 1, buffers <= 32 else { throw ValidationError("--buffers must be between 1 and 32") }
        if let fps, !(fps > 0 && fps <= 1000) { throw ValidationError("--fps must be between 0 and 1000") }
    }

    func camera(logger: Logger?) throws -> V4L2Camera {
        for c in controls { try V4L2Devices.setControl(device, assignment: c) }
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
            Negotiates a format with the camera (MJPEG first, then YUYV, NV12, RGB24, GREY; the size and rate closest to what is \
            asked), streams from mmap buffers on a dedicated thread, and prints one line per frame: sequence number, format, \
            size, bytes, the driver's timestamp (CLOCK_MONOTONIC) and the latency from that timestamp to the moment this command \
            received the frame. The summary gives the frame rate, frames the driver dropped (gaps in its sequence numbers), \
            frames replaced before they were taken (the consumer was slower; the newest frame wins), latency percentiles, and \
            the capture thread's CPU time per frame (`sightline-bench capture` sets it against a system call and a frame copy).

            With --input, frames come from a recording instead: a directory of JPEGs, an MJPEG file or one JPEG (see `sightline \
            record`).
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: SourceOptions

    @Option(help: "How many frames to take.") var frames = 100
    @Option(help: "Replay a recording (directory, .mjpeg file or .jpg) instead of a camera.") var input: String?
    @Option(help: "What a recording does with a damaged frame: skip (report and go on) or stop.") var onCorrupt: CorruptFramePolicy = .stop
    @Option(help: "Simulate a slow consumer: milliseconds of work per frame.") var workMs: Double = 0
    @Flag(name: .shortAndLong, help: "Only print the summary.") var quiet = false

    func validate() throws {
        if let p = outOfRange("--frames", frames, 1...FrameProbe.maximumFrames) { throw ValidationError(p) }
        if let p = outOfRange("--work-ms", workMs, 0...FrameProbe.maximumWorkMilliseconds) { throw ValidationError(p) }
    }

    func run() throws {
        let logger = global.bootstrapLogging()
        let src: any FrameSource
        var camera: V4L2Camera?  // nil for a recording
        if let input {
            src = try RecordedSources.open(input, fps: source.fps ?? 25, policy: onCorrupt, logger: logger)
        } else {
            let cam = try source.camera(logger: logger)
            let format = try cam.start()
            print("capturing \(format)")
            camera = cam
            src = cam
        }
        defer { src.stop() }
        let taken = FrameProbe.take(
            frames, from: src, workMilliseconds: workMs, say: quiet ? nil : { print($0) })
        camera?.stop()
        taken.report(source: src, camera: camera).forEach { print($0) }
        if let failure = taken.failure { throw fail(failure) }
    }
}
