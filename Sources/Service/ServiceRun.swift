public import Actions
public import Capture
import Foundation
public import Logging
public import Pipeline
import Prometheus
public import SightlineCore

extension SinkCatalog {
    /// The standard sinks and the MQTT publisher (`mqtt://…`, `mqtts://…`, with `settings`).
    /// Each MQTT sink opened is handed to `opened` (the service reports health through it and
    /// says `offline` when it stops).
    public static func service(
        mqtt settings: MQTTSettings = MQTTSettings(), logger: Logger = Logger(label: "sightline.mqtt"),
        opened: @escaping @Sendable (MQTTSink) -> Void = { _ in }
    ) -> SinkCatalog {
        var catalog = SinkCatalog.standard
        for scheme in ["mqtt", "mqtts"] {
            catalog = catalog.adding(
                Kind(
                    name: scheme, usage: "\(scheme)://[USER:PASS@]HOST:PORT",
                    check: { argument in
                        do { _ = try MQTTBroker(url: scheme + ":" + (argument ?? "")) } catch { return "\(error)" }
                        return nil
                    },
                    open: { argument in
                        let sink = try MQTTSink(
                            broker: try MQTTBroker(url: scheme + ":" + (argument ?? "")), settings: settings, logger: logger)
                        opened(sink)
                        return sink
                    }))
        }
        return catalog
    }
}

/// One run of the live pipeline as a service: the metrics endpoint, the scene with its sinks
/// (MQTT included), health reports, reloading the profile and the chain on SIGHUP, the
/// statistics file. `sightline run` and `replay` go through it, with or without a
/// configuration file.
public final class ServiceRun: @unchecked Sendable {
    public let configuration: ServiceConfiguration
    public let logger: Logger
    /// Where sinks come from: the standard ones and MQTT with the configuration's settings.
    public let catalog: SinkCatalog
    private let lock = NSLock()
    private var mqttSinks: [MQTTSink] = []
    private var live: LivePipeline?
    private var lastReport: LiveReport?
    private var lastState: PipelineHealth.State?

    /// The MQTT sinks the catalog opened.
    private let sinkBox = SinkBox()

    public init(_ configuration: ServiceConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        catalog = .service(mqtt: configuration.mqtt, logger: logger) { [sinkBox] in sinkBox.add($0) }
    }

