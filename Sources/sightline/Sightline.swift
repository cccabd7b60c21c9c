import ArgumentParser
import Logging

@main
struct Sightline: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sightline",
        abstract: "An edge vision pipeline for smart glasses.",
        discussion: """
            Sightline captures frames from a camera or recorded files, decodes and downscales them \
            in a SIMD preprocessing core, and turns them into the tensors a detector reads.

            Set SIGHTLINE_SIMD=scalar to force the scalar reference kernels.
            """,
        subcommands: [
            PrepCommand.self, DetectCommand.self, DevicesCommand.self, CaptureCommand.self, RecordCommand.self, ListCommand.self,
            ReplayCommand.self, ExplainCommand.self, RunCommand.self, EvalCommand.self,
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
