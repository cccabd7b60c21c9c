import Actions
import ArgumentParser
import Capture
import Detection
import Foundation
import Imaging
import Pipeline
import Reasoning
import SightlineCore

/// What the scene commands (replay, explain, run) share: who the wearer is, which chain and
/// knowledge, which detector, and where results go.
struct SceneOptions: ParsableArguments {
    @Option(help: "The wearer's profile (JSON; see docs/reasoning.md and Samples/profiles/).")
    var profile: String

    @Option(help: "The chain of steps (default: Models/chains/fridge.json).")
    var chain: String?

    @Option(help: "The nutrition knowledge (default: Models/nutrition.json).")
    var knowledge: String?

    @Option(help: "The wearer's local date, YYYY-MM-DD (default: today).")
    var today: String?

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp(
            "A detector model, NAME or NAME:label,label to keep only those labels (repeatable).",
            discussion: """
                Several models run on each frame as one detector set (one preprocessing, detections \
                merged, each naming its model in the evidence). Default: \(SceneOptions.defaultModels.joined(separator: " --model ")).
                """))
    var models: [String] = []

    /// The detector set of a fridge scene: the project's grocery model for the food, and COCO's
    /// YOLOv3-tiny for the refrigerator itself (its food labels score far lower on fridge photos,
    /// and its bottle boxes miss where the grocery model's match; see docs/detection.md).
    static let defaultModels = ["grocery-yolov3-tiny", "yolov3-tiny:refrigerator"]

    @OptionGroup var modelsFolder: ModelsFolderOption

    @Option(
        name: .customLong("sink"),
        help: ArgumentHelp(
            "Where results go (repeatable): jsonl (stdout), jsonl:FILE, grocery, grocery:DB, webhook:URL, overlay:DIR.",
            discussion: "Default: the grocery list (sightline list shows it)."))
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
        for s in sinks { _ = try SinkSpec(s) }
        for m in models {
            do { _ = try DetectorSet.Member.parse(m) } catch { throw ValidationError("--model \(m): \(error)") }
        }
    }

    /// Builds the pipeline: loads (and verifies) everything, opens the sinks (`defaultSinks`
    /// when none are named).
    func makePipeline(defaultSinks: [String] = ["grocery"]) throws -> ScenePipeline {
        let store = modelsFolder.store
        let root = (store.directory as NSString).deletingLastPathComponent
        let chainPath = chain ?? store.directory + "/chains/fridge.json"
        let knowledgePath = knowledge ?? store.directory + "/nutrition.json"
        let reasoner = try Reasoner(
            chain: try ChainDefinition.load(path: chainPath, name: relative(chainPath, to: root)),
            knowledge: try NutritionKnowledge.load(path: knowledgePath, name: relative(knowledgePath, to: root)))
        let wearer = try Profile.load(path: profile, name: relative(profile, to: root))
        let detector: (any ObjectDetector)? = groundTruth == nil ? try makeDetector(store: store) : nil
        let specs = try (sinks.isEmpty ? defaultSinks : sinks).map(SinkSpec.init)
        let day = today.flatMap { LocalDate($0) } ?? LocalDate.current()
        let sinks = try specs.map { try $0.makeSink() }
        return ScenePipeline(
            detector: detector, reasoner: reasoner, profile: wearer, today: day, sinks: SinkSet(sinks), window: window, mode: mode,
            groceryList: mode == .contemplating ? try pantryList(sinks) : nil)
    }

    /// The list the pantry specialist reads: the grocery sink's, else the default list if there is one.
    func pantryList(_ sinks: [any ActionSink]) throws -> (any GroceryListReader)? {
        if let list = SinkSet(sinks).groceryList { return list }
        let path = ActionPaths.groceryDatabase()
        return FileManager.default.fileExists(atPath: path) ? try GroceryList(path: path) : nil
    }

    /// The --model detectors as one set.
    func makeDetector(store: ModelStore) throws -> DetectorSet {
        try DetectorSet(
            (models.isEmpty ? Self.defaultModels : models).map { text in
                let (name, labels) = try DetectorSet.Member.parse(text)
                return DetectorSet.Member(try OpenCVDetector(model: name, store: store), labels: labels)
            })
    }

    /// The labels --ground-truth names, if any.
    func labels() throws -> YOLOLabels? {
        guard let groundTruth, let classes else { return nil }
        return try YOLOLabels(folder: groundTruth, classesFile: classes)
    }

    /// Runs a frame through the pipeline: with the detector, or with the frame's labelled boxes.
    func process(_ frame: Frame, _ pipeline: ScenePipeline, labels: YOLOLabels?, decoder: JPEGDecoder) throws -> FrameOutcome {
        guard let labels else { return try pipeline.process(frame, time: Date()) }
        let header = try decoder.readHeader(frame.bytes, origin: frame.origin)
        let boxes = try labels.detections(forImage: frame.origin, width: header.width, height: header.height)
        return try pipeline.process(frame, detections: boxes, time: Date())
    }

    /// Writes the run's trace for a frame into --trace-dir.
    func saveTrace(_ outcome: FrameOutcome) throws {
        guard let traceDir else { return }
        try FileManager.default.createDirectory(atPath: traceDir, withIntermediateDirectories: true)
        let base =
            traceDir + "/"
            + OverlaySink.fileName(origin: outcome.frame.origin, sequence: outcome.frame.sequence)
            .replacingOccurrences(of: ".jpg", with: "")
        try FileIO.writeAtomically(base + ".trace.json", Array(outcome.run.trace.jsonText.utf8))
        try FileIO.writeAtomically(base + ".trace.txt", Array(outcome.run.trace.text.utf8))
    }
}

