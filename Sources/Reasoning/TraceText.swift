import SightlineCore

// The trace as text a person reads. Its JSON form is TraceEncoding.swift.

extension Trace {
    /// The chain of thought as text a person reads: each step, its conclusions and why.
    public var text: String {
        var out = "Chain \"\(chain)\"" + (chainFile.isEmpty ? "" : " (\(chainFile))") + " for \(profileName) on \(today)"
        out += frames.isEmpty ? ", no frames.\n" : ", \(frames.count) frame(s) (\(frames.first!)…\(frames.last!)).\n"
        if let warnings { out += warningsText(warnings) }
        for s in steps {
            out += "\n\(s.index + 1). \(s.id) [\(s.type)]: \(s.rationale)\n"
            for f in s.outputs {
                out += "   - \(f.summary) [\(f.id), confidence \(canonicalNumber(f.confidence))]\n"
                if let a = f.evidence.arithmetic { out += "       = \(a)\n" }
                if let r = f.evidence.rule { out += "       rule \(r.name): \(r.text)\n" }
                for k in f.evidence.knowledge {
                    let src = k.fdcID.map { "FDC \($0)" } ?? k.ndbNumber.map { "USDA SR NDB \($0)" } ?? "USDA FoodData Central"
                    out += "       source: \(k.sourceDescription) (\(src)): \(k.figures)\n"
                }
                for p in f.evidence.profile { out += "       \(p.field) = \(p.value) (\(p.source))\n" }
                if !f.evidence.detections.isEmpty {
                    let shown = f.evidence.detections.prefix(4).map { d in
                        "\(d.label) \(canonicalNumber(d.score))\(d.model.map { " by \($0)" } ?? "") at (\(Int(d.box.x)),\(Int(d.box.y)) \(Int(d.box.width))x\(Int(d.box.height))) frame \(d.frame)"
                    }
                    let more = f.evidence.detections.count > 4 ? " and \(f.evidence.detections.count - 4) more" : ""
                    out += "       seen: \(shown.joined(separator: "; "))\(more)\n"
                }
                for t in f.evidence.tracks {
                    let shown = t.sightings.map { s in
                        "frame \(s.frame) at \(seconds(s.timestamp)) s (\(Int(s.box.x)),\(Int(s.box.y)) \(Int(s.box.width))x\(Int(s.box.height))) \(canonicalNumber(s.score))"
                    }
                    out += "       track \(t.trackID) \(t.label): \(shown.joined(separator: "; ")); decided at frame \(t.decidedAt)\n"
                }
                for d in f.evidence.days {
                    out +=
                        "       day \(d.day): \(grams(d.proteinGrams)) g of \(grams(d.targetGrams))\(d.short ? ", short" : "") (\(d.sources))\n"
                }
            }
        }
        if let c = contemplation { out += c.text }
        if let d = decision {
            out += "\nDecision: add \(d.quantity) × \(d.unit) of \(d.item) to the grocery list. \(d.reason)\n"
        } else {
            out += "\nDecision: no action.\n"
        }
        return out
    }
}

/// Warnings as a block a person reads first: each on its own line, or that there is none.
func warningsText(_ warnings: [Warning]) -> String {
    guard !warnings.isEmpty else { return "Warnings: none.\n" }
    return warnings.map { w in
        "WARNING: \(w.message) [\(w.key); rule \(w.rule.name); frames \(w.frames.map { String($0.frame) }.joined(separator: ", "))]\n"
    }.joined()
}

extension ContemplationRecord {
    /// The debate as text: each specialist (sorted by id) and what it proposed or why it was not
    /// heard, then how the synthesiser weighed the candidates and why one won.
    var text: String {
        var out =
            "\nContemplation of step \"\(step)\": \(specialists.count) specialist(s) in parallel, \(canonicalNumber(timeoutSeconds)) s each.\n"
        for r in specialists {
            switch r.status {
            case .answered: out += "  - \(r.specialist): answered. \(r.opinion?.notes.joined(separator: "; ") ?? "")\n"
            case .failed: out += "  - \(r.specialist): FAILED: \(r.detail ?? "")\n"
            case .timedOut: out += "  - \(r.specialist): TIMED OUT: \(r.detail ?? "")\n"
            }
            for p in r.opinion?.proposals ?? [] {
                let q = p.quantity.map { " × \($0)" } ?? ""
                out +=
                    "      \(p.stance == .veto ? "vetoes" : "supports") \(p.foodID)\(q) (\(canonicalNumber(p.confidence))): \(p.reason)\n"
            }
        }
        if !candidates.isEmpty {
            out += "  Synthesis: remaining deficit \(grams(remainingDeficit)) g (\(grams(coveredGrams)) g already on the list).\n"
            for a in candidates {
                out +=
                    a.vetoes.isEmpty
                    ? "      \(a.foodID): score \(canonicalNumber(a.score)) (\(a.support.joined(separator: ", ")))\(a.quantity.map { ", \($0) portion(s)" } ?? "")\n"
                    : "      \(a.foodID): out (\(a.vetoes.joined(separator: "; ")))\n"
            }
        }
        out += "  Outcome: \(winner.map { "\($0) wins" } ?? "no purchase"): \(why); confidence \(canonicalNumber(confidence)).\n"
        return out
    }
}