    /// Runs `source` until it ends, the frame limit, or SIGINT/SIGTERM. `reload` reads the
    /// configuration again on SIGHUP (nil: SIGHUP reloads the same files). Per-frame lines and
    /// summaries go to `say` (standard output), warnings and errors to `warn` (standard error). Returns the exit status: 0 when
    /// everything went through, 1 when a frame failed or a sink lost an event, 2 when the run
    /// could not start (a model, a file, the metrics port).
    public func run(
        source: any FrameSource, handOff: HandOffPolicy, quiet: Bool = false, reload: (@Sendable () throws -> ServiceConfiguration)? = nil,
        say: @escaping @Sendable (String) -> Void = { print($0) },
        warn: @escaping @Sendable (String) -> Void = ServiceRun.standardError
    ) -> Int32 {
        ProcessMemory.configureForLivePipeline()  // before the detector loads and the stages start
        var endpoint: MetricsEndpoint?
        if let address = configuration.metrics {
            let registry = PrometheusCollectorRegistry()
            MetricsEndpoint.bootstrapMetrics(registry)
            do { endpoint = try MetricsEndpoint(address: address, registry: registry) { [weak self] in _ = self?.snapshot() } } catch {
                warn("error: \(error)")
                return 2
            }
            say("metrics: \(endpoint!.url)")
        }
        defer { endpoint?.stop() }
        let scene: Scene
        do { scene = try Scene(configuration.scene, defaultSinks: Scene.defaultSinks, catalog: catalog) } catch {
            warn("error: \(error)")
            return 2
        }
        scene.notices.forEach(warn)  // a runtime fallen back to, say
        lock.withLock { mqttSinks = sinkBox.sinks }
        let target = ReloadTarget(scene: scene)
        let hangUp = SignalListener(SIGHUP) { [self] in reloadReasoning(target.scene, reload: reload) }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "sightline.health"))
        timer.schedule(deadline: .now() + configuration.healthInterval, repeating: configuration.healthInterval)
        timer.setEventHandler { [self] in reportHealth(running: true) }
        let (report, summary) = scene.runLive(
            source: source,
            options: LiveOptions(
                handOff: handOff, gate: configuration.gate, maxFrames: configuration.source.frames,
                corruptFrames: configuration.source.corruptFramePolicy ?? .skip), quiet: quiet,
            say: say, warn: warn,
            started: { [self] live in
                lock.withLock { self.live = live }
                reportHealth(running: true)
                timer.resume()
            })
        timer.cancel()
        withExtendedLifetime(hangUp) {}
        reportHealth(running: false, final: report)
        for sink in lock.withLock({ mqttSinks }) { sink.close() }
        say(summary)
        say(report.summary)
        let level = report.sinkErrorCount > 0 ? "error" : "warning"  // a lost event fails the run
        for f in report.sinkFailures { warn("\(level): \(f)") }
        for e in report.errors { warn("error: \(e)") }
        if let stats = configuration.stats {
            do { try FileIO.writeAtomically(stats, Array(report.jsonText.utf8)) } catch {
                warn("error: \(error)")
                return 1
            }
        }
        return report.errorCount == 0 && report.sinkErrorCount == 0 ? 0 : 1
    }

    /// Writes `line` and a newline to standard error.
    @Sendable public static func standardError(_ line: String) { FileHandle.standardError.write(Data("\(line)\n".utf8)) }

    /// The pipeline's figures now (nil before it started).
    func snapshot() -> LiveReport? { lock.withLock { live }?.snapshot() }

    /// Publishes the health on every MQTT sink, and logs it when its state changed.
    private func reportHealth(running: Bool, final: LiveReport? = nil) {
        guard let report = final ?? snapshot() else { return }
        let sinks = lock.withLock { mqttSinks }
        let backlog = sinks.reduce(0) { $0 + ($1.backlog ?? 0) }
        let previous: LiveReport? = lock.withLock {
            defer { lastReport = report }
            return lastReport
        }
        let health = PipelineHealth(
            report: report, previous: previous, backlog: backlog, running: running, residentBytes: ProcessMemory.residentBytes())
        let stateChanged = lock.withLock {
            defer { lastState = health.state }
            return lastState != health.state
        }
        if stateChanged {
            let text =
                "health: \(health.state.rawValue)" + (health.problems.isEmpty ? "" : " (" + health.problems.joined(separator: "; ") + ")")
            if health.state == .degraded { logger.warning("\(text)") } else { logger.info("\(text)") }
        }
        for sink in sinks {
            do { try sink.publishHealth(health.json) } catch { logger.error("\(error)") }
        }
    }

    /// SIGHUP: the profile, the chain and the knowledge again, from the configuration as it
    /// reads now. A problem is logged and the running ones stay.
    private func reloadReasoning(_ scene: Scene, reload: (@Sendable () throws -> ServiceConfiguration)?) {
        do {
            let next = try reload?().scene ?? scene.configuration
            try scene.reloadReasoning(from: next)
            logger.info(
                "reloaded the profile \(next.profile) and the chains \(next.chains.isEmpty ? "(the models folder's)" : next.chains.joined(separator: ", ")) on SIGHUP"
            )
            let current = scene.configuration
            var ignored: [String] = []
            if next.sinks != current.sinks { ignored.append("sinks") }
            if next.models != current.models || next.modelsDirectory != current.modelsDirectory { ignored.append("models") }
            if next.window != current.window || next.mode != current.mode { ignored.append("window and mode") }
            if !ignored.isEmpty { logger.warning("changes to \(ignored.joined(separator: ", ")) take effect at the next start") }
        } catch {
            logger.error("reload on SIGHUP failed, the previous profile and chain stay: \(error)")
        }
    }
}

/// The MQTT sinks the catalog opened.
private final class SinkBox: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [MQTTSink] = []
    func add(_ sink: MQTTSink) { lock.withLock { list.append(sink) } }
    var sinks: [MQTTSink] { lock.withLock { list } }
}

/// The scene, for the SIGHUP handler: it only reads the scene's configuration and calls
/// ``Scene/reloadReasoning(from:)``, which hands the new chain over under a lock.
private struct ReloadTarget: @unchecked Sendable {
    let scene: Scene
}
