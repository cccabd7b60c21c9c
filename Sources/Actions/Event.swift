internal import Crypto
public import Foundation
public import SightlineCore

/// What Sightline tells the world about one moment of analysis: the unit every sink receives.
///
/// The pipeline maps its results (detections, the reasoning trace's conclusion, a grocery
/// proposal) into events; sinks know nothing about the reasoner. An event is a plain value:
/// it encodes to one deterministic JSON object (sorted keys, ISO 8601 times with milliseconds),
/// and its ``id`` is a hash of that content, so the same event sent twice carries the same id
/// and a receiver can drop the copy.
///
/// The frame's pixels can ride along in ``image`` for the overlay sink; they are never encoded
/// and are not part of the id.
public struct SightlineEvent: Sendable, Codable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A frame went through detection (and perhaps reasoning): its detections and, if one was
        /// reached, the conclusion line.
        case frameAnalysed
        /// The reasoner reached a conclusion worth telling (the text is in ``conclusion``).
        case conclusion
        /// The reasoner proposes something for the grocery list (in ``grocery``). Whether it is
        /// actually added is the grocery list's decision (cooldown, merging).
        case groceryNeed
        /// Something the wearer should be told now (in ``warning``): food left out too long, the
        /// fridge open too long, a food that conflicts with the profile. Sent once, when the
        /// warning is first raised; frames while it lasts list it in ``warnings``.
        case warning
        /// The wearer probably ate something (in ``intake``), for the journal.
        case intake
    }

    /// A warning for the wearer, with the frames that show it.
    public struct WarningNotice: Sendable, Codable, Hashable {
        /// Stable while the situation lasts (`left-out/leftOut.joghurt.2`): a receiver keeps one
        /// state per key.
        public var key: String
        /// The chain that raised it (`left-out`, `door-open`, `allergen`).
        public var chain: String
        /// One plain sentence.
        public var message: String
        /// The rule's name and text, as the trace shows it.
        public var rule: String
        public var ruleText: String
        /// The food concerned, and the profile field, when there are.
        public var subject: String?
        public var profileField: String?
        /// The evidence frames, oldest first.
        public var frames: [FrameRef]

        public init(
            key: String, chain: String, message: String, rule: String, ruleText: String, subject: String? = nil,
            profileField: String? = nil, frames: [FrameRef]
        ) {
            (self.key, self.chain, self.message, self.rule, self.ruleText) = (key, chain, message, rule, ruleText)
            (self.subject, self.profileField, self.frames) = (subject, profileField, frames)
        }
    }

    /// A frame named as evidence: its origin, sequence number and capture time.
    public struct FrameRef: Sendable, Codable, Hashable {
        public var origin: String
        public var sequence: UInt64
        public var captureTime: Timestamp

        public init(origin: String, sequence: UInt64, captureTime: Timestamp) {
            (self.origin, self.sequence, self.captureTime) = (origin, sequence, captureTime)
        }
    }

    /// Where and when the frame the event is about came from.
    public struct FrameInfo: Sendable, Codable, Hashable {
        /// The frame's origin: a file path, or a device and frame index.
        public var origin: String
        /// The source's frame counter.
        public var sequence: UInt64
        /// When the frame was captured, on the monotonic clock (nanoseconds).
        public var captureTime: Timestamp
        /// Frame size in pixels (0 when unknown, e.g. a JPEG not yet decoded).
        public var width: Int
        public var height: Int

        public init(origin: String, sequence: UInt64, captureTime: Timestamp, width: Int = 0, height: Int = 0) {
            (self.origin, self.sequence, self.captureTime, self.width, self.height) = (origin, sequence, captureTime, width, height)
        }

        /// The frame's origin, sequence and timestamp (size when the frame knows it).
        public init(_ frame: Frame) {
            self.init(
                origin: frame.origin, sequence: frame.sequence, captureTime: frame.timestamp, width: frame.width,
                height: frame.height)
        }
    }

    /// A content hash (32 hex digits of SHA-256 over the canonical encoding of everything else).
    /// Deterministic: the same content always has the same id. Sent as `Idempotency-Key`.
    public private(set) var id: String
    public var kind: Kind { didSet { refreshID() } }
    public var frame: FrameInfo { didSet { refreshID() } }
    /// Wall-clock time of the event (whole milliseconds). The grocery list's cooldown is
    /// measured in it; the pipeline decides what it is (capture time mapped to the wall clock,
    /// or a fixed time in replays and tests).
    public var time: Date { didSet { time = Self.quantised(time); refreshID() } }
    public var detections: [Detection] { didSet { refreshID() } }
    /// The one-line conclusion, as drawn on the heads-up overlay.
    public var conclusion: String? { didSet { refreshID() } }
    /// A proposal for the grocery list.
    public var grocery: GroceryNeed? { didSet { refreshID() } }
    /// A `warning` event's warning.
    public var warning: WarningNotice? { didSet { refreshID() } }
    /// The warnings in force at this frame (their messages), for the heads-up display; nil when none.
    public var warnings: [String]? { didSet { refreshID() } }
    /// An `intake` event's entry for the journal.
    public var intake: IntakeEntry? { didSet { refreshID() } }
    /// What the reasoner read off the scene (food storage in view, today's protein deficit), for
    /// sinks that keep a state (MQTT's retained topics).
    public var readings: SceneReadings? { didSet { refreshID() } }
    /// The frame's pixels, for the overlay. Not encoded, not part of ``id`` or equality.
    public var image: Frame?

    public init(
        kind: Kind, frame: FrameInfo, time: Date, detections: [Detection] = [], conclusion: String? = nil,
        grocery: GroceryNeed? = nil, warning: WarningNotice? = nil, warnings: [String]? = nil, intake: IntakeEntry? = nil,
        readings: SceneReadings? = nil, image: Frame? = nil
    ) {
        self.id = ""
        self.kind = kind
        self.frame = frame
        self.time = Self.quantised(time)
        self.detections = detections
        self.conclusion = conclusion
        self.grocery = grocery
        self.warning = warning
        self.warnings = warnings
        self.intake = intake
        self.readings = readings
        self.image = image
        refreshID()
    }

    private enum CodingKeys: String, CodingKey {
        case id, kind, frame, time, detections, conclusion, grocery, warning, warnings, intake, readings
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decode(Kind.self, forKey: .kind)
        frame = try c.decode(FrameInfo.self, forKey: .frame)
        time = Self.quantised(try c.decode(Date.self, forKey: .time))
        detections = try c.decodeIfPresent([Detection].self, forKey: .detections) ?? []
        conclusion = try c.decodeIfPresent(String.self, forKey: .conclusion)
        grocery = try c.decodeIfPresent(GroceryNeed.self, forKey: .grocery)
        warning = try c.decodeIfPresent(WarningNotice.self, forKey: .warning)
        warnings = try c.decodeIfPresent([String].self, forKey: .warnings)
        intake = try c.decodeIfPresent(IntakeEntry.self, forKey: .intake)
        readings = try c.decodeIfPresent(SceneReadings.self, forKey: .readings)
        image = nil
        id = try c.decode(String.self, forKey: .id)
    }

    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(["kind": kind, "frame": frame, "time": time, "detections": detections], extras: [
            "id": id.isEmpty ? nil : id, "conclusion": conclusion, "grocery": grocery, "warning": warning, "warnings": warnings,
            "intake": intake, "readings": readings,
        ])
    }

    public static func == (a: SightlineEvent, b: SightlineEvent) -> Bool {
        a.id == b.id && a.kind == b.kind && a.frame == b.frame && a.time == b.time && a.detections == b.detections
            && a.conclusion == b.conclusion && a.grocery == b.grocery && a.warning == b.warning && a.warnings == b.warnings
            && a.intake == b.intake && a.readings == b.readings
    }

    /// The event as one line of canonical JSON (no newline): sorted keys, unescaped slashes,
    /// ISO 8601 UTC times with milliseconds. Same event, same bytes.
    public func jsonLine() throws -> [UInt8] {
        [UInt8](try Self.makeEncoder().encode(self))
    }

    /// The encoder every sink uses, so the file, the webhook body and the id agree.
    public static func makeEncoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        e.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(formatTime(date))
        }
        return e
    }

    /// Decodes what ``makeEncoder()`` wrote.
    public static func makeDecoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.dateDecodingStrategy = .custom { decoder in
            let c = try decoder.singleValueContainer()
            let text = try c.decode(String.self)
            guard let date = parseTime(text) else {
                throw DecodingError.dataCorruptedError(in: c, debugDescription: "not an ISO 8601 time: \(text)")
            }
            return date
        }
        return d
    }

    private mutating func refreshID() {
        var copy = self
        copy.id = ""
        // Encoding a struct of strings, numbers and dates cannot fail; an empty id would show.
        let bytes = (try? Self.makeEncoder().encode(copy)) ?? Data()
        let digest = SHA256.hash(data: bytes)
        let newID = digest.prefix(16).map { String(format: "%02x", $0) }.joined()
        if id != newID { id = newID }
    }

    static func quantised(_ date: Date) -> Date {
        Date(timeIntervalSince1970: (date.timeIntervalSince1970 * 1000).rounded() / 1000)
    }

    /// `2024-05-01T12:00:00.123Z`.
    static func formatTime(_ date: Date) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let seconds = ms.floorDiv(1000), millis = ms - seconds * 1000
        var clock = time_t(seconds)
        var t = tm()
        gmtime_r(&clock, &t)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", Int(t.tm_year) + 1900, Int(t.tm_mon) + 1, Int(t.tm_mday),
            Int(t.tm_hour), Int(t.tm_min), Int(t.tm_sec), Int(millis))
    }

    static func parseTime(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return quantised(d) }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}