/// `path` relative to `root` when it lies inside it (traces name files without machine paths).
func relative(_ path: String, to root: String) -> String {
    let full = URL(fileURLWithPath: path).standardizedFileURL.path
    let base = URL(fileURLWithPath: root).standardizedFileURL.path + "/"
    return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : (path as NSString).lastPathComponent
}

extension ReasoningMode: ExpressibleByArgument {}

/// One `--sink` argument.
struct SinkSpec {
    enum Kind: String { case jsonl, grocery, webhook, overlay }
    var kind: Kind
    var argument: String?

    init(_ text: String) throws {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        guard let kind = Kind(rawValue: parts.first ?? "") else {
            throw ValidationError("unknown sink '\(text)' (jsonl, jsonl:FILE, grocery, grocery:DB, webhook:URL, overlay:DIR)")
        }
        self.kind = kind
        argument = parts.count > 1 ? parts[1] : nil
        if kind == .webhook, argument.flatMap(URL.init(string:)) == nil { throw ValidationError("webhook needs a URL: webhook:URL") }
        if kind == .overlay, argument == nil { throw ValidationError("overlay needs a folder: overlay:DIR") }
    }

    func makeSink() throws -> any ActionSink {
        switch kind {
        case .jsonl: return try JSONLinesSink(argument.map { .file($0) } ?? .standardOutput)
        case .grocery: return GroceryListSink(list: try GroceryList(path: argument ?? ActionPaths.groceryDatabase()))
        case .webhook: return try WebhookSink(url: URL(string: argument!)!, outboxPath: ActionPaths.webhookOutbox())
        case .overlay: return try OverlaySink(folder: argument!)
        }
    }
}

