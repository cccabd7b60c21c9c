public import Actions
public import Detection
import Foundation
public import Reasoning

/// Everything a scene is made of, as plain values: the wearer's profile, the chains and their
/// knowledge, the detector models, the sinks, the reasoning window and mode, and where traces
/// go. The command line fills it from its options, tests and benchmarks fill it directly, and a
/// configuration file can fill it too (it is `Codable`; optional fields take their defaults).
/// ``Scene`` assembles it.
///
/// Paths are as given: relative ones are taken from the current directory.
public struct SceneConfiguration: Sendable, Codable, Equatable {
    /// The wearer's profile (JSON; see docs/reasoning.md and Samples/profiles/).
    public var profile: String
    /// The chains of steps, run in this order over every frame (the first one's decision is the
    /// grocery proposal); empty: ``defaultChains(in:)`` of the models folder.
    public var chains: [String]
    /// The nutrition knowledge; nil: `nutrition.json` in the models folder.
    public var knowledge: String?
    /// The wearer's local date; nil: today.
    public var today: LocalDate?
    /// The detector models, run on each frame as one set; empty: ``ModelSelection/fridge``.
    public var models: [ModelSelection]
    /// The folder holding the models; nil: `SIGHTLINE_MODELS`, else the nearest `Models/`.
    public var modelsDirectory: String?
    /// The runtime every model runs on; nil: each manifest's (ONNX Runtime where installed,
    /// else OpenCV DNN with a notice).
    public var runtime: DetectorRuntime?
    /// Threads of one inference (at least 1).
    public var threads: Int
    /// Where results go; nil: the command's default (``Scene/init(_:defaultSinks:catalog:)``).
    public var sinks: [SinkConfiguration]?
    /// How many recent frames the chain reasons over (at least 1).
    public var window: Int
    /// Quick (the chain alone) or contemplating (specialists debate a marked decision).
    public var mode: ReasoningMode
    /// Labelled boxes used as the detections instead of running the models.
    public var groundTruth: GroundTruth?
    /// A folder each frame's trace (JSON and text) is written into.
    public var traceDirectory: String?

    /// YOLO label files standing in for a detector.
    public struct GroundTruth: Sendable, Codable, Equatable {
        /// The folder of `NAME.txt` label files.
        public var labels: String
        /// The class names, one per line.
        public var classes: String

        public init(labels: String, classes: String) { (self.labels, self.classes) = (labels, classes) }
    }

    public init(
        profile: String, chains: [String] = [], knowledge: String? = nil, today: LocalDate? = nil, models: [ModelSelection] = [],
        modelsDirectory: String? = nil, runtime: DetectorRuntime? = nil, threads: Int = 1, sinks: [SinkConfiguration]? = nil,
        window: Int = 5, mode: ReasoningMode = .quick, groundTruth: GroundTruth? = nil, traceDirectory: String? = nil
    ) {
        self.profile = profile
        self.chains = chains
        self.knowledge = knowledge
        self.today = today
        self.models = models
        self.modelsDirectory = modelsDirectory
        self.runtime = runtime
        self.threads = threads
        self.sinks = sinks
        self.window = window
        self.mode = mode
        self.groundTruth = groundTruth
        self.traceDirectory = traceDirectory
    }

    private enum CodingKeys: String, CodingKey {
        case profile, chain, chains, knowledge, today, models, modelsDirectory, runtime, threads, sinks, window, mode, groundTruth
        case traceDirectory
    }

