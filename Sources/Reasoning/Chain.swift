/// One step as written in a chain file.
public struct StepSpec: Sendable, Equatable {
    public var index: Int
    public var id: String
    public var type: String
    public var parameters: JSONValue
}

/// A chain file: a named, ordered list of steps (format `sightline-chain/1`, see docs/reasoning.md).
public struct ChainDefinition: Sendable, Equatable {
    public var name: String
    public var description: String
    public var file: String
    public var steps: [StepSpec]
    /// How the tracker follows items across frames (the chain's optional `tracking` block).
    public var tracking: TrackerConfiguration

    public init(
        name: String, description: String = "", file: String = "", steps: [StepSpec],
        tracking: TrackerConfiguration = TrackerConfiguration()
    ) {
        self.name = name
        self.description = description
        self.file = file
        self.steps = steps
        self.tracking = tracking
    }

    /// Parses a chain file's bytes. Syntax errors carry the line; other errors the step index and
    /// field. Step types and parameters are checked when a ``Reasoner`` is built from the chain.
    public static func decode(_ bytes: [UInt8], file: String) throws(ReasoningError) -> ChainDefinition {
        try readDocument(bytes, file: file, format: "sightline-chain/1", kind: .chain) { r -> ChainDefinition in
            let name = try r.string("name")
            let description = try r.optionalString("description") ?? ""
            var steps: [StepSpec] = []
            var ids = Set<String>()
            let items = try r.array("steps")
            guard !items.isEmpty else { throw FieldError(path: "steps", message: "is empty: a chain needs at least one step") }
            for (k, item) in items.enumerated() {
                var s = try ObjectReader(item, path: "steps[\(k)]")
                let id = try s.string("id")
                guard !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                    throw FieldError(path: "steps[\(k)].id", message: "must be a non-empty word (letters, digits, _ or -), found \"\(id)\"")
                }
                guard ids.insert(id).inserted else { throw FieldError(path: "steps[\(k)].id", message: "duplicate step id \"\(id)\"") }
                let type = try s.string("type")
                let parameters = s.raw("parameters") ?? .object([:])
                guard case .object = parameters else {
                    throw FieldError(path: "steps[\(k)].parameters", message: "must be an object, found \(parameters.typeName)")
                }
                _ = try s.optionalString("note")
                try s.finish()
                steps.append(StepSpec(index: k, id: id, type: type, parameters: parameters))
            }
            var tracking = TrackerConfiguration()
            if r.has("tracking") {
                var t = try r.object("tracking")
                tracking.minScore = try t.double("minScore", default: tracking.minScore, in: 0...1)
                tracking.minIoU = try t.double("minIoU", default: tracking.minIoU, in: 0.01...1)
                tracking.confirmFrames = try t.int("confirmFrames", default: tracking.confirmFrames, in: 1...100)
                tracking.maxMissedFrames = try t.int("maxMissedFrames", default: tracking.maxMissedFrames, in: 0...1000)
                tracking.edgeMargin = try t.double("edgeMargin", default: tracking.edgeMargin, in: 0...0.5)
                tracking.storageLabels = Set(try t.strings("storageLabels", default: tracking.storageLabels.sorted()))
                tracking.ignoreLabels = Set(try t.strings("ignoreLabels", default: []))
                tracking.putBackSeconds = try t.double("putBackSeconds", default: tracking.putBackSeconds, in: 0...86_400)
                tracking.memorySeconds = try t.double("memorySeconds", default: tracking.memorySeconds, in: 1...604_800)
                tracking.memoryEvents = try t.int("memoryEvents", default: tracking.memoryEvents, in: 1...100_000)
                tracking.followStorage = try t.bool("followStorage", default: false)
                tracking.storageMinItems = try t.int("storageMinItems", default: 0, in: 0...100)
                _ = try t.optionalString("note")
                try t.finish()
            } else {
                _ = r.raw("tracking")
            }
            try r.finish()
            return ChainDefinition(name: name, description: description, file: file, steps: steps, tracking: tracking)
        }
    }

    /// Reads a chain file. `name` is how messages and traces name it (default: `path`).
    public static func load(path: String, name: String? = nil) throws(ReasoningError) -> ChainDefinition {
        try decode(try readFile(path), file: name ?? path)
    }

    static func stepIndex(of path: String) -> Int? {
        guard path.hasPrefix("steps["), let close = path.firstIndex(of: "]") else { return nil }
        return Int(path[path.index(path.startIndex, offsetBy: 6)..<close])
    }
}

