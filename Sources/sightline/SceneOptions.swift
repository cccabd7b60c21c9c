import ArgumentParser
import Detection
import Pipeline
import Reasoning
import SightlineCore
import Service

/// What the scene commands (replay, explain, run) share: who the wearer is, which chain and
/// knowledge, which detector, and where results go.
struct SceneOptions: ParsableArguments {
    @Option(help: "The wearer's profile (JSON; see docs/reasoning.md and Samples/profiles/); required unless --config names one.")
    var profile: String?

    @Option(
        name: .customLong("chain"),
        help: "A chain of steps (repeatable; default: Models/chains/fridge.json, then the other chains there: the warnings).")
    var chains: [String] = []

    @Option(help: "The nutrition knowledge (default: Models/nutrition.json).")
    var knowledge: String?

    @Option(help: "The wearer's local date, YYYY-MM-DD (default: today).")
    var today: String?

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp(
            "A detector model, NAME or NAME:label,label to keep only those labels (repeatable).",
            discussion: """
                Several models run on each frame as one detector set (one preprocessing, detections merged, each naming its \
                model in the evidence). Default: \(ModelSelection.fridge.map(\.description).joined(separator: " --model ")).
                """))
    var models: [String] = []

    @OptionGroup var modelsFolder: ModelsFolderOption
    @OptionGroup var runtime: RuntimeOptions

    @Option(
        name: .customLong("sink"),
        help: ArgumentHelp(
            "Where results go (repeatable): jsonl (stdout), jsonl:FILE, grocery, grocery:DB, webhook:URL, overlay:DIR, mqtt://HOST:PORT.",
            discussion: "Default: the grocery list and the journal (sightline list and sightline journal show them). MQTT: docs/service.md."
        ))
    var sinks: [String] = []

    @Option(help: "How many recent frames the chain reasons over (default: 5).")
    var window: Int?

    @Option(help: "Write each frame's trace (JSON and text) into this folder.")
    var traceDir: String?

    @Option(
        help: ArgumentHelp(
            "Use YOLO label files from this folder as the detections instead of running the detector.",
            discussion: "For checking the reasoning on labelled photos; needs --classes."))
    var groundTruth: String?

    @Option(help: "Class names for --ground-truth labels, one per line.")
    var classes: String?

    @Option(
        help: ArgumentHelp(
            "quick (the default: the chain alone) or contemplating (specialists debate the marked decision in parallel).",
            discussion: "Contemplating's pantry specialist reads the grocery list of the grocery sink, else the default list."))
    var mode: ReasoningMode?

    func validate() throws {
        if let window, let p = outOfRange("--window", window, 1...SceneConfiguration.maximumWindow) { throw ValidationError(p) }
        if groundTruth != nil, classes == nil { throw ValidationError("--ground-truth needs --classes") }
        if let today, LocalDate(today) == nil { throw ValidationError("--today must be a date like 2026-11-22") }
        _ = try configuration(base: SceneConfiguration(profile: ""))
    }

    /// The options given, over `base` (a file's scene), or alone (then --profile is required).
    func configuration(base: SceneConfiguration? = nil) throws -> SceneConfiguration {
        guard var c = base ?? profile.map({ SceneConfiguration(profile: $0) }) else { throw ValidationError("--profile is required") }
        do {
            if !sinks.isEmpty { c.sinks = try sinks.map { try SinkConfiguration(parsing: $0, catalog: .service()) } }
            if !models.isEmpty { c.models = try models.map { try ModelSelection(parsing: $0) } }
        } catch { throw ValidationError("\(error)") }
        (c.profile, c.chains, c.knowledge) = (profile ?? c.profile, chains.isEmpty ? c.chains : chains, knowledge ?? c.knowledge)
        (c.today, c.modelsDirectory, c.window) = (
            today.flatMap { LocalDate($0) } ?? c.today, modelsFolder.modelsDir ?? c.modelsDirectory, window ?? c.window
        )
        (c.mode, c.traceDirectory, c.runtime) = (mode ?? c.mode, traceDir ?? c.traceDirectory, runtime.runtime ?? c.runtime)
        if runtime.threads != 1 { c.threads = runtime.threads }  // 1 is the flag's default: the file's stands
        if let groundTruth { c.groundTruth = .init(labels: groundTruth, classes: classes ?? "") }
        return c
    }

    /// Assembles the scene; `defaultSinks` when no --sink is named.
    func makeScene(defaultSinks: [SinkConfiguration] = Scene.defaultSinks) throws -> Scene {
        let scene = try Scene(configuration(), defaultSinks: defaultSinks, catalog: .service())
        scene.notices.forEach(warn)
        return scene
    }
}

extension ReasoningMode: ExpressibleByArgument {}
