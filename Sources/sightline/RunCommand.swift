import ArgumentParser
import Capture
import Foundation
import Pipeline
import Service
import SightlineCore

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job live on a V4L2 camera: capture, detect, reason, act.",
        discussion: """
            Capture, the change gate and preprocessing, detection, and reasoning with the sinks run as concurrent stages; a slow \
            stage gets the newest frame, never a backlog, and the frames it missed are counted (docs/live.md). Stops after \
            --frames frames, or on Ctrl-C or SIGTERM; in-flight frames finish and the sinks are flushed either way.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scene: SceneOptions
    @OptionGroup var live: LiveCommandOptions

    @Option(help: "The camera device (/dev/video0).")
    var device: String?
    @Option(help: "Frame size, WIDTHxHEIGHT (640x480).")
    var size: String?
    @Option(help: "Frame rate to ask for (15).")
    var fps: Double?
    @Flag(help: "Go through libv4l2 (converts formats the camera lacks; needed for multi-planar-only cameras).")
    var libv4l2 = false
    @Option(help: "Stop after this many frames (default: until interrupted).")
    var frames: Int?

    @Flag(help: "Print only the summary.")
    var quiet = false

    func validate() throws {
        if let size, case .failure(let problem) = FrameSize.parse(size) { throw ValidationError("--size \(problem)") }
        if let fps, let p = outOfRange("--fps", fps, 0.001...1000) { throw ValidationError(p) }
        if let frames, let p = outOfRange("--frames", frames, 1...FrameProbe.maximumFrames) { throw ValidationError(p) }
    }

    func configuration() throws -> ServiceConfiguration {
        try live.service(scene: scene) {
            ($0.device, $0.size, $0.fps) = (device ?? $0.device, size ?? $0.size, fps ?? $0.fps)
            ($0.libv4l2, $0.frames) = ($0.libv4l2 || libv4l2, frames ?? $0.frames)
        }
    }

    func run() throws {
        let service = try configuration()
        let logger = global.bootstrapLogging(service.logging)
        guard let size = service.source.frameSize else { throw ValidationError("--size must be WIDTHxHEIGHT") }
        let camera = V4L2Camera(
            device: service.source.device, request: CaptureRequest(size: size, fps: service.source.fps),
            options: .init(conversion: service.source.libv4l2), logger: logger)
        do { print("\(service.source.device): \(try camera.start())") } catch { throw fail(error) }
        defer {
            camera.stop()
            print(camera.captureStatistics.liveSummary)
        }
        let status = ServiceRun(service, logger: logger).run(
            source: camera, handOff: service.source.handOff ?? .latestWins, quiet: quiet, reload: { [self] in try configuration() })
        if status != 0 { throw ExitCode(status) }
    }
}