/// A step's parameters, read with checks; unknown parameters are refused by ``finish()``.
public struct StepParameters {
    var reader: ObjectReader
    public let spec: StepSpec
    let file: String

    init(spec: StepSpec, file: String) throws(ReasoningError) {
        self.spec = spec
        self.file = file
        do { reader = try ObjectReader(spec.parameters, path: "steps[\(spec.index)].parameters") } catch {
            throw ReasoningError(.chain, file: file, field: error.path, stepIndex: spec.index, message: error.message)
        }
    }

    func wrap(_ e: FieldError) -> ReasoningError {
        ReasoningError(.chain, file: file, field: e.path, stepIndex: spec.index, message: e.message)
    }

    public mutating func double(_ key: String, default value: Double, in range: ClosedRange<Double>) throws(ReasoningError) -> Double {
        do { return try reader.double(key, default: value, in: range) } catch { throw wrap(error) }
    }

    public mutating func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(ReasoningError) -> Int {
        do { return try reader.int(key, default: value, in: range) } catch { throw wrap(error) }
    }

    public mutating func bool(_ key: String, default value: Bool) throws(ReasoningError) -> Bool {
        do { return try reader.bool(key, default: value) } catch { throw wrap(error) }
    }

    public mutating func strings(_ key: String, default value: [String]? = nil) throws(ReasoningError) -> [String] {
        do { return try reader.strings(key, default: value) } catch { throw wrap(error) }
    }

    public mutating func string(_ key: String, default value: String) throws(ReasoningError) -> String {
        do { return try reader.optionalString(key) ?? value } catch { throw wrap(error) }
    }

    /// A nested object parameter, read with the same checks (its reader's `finish()` refuses
    /// unknown members); nil when absent.
    mutating func object(_ key: String) throws(ReasoningError) -> ObjectReader? {
        guard reader.has(key) else { _ = reader.raw(key); return nil }
        do { return try reader.object(key) } catch { throw wrap(error) }
    }

    /// A failure of a parameter's meaning (not its type), named like the others.
    public func invalid(_ key: String, _ message: String) -> ReasoningError {
        wrap(FieldError(path: reader.fieldPath(key), message: message))
    }

    /// Refuses parameters the step did not read.
    public func finish() throws(ReasoningError) {
        do { try reader.finish() } catch { throw wrap(error) }
    }
}

/// What a step sees: the frames, the knowledge, the wearer, the day, and the facts so far.
public struct StepContext: Sendable {
    /// The observations, sorted by sequence number.
    public let observations: [Observation]
    public let knowledge: NutritionKnowledge
    public let profile: Profile
    public let today: LocalDate
    /// Facts of the earlier steps, in order.
    public internal(set) var facts: [Fact]
    /// What the tracker remembers happening over the frames (oldest first); see ``Tracker``.
    public let sequence: [SequenceEvent]
    /// The wearer's intake on past days (the journal), for steps that weigh it.
    public var history: IntakeHistory = .none
    /// The storage region's track while it is in view (confirmed, not yet out of view): its
    /// latest sightings say until when it was seen (see ``TrackerConfiguration/followStorage``).
    public var storage: TrackEvidence?

    public func facts(_ kind: FactKind) -> [Fact] { facts.filter { $0.kind == kind } }
    public func fact(_ kind: FactKind) -> Fact? { facts.last { $0.kind == kind } }
}