extension Int64 {
    fileprivate func floorDiv(_ d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}

/// Something the wearer needs, proposed for the grocery list.
public struct GroceryNeed: Sendable, Codable, Hashable {
    /// What to buy ("Greek yogurt"). Items are matched case- and space-insensitively.
    public var item: String
    /// How much (in ``unit``); positive.
    public var quantity: Double
    /// The unit ("g", "pot", "item"). Quantities merge only between entries of the same unit.
    public var unit: String
    /// Why, in a sentence (shown in `sightline list`).
    public var reason: String
    /// Identifies "the same need": the grocery list ignores a need whose key it already applied
    /// within its cooldown. The reasoner chooses it, e.g. `protein-deficit/2024-05-01`, so the
    /// same deficit seen in a hundred frames adds the yogurt once.
    public var needKey: String

    public init(item: String, quantity: Double, unit: String, reason: String, needKey: String) {
        (self.item, self.quantity, self.unit, self.reason, self.needKey) = (item, quantity, unit, reason, needKey)
    }
}

/// What the reasoner read off the scene in one frame: the state a home dashboard shows.
public struct SceneReadings: Sendable, Codable, Hashable {
    /// Whether the chain judged the scene to be food storage (a fridge in view).
    public var foodStorageInView: Bool
    /// Today's protein deficit in grams, when the chain got as far as working it out.
    public var proteinDeficitGrams: Double?

    public init(foodStorageInView: Bool, proteinDeficitGrams: Double? = nil) {
        (self.foodStorageInView, self.proteinDeficitGrams) = (foodStorageInView, proteinDeficitGrams)
    }
}