    /// Reads a configuration in which only `profile` is required (`chain`, one file, is read as
    /// `chains` with one entry).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let one = try c.decodeIfPresent(String.self, forKey: .chain)
        self.init(
            profile: try c.decode(String.self, forKey: .profile),
            chains: try c.decodeIfPresent([String].self, forKey: .chains) ?? one.map { [$0] } ?? [],
            knowledge: try c.decodeIfPresent(String.self, forKey: .knowledge),
            today: try c.decodeIfPresent(LocalDate.self, forKey: .today),
            models: try c.decodeIfPresent([ModelSelection].self, forKey: .models) ?? [],
            modelsDirectory: try c.decodeIfPresent(String.self, forKey: .modelsDirectory),
            runtime: try c.decodeIfPresent(DetectorRuntime.self, forKey: .runtime),
            threads: try c.decodeIfPresent(Int.self, forKey: .threads) ?? 1,
            sinks: try c.decodeIfPresent([SinkConfiguration].self, forKey: .sinks),
            window: try c.decodeIfPresent(Int.self, forKey: .window) ?? 5,
            mode: try c.decodeIfPresent(ReasoningMode.self, forKey: .mode) ?? .quick,
            groundTruth: try c.decodeIfPresent(GroundTruth.self, forKey: .groundTruth),
            traceDirectory: try c.decodeIfPresent(String.self, forKey: .traceDirectory))
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(["profile": profile, "chains": chains, "models": models, "window": window, "mode": mode], extras: [
            "knowledge": knowledge, "today": today, "modelsDirectory": modelsDirectory, "runtime": runtime,
            "threads": threads == 1 ? nil : threads,  // 1 is the default: left out, as before
            "sinks": sinks, "groundTruth": groundTruth, "traceDirectory": traceDirectory,
        ])
    }

    /// The chains a scene runs when none are named: `fridge.json` of the models folder's
    /// `chains/`, then every other chain file there (the warnings), by name.
    public static func defaultChains(in modelsDirectory: String) -> [String] {
        let folder = modelsDirectory + "/chains"
        let others = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".json") && $0 != "fridge.json" }.sorted()
        return (["fridge.json"] + others).map { folder + "/" + $0 }
    }

    /// The models folder as a store.
    public var store: ModelStore { modelsDirectory.map(ModelStore.init(directory:)) ?? .locate() }

    /// The longest window of recent frames the chain may reason over.
    public static let maximumWindow = 1000

    /// The models to load: ``models``, or the fridge set.
    public var effectiveModels: [ModelSelection] { models.isEmpty ? ModelSelection.fridge : models }

    /// Checks what can be checked without reading any file.
    public func validate(catalog: SinkCatalog = .standard) throws(SceneConfigurationError) {
        guard (1...Self.maximumWindow).contains(window) else {
            throw SceneConfigurationError("window must be between 1 and \(Self.maximumWindow)")
        }
        guard threads >= 1 else { throw SceneConfigurationError("threads must be at least 1") }
        for sink in sinks ?? [] { try catalog.validate(sink) }
    }
}

/// A configuration that cannot be used as given; the message names the field.
public struct SceneConfigurationError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One detector model of a scene and the labels kept from it.
public struct ModelSelection: Sendable, Codable, Equatable, CustomStringConvertible {
    /// A folder of the models folder with a manifest.json.
    public var name: String
    /// The labels kept; nil keeps all.
    public var labels: [String]?

    public init(name: String, labels: [String]? = nil) {
        self.name = name
        self.labels = labels
    }

    /// Parses `NAME` or `NAME:label,label`.
    public init(parsing text: String) throws(DetectionError) {
        let (name, labels) = try DetectorSet.Member.parse(text)
        self.init(name: name, labels: labels?.sorted())
    }

    private enum CodingKeys: String, CodingKey { case name, labels }

    /// Reads `{name, labels}`, or the command line's `NAME` / `NAME:label,label` as a string.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            do { try self.init(parsing: text) } catch {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(error)"))
            }
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try c.decode(String.self, forKey: .name), labels: try c.decodeIfPresent([String].self, forKey: .labels))
    }

    /// The detector set of a fridge scene: the project's grocery model alone, one inference a
    /// frame. It finds the food and the view itself: its `fridge_interior` class is what the
    /// chain's scene step rests on (COCO's `refrigerator` does not fire on close fridge
    /// interiors; see docs/detection.md).
    public static let fridge = [ModelSelection(name: "grocery-yolov3-tiny")]

    /// `NAME` or `NAME:label,label`.
    public var description: String { labels.map { name + ":" + $0.joined(separator: ",") } ?? name }
}

/// Where a scene's results go: one sink, as `kind` or `kind:argument` (`jsonl:events.jsonl`).
/// The kinds are a ``SinkCatalog``'s, so new kinds join without changing this type.
public struct SinkConfiguration: Sendable, Codable, Equatable, CustomStringConvertible {
    public var kind: String
    public var argument: String?

