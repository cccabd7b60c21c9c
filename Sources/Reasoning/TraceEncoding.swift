import Foundation
import SightlineCore

/// Any `Encodable` value as canonical JSON: keys sorted by their UTF-8 bytes, two-space
/// indentation, numbers by ``canonicalNumber(_:)`` (integers without a fraction, at most six
/// decimals, no exponent), a final newline. Same value, same bytes, on every machine.
///
/// The value's `Encodable` conformance decides the shape (which keys, which are written as
/// `null` and which left out); this writes it canonically. The trace (`sightline-trace/1`) is
/// written this way.
public enum CanonicalJSON {
    /// The value as a ``JSONValue`` tree.
    public static func value(_ encodable: some Encodable) throws -> JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try JSONValue.parse([UInt8](encoder.encode(encodable)))
    }

    /// The value as canonical JSON text.
    public static func text(_ encodable: some Encodable) throws -> String { try value(encodable).canonicalText() }
}

// The trace's shape, format `sightline-trace/1`. Optional fields are written as `null` where a
// reader expects the key (a decision, a winner, a quantity, USDA ids) and left out where they
// are extras (a detection's model, a specialist's detail, a track's previous track). Boxes are
// rounded to 2 decimals, times written in seconds.

extension Trace: Encodable {
    private enum Keys: String, CodingKey { case format, chain, today, profile, frames, steps, decision, contemplation, warnings }
    private enum NameKeys: String, CodingKey { case name, file, source }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode("sightline-trace/1", forKey: .format)
        var chainObject = c.nestedContainer(keyedBy: NameKeys.self, forKey: .chain)
        try chainObject.encode(chain, forKey: .name)
        try chainObject.encode(chainFile, forKey: .file)
        try c.encode(today.description, forKey: .today)
        var profileObject = c.nestedContainer(keyedBy: NameKeys.self, forKey: .profile)
        try profileObject.encode(profileName, forKey: .name)
        try profileObject.encode(profileSource, forKey: .source)
        try c.encode(frames, forKey: .frames)
        try c.encode(steps, forKey: .steps)
        try c.encode(decision, forKey: .decision)
        try c.encodeIfPresent(contemplation, forKey: .contemplation)
        try c.encodeIfPresent(warnings, forKey: .warnings)
    }
}

extension FactValue: Encodable {
    private enum Keys: String, CodingKey {
        case type, value, unit, label, count, framesSeen, windowFrames, foodID, name, portion, portionGrams
        case proteinPerPortionGrams, tags, event, trackID, time, previousTrackID
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        switch self {
        case .flag(let b):
            try c.encode("flag", forKey: .type)
            try c.encode(b, forKey: .value)
        case .grams(let g):
            try c.encode("grams", forKey: .type)
            try c.encode(g, forKey: .value)
            try c.encode("g", forKey: .unit)
        case .labels(let l):
            try c.encode("labels", forKey: .type)
            try c.encode(l, forKey: .value)
        case .text(let t):
            try c.encode("text", forKey: .type)
            try c.encode(t, forKey: .value)
        case .item(let v):
            try c.encode("item", forKey: .type)
            try c.encode(v.label, forKey: .label)
            try c.encode(v.count, forKey: .count)
            try c.encode(v.framesSeen, forKey: .framesSeen)
            try c.encode(v.windowFrames, forKey: .windowFrames)
        case .food(let v):
            try c.encode("food", forKey: .type)
            try c.encode(v.foodID, forKey: .foodID)
            try c.encode(v.name, forKey: .name)
            try c.encode(v.label, forKey: .label)
            try c.encode(v.count, forKey: .count)
            try c.encode(v.portionName, forKey: .portion)
            try c.encode(v.portionGrams, forKey: .portionGrams)
            try c.encode(v.proteinPerPortionGrams, forKey: .proteinPerPortionGrams)
            try c.encode(v.tags, forKey: .tags)
        case .track(let v):
            try c.encode("track", forKey: .type)
            try c.encode(v.event, forKey: .event)
            try c.encode(v.trackID, forKey: .trackID)
            try c.encode(v.label, forKey: .label)
            try c.encode(v.time.seconds, forKey: .time)
            try c.encodeIfPresent(v.previousTrackID, forKey: .previousTrackID)
        }
    }
}

extension Evidence: Encodable {
    private enum Keys: String, CodingKey { case detections, knowledge, profile, facts, tracks, rule, arithmetic, days }

