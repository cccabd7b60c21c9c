import ArgumentParser
import Capture
import Foundation
import Pipeline
import Service
import SightlineCore

extension HandOffPolicy: ExpressibleByArgument {}

/// What `run` and `replay` share: the configuration file, the change gate, the statistics and
/// the metrics endpoint. Each flag given overrides the file.
struct LiveCommandOptions: ParsableArguments {
    @Option(help: "A configuration file (YAML; Samples/sightline.yaml shows every key); flags override it.")
    var config: String?

    @Flag(inversion: .prefixedNo, help: "Run the change gate (the default), or analyse every frame.")
    var gate: Bool?
    @Option(help: "Change gate: a thumbnail pixel has changed when it differs by more than this many grey levels (16).")
    var gateThreshold: UInt8?
    @Option(help: "Change gate: the fraction of thumbnail pixels that must change to run detection (0.02).")
    var gateFraction: Double?
    @Option(help: "Change gate: frames also analysed after a change, while the scene settles (4).")
    var settleFrames: Int?
    @Option(help: "Change gate: analyse anyway after this many frames without analysis (300; 0: never).")
    var refreshFrames: Int?
    @Option(help: "Change gate: analyse anyway after this many seconds of capture time (10; 0: never).")
    var refreshSeconds: Double?

    @Option(help: "Write the per-stage statistics (frames in/out/dropped, latency p50/p99, gate) as JSON to this file.")
    var stats: String?

    @Option(help: "Serve Prometheus metrics at HOST:PORT/metrics while running (port 0: any free port).")
    var metrics: String?

    /// The configuration: the file (when --config names one) with the flags given on top. A bad
    /// file (`FILE:LINE: key: problem`) or flag value is reported and exits with status 2.
    func service(scene options: SceneOptions, source: (inout SourceSettings) -> Void) throws -> ServiceConfiguration {
        let overrides = LiveOverrides(
            gate: gate, gateThreshold: gateThreshold, gateFraction: gateFraction, settleFrames: settleFrames,
            refreshFrames: refreshFrames, refreshSeconds: refreshSeconds, stats: stats, metrics: metrics)
        do {
            return try ServiceConfiguration.assemble(file: config, profile: options.profile, overrides: overrides, source: source) {
                try options.configuration(base: $0)
            }
        } catch let error as ConfigurationError { throw fail(error, 2) } catch let error as ServiceError {
            throw ValidationError(error.description)
        }
    }
}
