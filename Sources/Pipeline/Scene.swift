public import Actions
public import Detection
public import Foundation
import Imaging
public import Reasoning
public import SightlineCore

/// A scene assembled from its ``SceneConfiguration``: every file loaded and verified (chain,
/// knowledge, profile, models), the sinks opened, and a ``ScenePipeline`` ready for frames.
/// The command line, the tests and the benchmarks all build scenes this way.
public final class Scene {
    public let configuration: SceneConfiguration
    /// Detection, the reasoner and the sinks.
    public let pipeline: ScenePipeline
    /// The labelled boxes standing in for the detector (``SceneConfiguration/groundTruth``).
    public let groundTruth: YOLOLabels?
    private let decoder = JPEGDecoder()

    /// Loads everything `configuration` names. `detector`, when given, is used instead of
    /// loading the configuration's models (one model shared by several scenes). `defaultSinks`
    /// are opened when the configuration names none; `catalog` says how sinks are opened.
    public init(
        _ configuration: SceneConfiguration, detector given: (any ObjectDetector)? = nil, defaultSinks: [SinkConfiguration] = [],
        catalog: SinkCatalog = .standard
    ) throws {
        try configuration.validate(catalog: catalog)
        self.configuration = configuration
        let store = configuration.store
        let root = (store.directory as NSString).deletingLastPathComponent
        let chainPaths = configuration.chains.isEmpty ? SceneConfiguration.defaultChains(in: store.directory) : configuration.chains
        let knowledgePath = configuration.knowledge ?? store.directory + "/nutrition.json"
        let knowledge = try NutritionKnowledge.load(path: knowledgePath, name: Self.relative(knowledgePath, to: root))
        let reasoners = try chainPaths.map {
            try Reasoner(chain: try ChainDefinition.load(path: $0, name: Self.relative($0, to: root)), knowledge: knowledge)
        }
        let wearer = try Profile.load(path: configuration.profile, name: Self.relative(configuration.profile, to: root))
        groundTruth = try configuration.groundTruth.map { try YOLOLabels(folder: $0.labels, classesFile: $0.classes) }
        let detector: (any ObjectDetector)? =
            groundTruth != nil ? nil : try given ?? Self.detectorSet(configuration.effectiveModels, store: store)
        let sinks = SinkSet(try (configuration.sinks ?? defaultSinks).map { try catalog.open($0) })
        if let journal = sinks.journal, let health = wearer.health { try Self.importHealth(health, into: journal) }
        pipeline = ScenePipeline(
            detector: detector, reasoners: reasoners, profile: wearer, today: configuration.today, sinks: sinks,
            window: configuration.window, mode: configuration.mode,
            groceryList: configuration.mode == .contemplating ? try Self.pantryList(sinks) : nil, journal: sinks.journal)
    }

    /// Puts an Apple Health export's days (protein and energy) into the journal.
    public static func importHealth(_ health: AppleHealthSummary, into journal: any JournalStore) throws {
        let days = health.protein.keys.sorted().map { d in
            let day = health.protein[d]!
            return JournalDay(
                day: d.description, healthProteinGrams: day.records > 0 ? day.proteinGrams : nil,
                healthEnergyKcal: day.energyRecords > 0 ? day.energyKcal : nil)
        }
        try journal.importHealth(days, file: health.file)
    }

    /// The models as one detector set.
    public static func detectorSet(_ models: [ModelSelection], store: ModelStore) throws -> DetectorSet {
        try DetectorSet(
            models.map { DetectorSet.Member(try OpenCVDetector(model: $0.name, store: store), labels: $0.labels.map(Set.init)) })
    }

    /// The list the pantry specialist reads: the one a sink keeps, else the default list if
    /// there is one.
    static func pantryList(_ sinks: SinkSet) throws -> (any GroceryListReader)? {
        if let list = sinks.groceryList { return list }
        let path = ActionPaths.groceryDatabase()
        return FileManager.default.fileExists(atPath: path) ? try GroceryList(path: path) : nil
    }

    /// What the live pipeline's detect stage runs: the models, or the labelled boxes.
    public var liveDetector: LiveDetector {
        if let groundTruth { return .labels(groundTruth) }
        return .model(pipeline.detector!)
    }

    /// Runs a frame through the pipeline: with the detector, or with the frame's labelled boxes.
    public func process(_ frame: Frame, time: Date = Date()) throws -> FrameOutcome {
        guard let groundTruth else { return try pipeline.process(frame, time: time) }
        var (width, height) = (frame.width, frame.height)
        if frame.format == .mjpeg {
            let header = try decoder.readHeader(frame.bytes, origin: frame.origin)
            (width, height) = (header.width, header.height)
        }
        let boxes = try groundTruth.detections(forImage: frame.origin, width: width, height: height)
        return try pipeline.process(frame, detections: boxes, time: time)
    }

    /// Writes an outcome's trace (JSON and text) into ``SceneConfiguration/traceDirectory``, if set.
    public func saveTrace(_ outcome: FrameOutcome) throws {
        guard let traceDir = configuration.traceDirectory else { return }
        try FileManager.default.createDirectory(atPath: traceDir, withIntermediateDirectories: true)
        let base =
            traceDir + "/"
            + OverlaySink.fileName(origin: outcome.frame.origin, sequence: outcome.frame.sequence)
            .replacingOccurrences(of: ".jpg", with: "")
        try FileIO.writeAtomically(base + ".trace.json", Array(outcome.chains.jsonText.utf8))
        try FileIO.writeAtomically(base + ".trace.txt", Array(outcome.chains.text.utf8))
    }

    /// `path` relative to `root` when it lies inside it (traces name files without machine paths).
    public static func relative(_ path: String, to root: String) -> String {
        let full = URL(fileURLWithPath: path).standardizedFileURL.path
        let base = URL(fileURLWithPath: root).standardizedFileURL.path + "/"
        return full.hasPrefix(base) ? String(full.dropFirst(base.count)) : (path as NSString).lastPathComponent
    }
}

extension LocalDate {
    /// The local calendar date now, in the machine's time zone.
    public static func current() -> LocalDate { LocalDate(Date(), in: .current) }
}
