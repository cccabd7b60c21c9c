public import SightlineCore

/// What the detector saw in one frame: the input of the reasoner.
public struct Observation: Sendable, Equatable, Codable {
    /// The source's frame counter (orders the frames; the debounce window is the last N of them).
    public var sequence: UInt64
    /// Capture time of the frame (carried into evidence; never compared with the clock).
    public var timestamp: Timestamp
    /// Names the frame: a file path, or a device and frame index.
    public var origin: String
    public var detections: [Detection]
    /// The frame's size in pixels (0 when unknown); the tracker uses it to tell that an item
    /// left across the frame edge.
    public var width: Int
    public var height: Int

    public init(
        sequence: UInt64, timestamp: Timestamp = Timestamp(nanoseconds: 0), origin: String, detections: [Detection],
        width: Int = 0, height: Int = 0
    ) {
        self.sequence = sequence
        self.timestamp = timestamp
        self.origin = origin
        self.detections = detections
        self.width = width
        self.height = height
    }
}

/// A calendar day ("2026-11-22"), the wearer's local date. The reasoner is given "today" as an
/// input and never reads the clock, so the same inputs give the same trace on any day.
public struct LocalDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), (1...LocalDate.daysIn(month, year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private enum CodingKeys: String, CodingKey { case year, month, day }

    /// Reads `{year, month, day}`, or a `YYYY-MM-DD` string (as a configuration file writes it).
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            guard let date = LocalDate(text) else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a date like 2026-11-22"))
            }
            self = date
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let (y, m, d) = (
            try c.decode(Int.self, forKey: .year), try c.decode(Int.self, forKey: .month), try c.decode(Int.self, forKey: .day)
        )
        guard let date = LocalDate(year: y, month: m, day: d) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\(y)-\(m)-\(d) is not a date"))
        }
        self = date
    }

    /// Parses `YYYY-MM-DD`.
    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return nil }
        self.init(year: y, month: m, day: d)
    }

    static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The date `daysSinceEpoch` days after 1970-01-01 (proleptic Gregorian).
    public init(daysSinceEpoch days: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        (year, month, day) = (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// The date `n` days later (earlier when negative).
    public func adding(days n: Int) -> LocalDate { LocalDate(daysSinceEpoch: daysSinceEpoch + n) }

    /// Days since 1970-01-01 (proleptic Gregorian).
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public var description: String {
        func pad(_ n: Int, _ w: Int) -> String { let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

/// The kind of a fact: what it is about.
public enum FactKind: String, Sendable, Codable, CaseIterable {
    case scene, item, food, unknownFood, excludedFood
    case proteinTarget, proteinEaten, restrictions
    case need, supply, deficit
    case proposal, noAction
    /// Sequence facts (see ``Tracker``) and what the frames show was consumed.
    case appeared, disappeared, takenOut, putBack, consumed
    /// The storage region came into view, or went out of it (a tracker that follows the storage).
    case storageInView, storageOutOfView
    /// Something the wearer should be told now (a warning step's conclusion; see ``Warning``).
    case warning
    /// The wearer's intake over past days, as weighed by the inference step.
    case history
}

/// A sequence event about one tracked item.
public struct TrackValue: Sendable, Equatable, Codable {
    /// `appeared`, `disappeared`, `takenOut` or `putBack`.
    public var event: String
    public var trackID: Int
    public var label: String
    /// Capture time of the sighting the event is about (the last for leaving, the first for coming).
    public var time: Timestamp
    /// For `putBack`: the taken-out track it continues.
    public var previousTrackID: Int?
}

/// An item seen in the inventory: a detector label, how many, in how many recent frames.
public struct ItemValue: Sendable, Equatable, Codable {
    public var label: String
    public var count: Int
    public var framesSeen: Int
    public var windowFrames: Int
}

/// A known food in view, with what one typical portion supplies.
public struct FoodValue: Sendable, Equatable, Codable {
    public var foodID: String
    public var name: String
    public var label: String
    public var count: Int
    public var portionName: String
    public var portionGrams: Double
    public var proteinPerPortionGrams: Double
    public var tags: [String]
}

/// The typed value a fact holds.
public enum FactValue: Sendable, Equatable {
    case flag(Bool)
    case grams(Double)
    case labels([String])
    case item(ItemValue)
    case food(FoodValue)
    case text(String)
    case track(TrackValue)
}

/// Detection evidence: one box from one frame.
public struct DetectionEvidence: Sendable, Equatable {
    public var label: String
    public var score: Double
    public var box: Rect
    public var frame: UInt64
    public var origin: String
    /// The model that found the box (nil for human-made labels).
    public var model: String?

    init(_ d: Detection, frame: Observation) {
        label = d.label
        score = round4(Double(d.score))
        box = d.box
        self.frame = frame.sequence
        origin = frame.origin
        model = d.model
    }
}

/// A knowledge-base entry used by a fact, with its USDA source.
public struct KnowledgeEvidence: Sendable, Equatable {
    public var foodID: String
    public var name: String
    /// USDA FoodData Central id, when verified (see Models/nutrition.md); nil otherwise.
    public var fdcID: Int?
    /// USDA Standard Reference NDB number, when the figure comes from SR.
    public var ndbNumber: String?
    /// The USDA description of the food the figures are for.
    public var sourceDescription: String
    /// The figures used ("12.56 g protein / 100 g; large = 50 g").
    public var figures: String
}

/// A profile (or wearable) field used by a fact.
public struct ProfileEvidence: Sendable, Equatable, Encodable {
    /// The field path (`proteinGramsPerKg`, `appleHealth.bodyMass`).
    public var field: String
    public var value: String
    /// Where the value came from: the profile file, or the export file and record.
    public var source: String
}

/// The rule a step applied.
public struct RuleEvidence: Sendable, Equatable, Encodable {
    public var name: String
    public var text: String
}

/// Why a fact holds.
public struct Evidence: Sendable, Equatable {
    public var detections: [DetectionEvidence] = []
    public var knowledge: [KnowledgeEvidence] = []
    public var profile: [ProfileEvidence] = []
    /// The ids of the earlier facts this one was derived from.
    public var facts: [String] = []
    /// Tracked items: track id, label, the frames (sequence and capture time), boxes and scores.
    public var tracks: [TrackEvidence] = []
    public var rule: RuleEvidence?
    /// The arithmetic with the numbers substituted ("84 − 40 = 44 g").
    public var arithmetic: String?
    /// Days of the wearer's journal the fact weighed (see ``IntakeHistory``).
    public var days: [DayEvidence] = []

    public init(
        detections: [DetectionEvidence] = [], knowledge: [KnowledgeEvidence] = [], profile: [ProfileEvidence] = [],
        facts: [String] = [], tracks: [TrackEvidence] = [], rule: RuleEvidence? = nil, arithmetic: String? = nil,
        days: [DayEvidence] = []
    ) {
        (self.detections, self.knowledge, self.profile, self.facts) = (detections, knowledge, profile, facts)
        (self.tracks, self.rule, self.arithmetic, self.days) = (tracks, rule, arithmetic, days)
    }
}

/// One conclusion of a step, with its evidence.
public struct Fact: Sendable, Equatable, Encodable {
    /// Unique within a run: `<step id>.<subject>` ("inventory.eggs", "inference.deficit").
    public var id: String
    public var kind: FactKind
    public var value: FactValue
    /// In [0, 1].
    public var confidence: Double
    /// One line a person can read.
    public var summary: String
    public var evidence: Evidence

    public init(id: String, kind: FactKind, value: FactValue, confidence: Double, summary: String, evidence: Evidence) {
        self.id = id
        self.kind = kind
        self.value = value
        self.confidence = round4(min(1, max(0, confidence)))
        self.summary = summary
        self.evidence = evidence
    }

    /// The grams of a `.grams` value, else nil.
    public var gramsValue: Double? { if case .grams(let g) = value { return g }; return nil }
}

/// What the actions layer receives: one thing to add to the grocery list.
///
/// `item` is the food's name as the wearer reads it, `foodID` the knowledge-base id (stable, for
/// de-duplication), `quantity` a whole number of `unit` (a typical portion, e.g. "container"),
/// `reason` one sentence, and `factIDs` the facts of the trace that justify it.
public struct GroceryProposal: Sendable, Equatable, Hashable, Codable {
    public var item: String
    public var foodID: String
    public var quantity: Int
    public var unit: String
    public var reason: String
    public var factIDs: [String]
    /// The protein gap the proposal closes, in grams.
    public var deficitGrams: Double
    /// The day the need is for.
    public var day: String

    public init(
        item: String, foodID: String, quantity: Int, unit: String, reason: String, factIDs: [String], deficitGrams: Double, day: String
    ) {
        (self.item, self.foodID, self.quantity, self.unit) = (item, foodID, quantity, unit)
        (self.reason, self.factIDs, self.deficitGrams, self.day) = (reason, factIDs, deficitGrams, day)
    }
}

/// One day of the wearer's journal as a fact weighed it.
public struct DayEvidence: Sendable, Equatable, Encodable {
    public var day: String
    public var proteinGrams: Double
    public var targetGrams: Double
    /// Whether the day fell short of the target.
    public var short: Bool
    /// Where the grams came from ("glasses 11.92 g, Apple Health 40 g").
    public var sources: String
}

/// One step of a run: what it read, what it concluded, and why.
public struct StepTrace: Sendable, Equatable, Encodable {
    public var index: Int
    public var id: String
    public var type: String
    /// Ids of the facts the step read.
    public var inputs: [String]
    public var outputs: [Fact]
    public var rationale: String
}

/// The explainable record of one run.
public struct Trace: Sendable, Equatable {
    public var chain: String
    public var chainFile: String
    public var today: LocalDate
    public var profileName: String
    public var profileSource: String
    /// The frames the run saw: sequence numbers in order.
    public var frames: [UInt64]
    public var steps: [StepTrace]
    public var decision: GroceryProposal?
    /// In contemplating mode: the specialists' debate over the decision (nil in quick mode).
    public var contemplation: ContemplationRecord? = nil
    /// What the wearer should be told now, for a chain with a warning step (nil for a chain
    /// without one, so such a chain's trace has no `warnings` member).
    public var warnings: [Warning]? = nil

    /// Every fact of the run, in step order.
    public var facts: [Fact] { steps.flatMap(\.outputs) }

    public func fact(_ id: String) -> Fact? { facts.first { $0.id == id } }
}
