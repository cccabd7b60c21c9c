import ArgumentParser
import Capture
import Foundation
import Pipeline
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

    @Option(help: "The camera device.")
    var device = "/dev/video0"

    @Option(help: "Frame size, WIDTHxHEIGHT.")
    var size = "640x480"

    @Option(help: "Frame rate to ask for.")
    var fps: Double = 15

    @Flag(help: "Go through libv4l2 (converts formats the camera lacks; needed for multi-planar-only cameras).")
    var libv4l2 = false

    @Option(help: "Stop after this many frames (default: until interrupted).")
    var frames: Int?

    @Flag(help: "Print only the summary.")
    var quiet = false

    func run() throws {
        let logger = global.bootstrapLogging()
        guard let size = FrameSize(size) else { throw ValidationError("--size must be WIDTHxHEIGHT") }
        let camera = V4L2Camera(
            device: device, request: CaptureRequest(size: size, fps: fps),
            options: .init(conversion: libv4l2), logger: logger)
        do { print("\(device): \(try camera.start())") } catch { throw fail(error) }
        let ok = try live.run(source: camera, scene: scene, handOff: .latestWins, maxFrames: frames, quiet: quiet)
        camera.stop()
        print(camera.captureStatistics.liveSummary)
        if !ok { throw ExitCode(1) }
    }
}
