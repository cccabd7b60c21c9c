import Foundation
import SightlineCore

/// One measured row of a benchmark table.
struct BenchRow {
    var group: String
    var name: String
    /// Median wall time of one iteration, in nanoseconds.
    var medianNanoseconds: Double
    /// Name of the row in the same group this one is compared with, if any.
    var reference: String?
    /// Optional extra text (sizes, notes).
    var note: String = ""
}

/// Runs `body` `warmup` times unmeasured, then `iterations` times measured; returns the median
/// wall time in nanoseconds. Medians, not means: a benchmark shares the machine with whatever
/// else runs, and one preempted iteration should not move the figure.
func measureMedian(iterations: Int, warmup: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    for _ in 0..<warmup { try body() }
    var samples: [Double] = []
    samples.reserveCapacity(iterations)
    for _ in 0..<iterations {
        let start = Timestamp.now()
        try body()
        let end = Timestamp.now()
        samples.append(Double(end.nanoseconds - start.nanoseconds))
    }
    return median(samples)
}

/// The median of samples already taken (the upper one of an even count).
func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }

/// Prints rows as a table: median in milliseconds (or microseconds) and, where a row names a
/// reference in its group, the ratio reference/row (above 1 means this row is faster).
func printTable(_ rows: [BenchRow]) {
    func fmt(_ ns: Double) -> String {
        ns >= 1_000_000 ? String(format3(ns / 1_000_000)) + " ms" : String(format3(ns / 1_000)) + " us"
    }
    var lastGroup = ""
    let nameWidth = max(24, rows.map { $0.name.count }.max() ?? 0)
    for row in rows {
        if row.group != lastGroup {
            print("\n== \(row.group)")
            lastGroup = row.group
        }
        var line = row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        line += "  " + fmt(row.medianNanoseconds).leftPadded(to: 11)
        if let refName = row.reference,
            let ref = rows.first(where: { $0.group == row.group && $0.name == refName })
        {
            line += "  x" + format3(ref.medianNanoseconds / row.medianNanoseconds) + " vs " + refName
        }
        if !row.note.isEmpty { line += "  (" + row.note + ")" }
        print(line)
    }
}

func format3(_ v: Double) -> String {
    let scaled = (v * 1000).rounded() / 1000
    var s = String(scaled)
    if let dot = s.firstIndex(of: ".") {
        let decimals = s.distance(from: dot, to: s.endIndex) - 1
        if decimals < 3 { s += String(repeating: "0", count: 3 - decimals) }
    }
    return s
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// The labelled fridge photos beside the repository (`../shared/data/fridge`, PROVENANCE.md
/// there): the one root the benchmarks read them from. Nil, with a line saying what is skipped,
/// when they are absent.
func fridgeData(_ repoRoot: String, skipping what: String) -> String? {
    let root = repoRoot + "/../shared/data/fridge"
    if FileManager.default.fileExists(atPath: root + "/PROVENANCE.md") { return root }
    print("\n(\(what) skipped: ../shared/data/fridge, the labelled fridge photos beside the repository, is absent)")
    return nil
}