    /// Only what the fact has: empty lists and absent fields are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        if !detections.isEmpty { try c.encode(detections, forKey: .detections) }
        if !knowledge.isEmpty { try c.encode(knowledge, forKey: .knowledge) }
        if !profile.isEmpty { try c.encode(profile, forKey: .profile) }
        if !facts.isEmpty { try c.encode(facts, forKey: .facts) }
        if !tracks.isEmpty { try c.encode(tracks, forKey: .tracks) }
        try c.encodeIfPresent(rule, forKey: .rule)
        try c.encodeIfPresent(arithmetic, forKey: .arithmetic)
        if !days.isEmpty { try c.encode(days, forKey: .days) }
    }
}

/// A box as the trace writes it: each figure rounded to 2 decimals.
private struct TraceBox: Encodable {
    var x, y, width, height: Double
    init(_ r: Rect) {
        (x, y, width, height) = (round2(Double(r.x)), round2(Double(r.y)), round2(Double(r.width)), round2(Double(r.height)))
    }
}

extension DetectionEvidence: Encodable {
    private enum Keys: String, CodingKey { case label, score, frame, origin, box, model }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(label, forKey: .label)
        try c.encode(score, forKey: .score)
        try c.encode(frame, forKey: .frame)
        try c.encode(origin, forKey: .origin)
        try c.encode(TraceBox(box), forKey: .box)
        try c.encodeIfPresent(model, forKey: .model)
    }
}

extension KnowledgeEvidence: Encodable {
    private enum Keys: String, CodingKey { case foodID, name, fdcID, ndbNumber, sourceDescription, figures }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(foodID, forKey: .foodID)
        try c.encode(name, forKey: .name)
        try c.encode(fdcID, forKey: .fdcID)
        try c.encode(ndbNumber, forKey: .ndbNumber)
        try c.encode(sourceDescription, forKey: .sourceDescription)
        try c.encode(figures, forKey: .figures)
    }
}

extension TrackEvidence: Encodable {
    private enum Keys: String, CodingKey { case trackID, label, decidedAt, decidedTime, sightings }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(trackID, forKey: .trackID)
        try c.encode(label, forKey: .label)
        try c.encode(decidedAt, forKey: .decidedAt)
        try c.encode(decidedTime.seconds, forKey: .decidedTime)
        try c.encode(sightings, forKey: .sightings)
    }
}

extension TrackSighting: Encodable {
    private enum Keys: String, CodingKey { case frame, time, origin, score, box }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(frame, forKey: .frame)
        try c.encode(timestamp.seconds, forKey: .time)
        try c.encode(origin, forKey: .origin)
        try c.encode(score, forKey: .score)
        try c.encode(TraceBox(box), forKey: .box)
    }
}

extension ContemplationRecord: Encodable {
    private enum Keys: String, CodingKey {
        case step, timeoutSeconds, specialists, coveredGrams, remainingDeficitGrams, candidates, winner, why, confidence
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(step, forKey: .step)
        try c.encode(timeoutSeconds, forKey: .timeoutSeconds)
        try c.encode(specialists, forKey: .specialists)
        try c.encode(coveredGrams, forKey: .coveredGrams)
        try c.encode(remainingDeficit, forKey: .remainingDeficitGrams)
        try c.encode(candidates, forKey: .candidates)
        try c.encode(winner, forKey: .winner)
        try c.encode(why, forKey: .why)
        try c.encode(confidence, forKey: .confidence)
    }
}

extension SpecialistRecord: Encodable {
    private enum Keys: String, CodingKey { case specialist, status, detail, coveredGrams, notes, proposals }

    /// The specialist and how it took part; when it answered, its opinion's fields beside them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(specialist, forKey: .specialist)
        try c.encode(status.rawValue, forKey: .status)
        try c.encodeIfPresent(detail, forKey: .detail)
        if let opinion {
            try c.encode(opinion.coveredGrams, forKey: .coveredGrams)
            try c.encode(opinion.notes, forKey: .notes)
            try c.encode(opinion.proposals, forKey: .proposals)
        }
    }
}

extension SpecialistProposal: Encodable {
    private enum Keys: String, CodingKey { case foodID, stance, quantity, confidence, reason }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(foodID, forKey: .foodID)
        try c.encode(stance.rawValue, forKey: .stance)
        try c.encode(quantity, forKey: .quantity)
        try c.encode(confidence, forKey: .confidence)
        try c.encode(reason, forKey: .reason)
    }
}

extension CandidateAssessment: Encodable {
    private enum Keys: String, CodingKey { case foodID, score, support, vetoes, quantity }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(foodID, forKey: .foodID)
        try c.encode(score, forKey: .score)
        try c.encode(support, forKey: .support)
        try c.encode(vetoes, forKey: .vetoes)
        try c.encode(quantity, forKey: .quantity)
    }
}
