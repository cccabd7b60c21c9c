import ArgumentParser
import Capture
import Foundation
import Pipeline
import SightlineCore

extension HandOffPolicy: ExpressibleByArgument {}

/// What `run` and `replay` share about the live pipeline: the change gate and the statistics.
struct LiveCommandOptions: ParsableArguments {
    @Flag(help: "Analyse every frame (no change gate).")
    var noGate = false

    @Option(help: "Change gate: a thumbnail pixel has changed when it differs by more than this many grey levels.")
    var gateThreshold: UInt8 = GateSettings().pixelThreshold

    @Option(help: "Change gate: the fraction of thumbnail pixels that must change to run detection.")
    var gateFraction: Double = GateSettings().changedFraction

    @Option(help: "Change gate: frames also analysed after a change, while the scene settles.")
    var settleFrames: Int = GateSettings().settleFrames

    @Option(help: "Change gate: analyse anyway after this many frames without analysis (0: never).")
    var refreshFrames: Int = GateSettings().refreshFrames

    @Option(help: "Change gate: analyse anyway after this many seconds of capture time (0: never).")
    var refreshSeconds: Double = GateSettings().refreshSeconds

    @Option(help: "Write the per-stage statistics (frames in/out/dropped, latency p50/p99, gate) as JSON to this file.")
    var stats: String?

    func validate() throws {
        guard (0...1).contains(gateFraction) else { throw ValidationError("--gate-fraction must be between 0 and 1") }
        guard settleFrames >= 0, refreshFrames >= 0, refreshSeconds >= 0 else {
            throw ValidationError("--settle-frames, --refresh-frames and --refresh-seconds must not be negative")
        }
    }

    var gate: GateSettings? {
        noGate
            ? nil
            : GateSettings(
                pixelThreshold: gateThreshold, changedFraction: gateFraction, settleFrames: settleFrames,
                refreshFrames: refreshFrames, refreshSeconds: refreshSeconds)
    }

    /// Runs `source` through the live pipeline until it ends, the frame limit, or SIGINT/SIGTERM;
    /// prints each analysed frame (unless `quiet`) and the summary, writes --stats.
    /// Returns false when anything failed (errors are printed).
    func run(
        source: any FrameSource, scene options: SceneOptions, handOff: HandOffPolicy, maxFrames: Int? = nil, quiet: Bool = false
    ) throws -> Bool {
        ProcessMemory.configureForLivePipeline()  // before the detector loads and the stages start
        let scene: Scene
        do { scene = try options.makeScene() } catch { throw fail(error, 2) }
        let (report, summary) = scene.runLive(
            source: source, options: LiveOptions(handOff: handOff, gate: gate, maxFrames: maxFrames), quiet: quiet,
            say: { print($0) }, warn: { FileHandle.standardError.write(Data("\($0)\n".utf8)) })
        print(summary)
        print(report.summary)
        for f in report.sinkFailures { FileHandle.standardError.write(Data("warning: \(f)\n".utf8)) }
        for e in report.errors { FileHandle.standardError.write(Data("error: \(e)\n".utf8)) }
        if let stats {
            do { try FileIO.writeAtomically(stats, Array(report.jsonText.utf8)) } catch {
                FileHandle.standardError.write(Data("error: \(error)\n".utf8))
                return false
            }
        }
        return report.errorCount == 0
    }
}
