import ArgumentParser
import Foundation
import Logging
import Service

/// Writes "error: `error`" to standard error and returns the exit code to throw.
func fail(_ error: Any, _ code: Int32 = 1) -> ExitCode {
    warn("error: \(error)")
    return ExitCode(code)
}

/// Writes one line on standard error.
func warn(_ line: String) { FileHandle.standardError.write(Data("\(line)\n".utf8)) }

@main
struct Sightline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sightline",
        abstract: "An edge vision pipeline for smart glasses.",
        discussion: """
            Sightline looks at what the wearer sees and acts on it. Frames from a V4L2 camera or recordings are decoded and \
            preprocessed by a SIMD core, YOLO detectors find the objects (a grocery model that also sees the fridge itself), a \
            chain of reasoning steps turns them into a conclusion with its evidence (what is in the fridge, what the wearer's \
            profile needs), and sinks act on it: the grocery list, JSON Lines, a webhook, MQTT, a heads-up overlay.

            Try it on a fridge photo: sightline explain Samples/fridge/train/images/DSC_5683*.jpg --profile \
            Samples/profiles/vegan.json. SIGHTLINE_SIMD=scalar forces the scalar kernels.
            """,
        subcommands: [
            PrepCommand.self, DetectCommand.self, DevicesCommand.self, CaptureCommand.self, RecordCommand.self, ListCommand.self,
            ReplayCommand.self, ExplainCommand.self, RunCommand.self, EvalCommand.self, JournalCommand.self, ModelsCommand.self,
            TeachCommand.self,
        ]
    )
}

/// Options every subcommand shares.
struct GlobalOptions: ParsableArguments {
    @Flag(name: .shortAndLong, help: "Log debugging detail to standard error.")
    var verbose = false

    /// swift-log to standard error, in journald's format when that is the journal.
    func bootstrapLogging(_ settings: LoggingSettings = .init()) -> Logger { ServiceLogging.bootstrap(settings, verbose: verbose) }
}
