import ArgumentParser
import Foundation
import Logging

/// Writes "error: `error`" to standard error and returns the exit code to throw.
func fail(_ error: Any, _ code: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    return ExitCode(code)
}

@main
struct Sightline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sightline",
        abstract: "An edge vision pipeline for smart glasses.",
        discussion: """
            Sightline looks at what the wearer sees and acts on it. Frames from a V4L2 camera or recordings are decoded and \
            preprocessed by a SIMD core, YOLO detectors find the objects (a grocery model and COCO's refrigerator), a chain of \
            reasoning steps turns them into a conclusion with its evidence (what is in the fridge, what the wearer's profile \
            needs), and sinks act on it: the grocery list, JSON Lines, a webhook, a heads-up overlay.

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

    func bootstrapLogging() -> Logger {
        let level: Logger.Level = verbose ? .debug : .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "sightline")
    }
}
