import ArgumentParser
import Capture
import Foundation
import Imaging
import SightlineCore

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record frames from a V4L2 camera so they can be replayed.",
        discussion: """
            Writes what the camera gives: MJPEG frames byte for byte; raw frames (YUYV, NV12 as limited-range BT.601; GREY; \
            RGB24/BGR24) converted to RGB by Sightline's kernels and encoded to JPEG with libjpeg-turbo. OUT is a new directory \
            (frame-000000.jpg … plus frames.tsv) or, with --container mjpeg or a name ending in .mjpeg, one file of concatenated \
            JPEGs plus OUT.tsv. The .tsv sidecar holds each frame's capture timestamp and sequence number. Replay with \
            `sightline capture --input OUT`.

            Like a live consumer, recording takes the newest frame: when writing is slower than the camera, frames are skipped \
            and the gaps show in the sidecar's sequence numbers.
            """
    )

    @OptionGroup var global: GlobalOptions
    @OptionGroup var source: SourceOptions

    @Option(help: "How many frames to record.")
    var frames = 100

    @Option(help: "directory or mjpeg (default: mjpeg when OUT ends in .mjpeg or .mjpg).")
    var container: FrameRecorder.Container?

    @Option(help: "JPEG quality for raw frames (1-100).")
    var quality = 90

    @Argument(help: "Where to write the recording.")
    var out: String

    func validate() throws {
        if let p = outOfRange("--frames", frames, 1...FrameProbe.maximumFrames) { throw ValidationError(p) }
        guard (1...100).contains(quality) else { throw ValidationError("--quality must be between 1 and 100") }
    }

    func run() throws {
        let logger = global.bootstrapLogging()
        let kind = container ?? FrameRecorder.Container(forPath: out)
        let cam = try source.camera(logger: logger)
        let format = try cam.start()
        defer { cam.stop() }
        print("recording \(format) to \(out) (\(kind.rawValue))")
        let recorder = try FrameRecorder(path: out, container: kind)
        let encoder = FrameJPEGEncoder(quality: quality)
        let failure = recorder.record(from: cam, frames: frames, encode: encoder.encode)
        // Keep what was recorded, even after an error.
        try recorder.finish()
        cam.stop()
        print(recorder.summary(camera: cam.captureStatistics))
        if let failure { throw fail(failure) }
    }
}
