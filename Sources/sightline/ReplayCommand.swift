import ArgumentParser
import Capture
import Foundation
import Pipeline
import Service
import SightlineCore

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the whole job over recorded frames: detect, reason, act.",
        discussion: """
            Each PATH is an image, a folder of JPEGs (in name order, with an optional frames.tsv timestamp sidecar) or an MJPEG \
            stream. The frames go through the live pipeline (docs/live.md): the change gate, detection, the chain of steps over \
            the most recent analysed frames, and the sinks. --pace fast (the default) replays every frame as fast as the \
            pipeline goes, nothing dropped; --pace realtime spaces frames like their timestamps and hands them on latest-wins, \
            as from a camera. A corrupt frame is reported with its index and skipped or stops the run (--on-corrupt). Ctrl-C \
            stops cleanly: in-flight frames finish and the sinks are flushed.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scene: SceneOptions
    @OptionGroup var live: LiveCommandOptions

    @Argument(help: "Images, folders of JPEGs or MJPEG files.")
    var paths: [String]

    @Option(help: "What to do with a corrupt frame: skip (the default) or stop.")
    var onCorrupt: CorruptFramePolicy?
    @Option(help: "fast (the default): every frame, as fast as the pipeline goes; realtime: spaced like the recorded timestamps.")
    var pace: ReplayPace?
    @Option(help: "Hand-offs between stages (default: lossless for --pace fast, latest-wins for realtime).")
    var handOff: HandOffPolicy?

    @Flag(help: "Print only the summary.")
    var quiet = false

    func configuration() throws -> ServiceConfiguration {
        try live.service(scene: scene) {
            ($0.pace, $0.onCorrupt, $0.handOff) = (pace?.rawValue ?? $0.pace, onCorrupt?.rawValue ?? $0.onCorrupt, handOff ?? $0.handOff)
        }
    }

    func run() throws {
        let service = try configuration()
        let logger = global.bootstrapLogging(service.logging)
        let pace = service.source.replayPace ?? .asFastAsPulled
        let playlist = RecordingPlaylist(paths: paths, policy: service.source.corruptFramePolicy ?? .skip, pace: pace, logger: logger)
        defer { for p in playlist.problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) } }
        let status = ServiceRun(service, logger: logger).run(
            source: playlist, handOff: service.source.handOff ?? (pace == .realTime ? .latestWins : .lossless), quiet: quiet,
            reload: { [self] in try configuration() })
        if status != 0 || playlist.failed { throw ExitCode(status != 0 ? status : 1) }
    }
}
