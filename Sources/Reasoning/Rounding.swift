// The fixed precisions of the reasoning's figures, so the same inputs give the same trace.

/// Rounds to 0.01 (grams in facts and arithmetic are shown and computed at this precision).
@inline(__always) func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

/// Rounds to 0.0001 (scores and confidences).
@inline(__always) func round4(_ x: Double) -> Double { (x * 10_000).rounded() / 10_000 }

/// Formats grams for text: "6.28", "84", "0.5".
func grams(_ x: Double) -> String { canonicalNumber(round2(x)) }