/// What a step concludes.
public struct StepResult: Sendable {
    public var inputs: [String]
    public var outputs: [Fact]
    public var rationale: String
    /// The decision for the actions layer, if this step makes one.
    public var proposal: GroceryProposal?
    /// What the wearer should be told now (a warning step's; the reasoner fills in the chain and key).
    public var warnings: [Warning]
    /// Food the frames show eaten (a consumption step's), for the journal.
    public var consumed: [ConsumedFood] = []

    public init(
        inputs: [String], outputs: [Fact], rationale: String, proposal: GroceryProposal? = nil, warnings: [Warning] = []
    ) {
        (self.inputs, self.outputs, self.rationale, self.proposal, self.warnings) = (inputs, outputs, rationale, proposal, warnings)
    }
}

/// A step implementation. Steps are pure: they read the context and return facts.
public protocol ReasoningStep: Sendable {
    var id: String { get }
    var type: String { get }
    /// Whether the step raises warnings: a chain with such a step has a `warnings` list in its trace.
    var warns: Bool { get }
    func run(_ context: StepContext) throws(ReasoningError) -> StepResult
}

extension ReasoningStep {
    public var warns: Bool { false }
}

/// Maps step type names (as written in chain files) to implementations, so a new scenario is a
/// new chain file, and a new kind of step is one `register` call; callers do not change.
public struct StepRegistry: Sendable {
    public typealias Factory = @Sendable (inout StepParameters, _ knowledge: NutritionKnowledge) throws(ReasoningError) -> any ReasoningStep
    private var factories: [String: Factory] = [:]

    public init() {}

    public mutating func register(_ type: String, _ factory: @escaping Factory) { factories[type] = factory }

    public var types: [String] { factories.keys.sorted() }

    /// The registry with the standard steps: scene, inventory, nutrition, health, inference, action,
    /// sequence and consumption, and the generic warning steps elapsed (time since an event) and
    /// conflict (a food against the profile).
    public static var standard: StepRegistry {
        var r = StepRegistry()
        r.register("scene") { (p: inout StepParameters, k) throws(ReasoningError) in try SceneStep(&p, knowledge: k) }
        r.register("inventory") { (p: inout StepParameters, k) throws(ReasoningError) in try InventoryStep(&p, knowledge: k) }
        r.register("nutrition") { (p: inout StepParameters, k) throws(ReasoningError) in try NutritionStep(&p, knowledge: k) }
        r.register("health") { (p: inout StepParameters, k) throws(ReasoningError) in try HealthStep(&p, knowledge: k) }
        r.register("inference") { (p: inout StepParameters, k) throws(ReasoningError) in try InferenceStep(&p, knowledge: k) }
        r.register("action") { (p: inout StepParameters, k) throws(ReasoningError) in try ActionStep(&p, knowledge: k) }
        r.register("sequence") { (p: inout StepParameters, k) throws(ReasoningError) in try SequenceStep(&p, knowledge: k) }
        r.register("consumption") { (p: inout StepParameters, k) throws(ReasoningError) in try ConsumptionStep(&p, knowledge: k) }
        r.register("elapsed") { (p: inout StepParameters, k) throws(ReasoningError) in try ElapsedStep(&p, knowledge: k) }
        r.register("conflict") { (p: inout StepParameters, k) throws(ReasoningError) in try ConflictStep(&p, knowledge: k) }
        return r
    }

    /// Builds the steps of `chain`; unknown types and bad parameters are errors naming the step.
    public func build(_ chain: ChainDefinition, knowledge: NutritionKnowledge) throws(ReasoningError) -> [any ReasoningStep] {
        var steps: [any ReasoningStep] = []
        for spec in chain.steps {
            guard let factory = factories[spec.type] else {
                throw ReasoningError(
                    .chain, file: chain.file, field: "steps[\(spec.index)].type", stepIndex: spec.index,
                    message: "unknown step type \"\(spec.type)\" (known: \(types.joined(separator: ", ")))")
            }
            var p = try StepParameters(spec: spec, file: chain.file)
            let step = try factory(&p, knowledge)
            try p.finish()
            steps.append(step)
        }
        return steps
    }
}