    public init(kind: String, argument: String? = nil) {
        self.kind = kind
        self.argument = argument
    }

    private enum CodingKeys: String, CodingKey { case kind, argument }

    /// Reads `{kind, argument}`, or the command line's `kind:argument` as a string (checked
    /// against a catalog later, by ``SceneConfiguration/validate(catalog:)``).
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(String.self, forKey: .kind), argument: try c.decodeIfPresent(String.self, forKey: .argument))
    }

    /// Parses `kind` or `kind:argument` and checks it against `catalog`.
    public init(parsing text: String, catalog: SinkCatalog = .standard) throws(SceneConfigurationError) {
        self.init(text)
        try catalog.validate(self)
    }

    /// `kind` or `kind:argument`, unchecked.
    init(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        self.init(kind: parts.first ?? "", argument: parts.count > 1 ? parts[1] : nil)
    }

    public var description: String { argument.map { kind + ":" + $0 } ?? kind }
}

/// The kinds of sink a scene can name, and how each is opened. Open to new kinds
/// (``adding(_:)``): a service adds its own (an MQTT publisher) beside the standard five.
public struct SinkCatalog: Sendable {
    /// One kind of sink.
    public struct Kind: Sendable {
        /// The word before the colon.
        public var name: String
        /// How it is written, for messages (`jsonl, jsonl:FILE`).
        public var usage: String
        /// What is wrong with an argument (nil: nothing).
        public var check: @Sendable (String?) -> String?
        /// Opens the sink.
        public var open: @Sendable (String?) throws -> any ActionSink

        public init(
            name: String, usage: String, check: @escaping @Sendable (String?) -> String? = { _ in nil },
            open: @escaping @Sendable (String?) throws -> any ActionSink
        ) {
            self.name = name
            self.usage = usage
            self.check = check
            self.open = open
        }
    }

    public private(set) var kinds: [Kind]

    public init(_ kinds: [Kind]) { self.kinds = kinds }

    /// This catalog with `kind` added (or replacing one of the same name).
    public func adding(_ kind: Kind) -> SinkCatalog {
        SinkCatalog(kinds.filter { $0.name != kind.name } + [kind])
    }

    /// JSON Lines (standard output or a file), the grocery list, the journal, the webhook and the overlay.
    public static let standard = SinkCatalog([
        Kind(name: "jsonl", usage: "jsonl, jsonl:FILE") { try JSONLinesSink($0.map { .file($0) } ?? .standardOutput) },
        Kind(name: "grocery", usage: "grocery, grocery:DB") {
            GroceryListSink(list: try GroceryList(path: $0 ?? ActionPaths.groceryDatabase()))
        },
        Kind(name: "journal", usage: "journal, journal:DB") {
            JournalSink(journal: try Journal(path: $0 ?? ActionPaths.journalDatabase()))
        },
        Kind(
            name: "webhook", usage: "webhook:URL",
            check: { $0.map { WebhookSink.problem(with: $0) } ?? "webhook needs a URL: webhook:URL" }
        ) { try WebhookSink(url: URL(string: $0!)!, outboxPath: ActionPaths.webhookOutbox()) },
        Kind(name: "overlay", usage: "overlay:DIR", check: { $0 == nil ? "overlay needs a folder: overlay:DIR" : nil }) {
            try OverlaySink(folder: $0!)
        },
    ])

    /// Every kind's usage, for help and messages.
    public var usage: String { kinds.map(\.usage).joined(separator: ", ") }

    /// Checks that `sink` names a known kind with a usable argument.
    public func validate(_ sink: SinkConfiguration) throws(SceneConfigurationError) {
        guard let kind = kinds.first(where: { $0.name == sink.kind }) else {
            throw SceneConfigurationError("unknown sink '\(sink)' (\(usage))")
        }
        if let problem = kind.check(sink.argument) { throw SceneConfigurationError(problem) }
    }

    /// Opens `sink`.
    public func open(_ sink: SinkConfiguration) throws -> any ActionSink {
        try validate(sink)
        return try kinds.first { $0.name == sink.kind }!.open(sink.argument)
    }
}
