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
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(
            [
                "format": "sightline-trace/1", "chain": ["name": chain, "file": chainFile], "today": today.description,
                "profile": ["name": profileName, "source": profileSource], "frames": frames, "steps": steps, "decision": decision,
            ],
            extras: ["contemplation": contemplation, "warnings": warnings])
    }
}

extension FactValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .flag(let b): try encoder.encodeFields(["type": "flag", "value": b])
        case .grams(let g): try encoder.encodeFields(["type": "grams", "value": g, "unit": "g"])
        case .labels(let l): try encoder.encodeFields(["type": "labels", "value": l])
        case .text(let t): try encoder.encodeFields(["type": "text", "value": t])
        case .item(let v):
            try encoder.encodeFields([
                "type": "item", "label": v.label, "count": v.count, "framesSeen": v.framesSeen, "windowFrames": v.windowFrames,
            ])
        case .food(let v):
            try encoder.encodeFields([
                "type": "food", "foodID": v.foodID, "name": v.name, "label": v.label, "count": v.count, "portion": v.portionName,
                "portionGrams": v.portionGrams, "proteinPerPortionGrams": v.proteinPerPortionGrams, "tags": v.tags,
            ])
        case .track(let v):
            try encoder.encodeFields(
                ["type": "track", "event": v.event, "trackID": v.trackID, "label": v.label, "time": v.time.seconds],
                extras: ["previousTrackID": v.previousTrackID])
        }
    }
}

extension Evidence: Encodable {
    /// Only what the fact has: empty lists and absent fields are left out.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([:], extras: [
            "detections": detections.nonEmpty, "knowledge": knowledge.nonEmpty, "profile": profile.nonEmpty,
            "facts": facts.nonEmpty, "tracks": tracks.nonEmpty, "rule": rule, "arithmetic": arithmetic, "days": days.nonEmpty,
        ])
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
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(
            ["label": label, "score": score, "frame": frame, "origin": origin, "box": TraceBox(box)], extras: ["model": model])
    }
}

extension KnowledgeEvidence: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([
            "foodID": foodID, "name": name, "fdcID": fdcID, "ndbNumber": ndbNumber, "sourceDescription": sourceDescription,
            "figures": figures,
        ])
    }
}

extension TrackEvidence: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([
            "trackID": trackID, "label": label, "decidedAt": decidedAt, "decidedTime": decidedTime.seconds, "sightings": sightings,
        ])
    }
}

extension TrackSighting: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([
            "frame": frame, "time": timestamp.seconds, "origin": origin, "score": score, "box": TraceBox(box),
        ])
    }
}

extension ContemplationRecord: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([
            "step": step, "timeoutSeconds": timeoutSeconds, "specialists": specialists, "coveredGrams": coveredGrams,
            "remainingDeficitGrams": remainingDeficit, "candidates": candidates, "winner": winner, "why": why,
            "confidence": confidence,
        ])
    }
}

extension SpecialistRecord: Encodable {
    /// The specialist and how it took part; when it answered, its opinion's fields beside them.
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields(["specialist": specialist, "status": status.rawValue], extras: [
            "detail": detail, "coveredGrams": opinion?.coveredGrams, "notes": opinion?.notes, "proposals": opinion?.proposals,
        ])
    }
}

extension SpecialistProposal: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([
            "foodID": foodID, "stance": stance.rawValue, "quantity": quantity, "confidence": confidence, "reason": reason,
        ])
    }
}

extension CandidateAssessment: Encodable {
    public func encode(to encoder: any Encoder) throws {
        try encoder.encodeFields([
            "foodID": foodID, "score": score, "support": support, "vetoes": vetoes, "quantity": quantity,
        ])
    }
}
