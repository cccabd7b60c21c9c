import ArgumentParser
import Detection
import Pipeline
import Reasoning

/// What the scene commands (replay, explain, run) share: who the wearer is, which chain and
/// knowledge, which detector, and where results go.
struct SceneOptions: ParsableArguments {
    @Option(help: "The wearer's profile (JSON; see docs/reasoning.md and Samples/profiles/).")
    var profile: String

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

    @Option(
        name: .customLong("sink"),
        help: ArgumentHelp(
            "Where results go (repeatable): jsonl (stdout), jsonl:FILE, grocery, grocery:DB, webhook:URL, overlay:DIR.",
            discussion: "Default: the grocery list and the journal (sightline list and sightline journal show them)."))
    var sinks: [String] = []

    @Option(help: "How many recent frames the chain reasons over.")
    var window = 5

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
            "quick (the chain alone) or contemplating (specialists debate the marked decision in parallel).",
            discussion: "Contemplating's pantry specialist reads the grocery list of the grocery sink, else the default list."))
    var mode: ReasoningMode = .quick

    func validate() throws {
        guard window >= 1 else { throw ValidationError("--window must be at least 1") }
        if groundTruth != nil, classes == nil { throw ValidationError("--ground-truth needs --classes") }
        if let today, LocalDate(today) == nil { throw ValidationError("--today must be a date like 2026-11-22") }
        _ = try configuration()
    }

    /// The options as a scene configuration (sinks nil when none are named).
    func configuration() throws -> SceneConfiguration {
        let sinks: [SinkConfiguration]
        do { sinks = try self.sinks.map { try SinkConfiguration(parsing: $0) } } catch { throw ValidationError("\(error)") }
        let models = try self.models.map { m in
            do { return try ModelSelection(parsing: m) } catch { throw ValidationError("--model \(m): \(error)") }
        }
        return SceneConfiguration(
            profile: profile, chains: chains, knowledge: knowledge, today: today.flatMap { LocalDate($0) }, models: models,
            modelsDirectory: modelsFolder.modelsDir, sinks: sinks.isEmpty ? nil : sinks, window: window, mode: mode,
            groundTruth: groundTruth.map { .init(labels: $0, classes: classes ?? "") }, traceDirectory: traceDir)
    }

    /// Assembles the scene; `defaultSinks` when no --sink is named.
    func makeScene(defaultSinks: [SinkConfiguration] = [.init(kind: "grocery"), .init(kind: "journal")]) throws -> Scene {
        try Scene(configuration(), defaultSinks: defaultSinks)
    }
}

extension ReasoningMode: ExpressibleByArgument {}
