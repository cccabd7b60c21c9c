public import SightlineCore

/// Something a chain tells the wearer now: food left out too long, the fridge open too long, a
/// food that conflicts with the profile. A warning step's fact (kind `warning`) becomes one, with
/// the frames behind it; the pipeline sends each new one to every sink as a `warning` event and
/// the heads-up overlay shows it first.
public struct Warning: Sendable, Equatable {
    /// Stable while the situation lasts: `<chain name>/<fact id>` (`left-out/leftOut.joghurt.2`),
    /// so a sink or display tells a new warning from one it has already shown.
    public var key: String
    /// The chain that raised it.
    public var chain: String
    /// The warning fact in the chain's trace.
    public var fact: String
    /// One plain sentence for the wearer.
    public var message: String
    /// The rule that decided it, as the trace shows it.
    public var rule: RuleEvidence
    /// The food concerned, when there is one (its knowledge-base name, else the label).
    public var subject: String?
    /// The profile field the warning rests on (`allergens[0]`), when there is one.
    public var profileField: String?
    /// The frames that show it, oldest first: the item's sightings and the frame it was decided on.
    public var frames: [WarningFrame]

    public init(
        key: String = "", chain: String = "", fact: String, message: String, rule: RuleEvidence, subject: String? = nil,
        profileField: String? = nil, frames: [WarningFrame]
    ) {
        (self.key, self.chain, self.fact, self.message, self.rule) = (key, chain, fact, message, rule)
        (self.subject, self.profileField, self.frames) = (subject, profileField, frames)
    }
}

/// A frame behind a warning: its sequence number, origin and capture time.
public struct WarningFrame: Sendable, Equatable, Hashable {
    public var frame: UInt64
    public var origin: String
    public var time: Timestamp

    public init(frame: UInt64, origin: String, time: Timestamp) { (self.frame, self.origin, self.time) = (frame, origin, time) }
}

extension Warning: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(
            ["key": key, "chain": chain, "fact": fact, "message": message, "rule": rule, "frames": frames],
            extras: ["subject": subject, "profileField": profileField])
    }
}

extension WarningFrame: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(["frame": frame, "origin": origin, "time": time.seconds])
    }
}

/// A duration for people: "45 s", "2 min 5 s", "2 h 1 min".
func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded(.down))
    if s < 60 { return "\(canonicalNumber((seconds * 10).rounded(.down) / 10)) s" }
    if s < 3600 { return s % 60 == 0 ? "\(s / 60) min" : "\(s / 60) min \(s % 60) s" }
    return s % 3600 / 60 == 0 ? "\(s / 3600) h" : "\(s / 3600) h \(s % 3600 / 60) min"
}

/// The frames of a track's sightings, then the frame an event was decided on.
func warningFrames(_ tracks: [TrackEvidence], decided: Observation?) -> [WarningFrame] {
    var frames: [WarningFrame] = []
    for t in tracks {
        for s in t.sightings { frames.append(WarningFrame(frame: s.frame, origin: s.origin, time: s.timestamp)) }
    }
    if let o = decided { frames.append(WarningFrame(frame: o.sequence, origin: o.origin, time: o.timestamp)) }
    var seen = Set<WarningFrame>()
    return frames.filter { seen.insert($0).inserted }.sorted { $0.frame < $1.frame }
}