extension LocalDate {
    /// The local calendar date now.
    static func current() -> LocalDate {
        let c = Calendar.current.dateComponents([.year, .month, .day], from: Date())
        return LocalDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// Prints one line per frame and collects timings for a summary.
struct ProgressPrinter {
    var quiet = false
    var detect: [Double] = []
    var reason: [Double] = []
    var act: [Double] = []
    var frames = 0
    var proposals = 0

    mutating func record(_ o: FrameOutcome) {
        frames += 1
        detect.append(o.detectSeconds)
        reason.append(o.reasonSeconds)
        act.append(o.actSeconds)
        if o.run.proposal != nil { proposals += 1 }
        for f in o.sinkFailures { FileHandle.standardError.write(Data("warning: \(f)\n".utf8)) }
        guard !quiet else { return }
        let labels = Dictionary(grouping: o.detections, by: \.label).map { "\($0.key)×\($0.value.count)" }.sorted()
        print(
            "[\(o.frame.sequence)] \((o.frame.origin as NSString).lastPathComponent): "
                + "\(labels.isEmpty ? "nothing" : labels.joined(separator: " ")) → \(o.conclusion)")
    }

    func summary(wall: Double) -> String {
        func median(_ v: [Double]) -> Double { v.isEmpty ? 0 : v.sorted()[v.count / 2] }
        return String(
            format:
                "%d frames in %.2f s (%.1f fps): detect %.1f ms, reason %.3f ms, act %.2f ms per frame (medians); %d with a grocery proposal",
            frames, wall, wall > 0 ? Double(frames) / wall : 0, median(detect) * 1000, median(reason) * 1000, median(act) * 1000,
            proposals)
    }
}

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Run the whole job over recorded frames: detect, reason, act.",
        discussion: """
            Each PATH is an image, a folder of JPEGs (in name order, with an optional frames.tsv \
            timestamp sidecar) or an MJPEG stream. The frames go through the live pipeline \
            (docs/live.md): the change gate, detection, the chain of steps over the most recent \
            analysed frames, and the sinks. --pace fast (the default) replays every frame as fast \
            as the pipeline goes, nothing dropped; --pace realtime spaces frames like their \
            timestamps and hands them on latest-wins, as from a camera. A corrupt frame is \
            reported with its index and skipped or stops the run (--on-corrupt). Ctrl-C stops \
            cleanly: in-flight frames finish and the sinks are flushed.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scene: SceneOptions
    @OptionGroup var live: LiveCommandOptions

    @Argument(help: "Images, folders of JPEGs or MJPEG files.")
    var paths: [String]

    @Option(help: "What to do with a corrupt frame: skip or stop.")
    var onCorrupt: CorruptFramePolicy = .skip

    @Option(help: "fast: every frame, as fast as the pipeline goes; realtime: spaced like the recorded timestamps.")
    var pace: ReplayPace = .asFastAsPulled

    @Option(help: "Hand-offs between stages (default: lossless for --pace fast, latest-wins for realtime).")
    var handOff: HandOffPolicy?

    @Flag(help: "Print only the summary.")
    var quiet = false

    func run() throws {
        let logger = global.bootstrapLogging()
        let playlist = RecordingPlaylist(paths: paths, policy: onCorrupt, pace: pace, logger: logger)
        let ok = try live.run(
            source: playlist, scene: scene, handOff: handOff ?? (pace == .realTime ? .latestWins : .lossless), quiet: quiet)
        for p in playlist.problems { FileHandle.standardError.write(Data("\(p)\n".utf8)) }
        if !ok || playlist.failed { throw ExitCode(1) }
    }
}

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print the chain of thought for one image: every step, its facts and evidence.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scene: SceneOptions

    @Argument(help: "A JPEG image.")
    var image: String

    @Flag(help: "Print the trace as JSON instead of text.")
    var json = false

    func run() throws {
        _ = global.bootstrapLogging()
        let pipeline: ScenePipeline
        do {
            // explain only looks: its default is no sink at all, unless some are named.
            pipeline = try scene.makePipelineForExplain()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        do {
            let frame = try FileIO.readJPEGFrame(image)
            let outcome = try scene.process(frame, pipeline, labels: try scene.labels(), decoder: JPEGDecoder())
            try scene.saveTrace(outcome)
            print(json ? outcome.run.trace.jsonText : outcome.run.trace.text)
            _ = pipeline.finish()
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

extension SceneOptions {
    /// Like ``makePipeline()`` but with no default sink: explaining adds nothing to the list
    /// unless a sink is asked for.
    func makePipelineForExplain() throws -> ScenePipeline { try makePipeline(defaultSinks: []) }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the whole job live on a V4L2 camera: capture, detect, reason, act.",
        discussion: """
            Capture, the change gate and preprocessing, detection, and reasoning with the sinks run \
            as concurrent stages; a slow stage gets the newest frame, never a backlog, and the \
            frames it missed are counted (docs/live.md). Stops after --frames frames, or on \
            Ctrl-C or SIGTERM; in-flight frames finish and the sinks are flushed either way.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scene: SceneOptions
    @OptionGroup var live: LiveCommandOptions

    @Option(help: "The camera device.")
    var device = "/dev/video0"

    @Option(help: "Frame size, WIDTHxHEIGHT.")
    var size = "640x480"

    @Option(help: "Frame rate to ask for.")
    var fps: Double = 15

    @Flag(help: "Go through libv4l2 (converts formats the camera lacks; needed for multi-planar-only cameras).")
    var libv4l2 = false

    @Option(help: "Stop after this many frames (default: until interrupted).")
    var frames: Int?

    @Flag(help: "Print only the summary.")
    var quiet = false

    func run() throws {
        let logger = global.bootstrapLogging()
        guard let (w, h) = parseSize(size) else { throw ValidationError("--size must be WIDTHxHEIGHT") }
        let camera = V4L2Camera(
            device: device, request: CaptureRequest(size: FrameSize(width: w, height: h), fps: fps),
            options: .init(conversion: libv4l2), logger: logger)
        do { print("\(device): \(try camera.start())") } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let ok = try live.run(source: camera, scene: scene, handOff: .latestWins, maxFrames: frames, quiet: quiet)
        camera.stop()
        let stats = camera.captureStatistics
        print(
            String(
                format:
                    "capture: %d frames at %.1f fps, %d replaced by newer ones (latest wins), %d dropped by the driver, hand-off p50 %.1f ms p99 %.1f ms",
                stats.framesCaptured, stats.fps, stats.framesReplaced, stats.driverDrops,
                stats.handoffLatency(percentile: 50) * 1000, stats.handoffLatency(percentile: 99) * 1000))
        if !ok { throw ExitCode(1) }
    }
}
