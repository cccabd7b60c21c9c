// Where the resident memory of this process is: /proc/self/smaps (resident kB per mapping,
// grouped by file; anonymous memory by kind) and glibc's malloc statistics. Printed by
// `sightline-bench live --memory` after 100 frames and at the end of the gated replay.
import CMallocCounter
import Foundation

struct MemorySnapshot {
    /// Resident MB per mapping group: a file's basename, "[heap]" (the main arena), "[stack]",
    /// or "[anon]" (thread arenas, large mallocs, thread stacks, the Swift runtime's pages).
    var byMapping: [String: Double]
    var malloc: sl_malloc_stats

    static func take() -> MemorySnapshot {
        var groups: [String: Double] = [:]
        var current = "[anon]"
        // Read line by line with getline: procfs files have no size, and one read returns a page.
        if let file = fopen("/proc/self/smaps", "r") {
            defer { fclose(file) }
            var buffer: UnsafeMutablePointer<CChar>? = nil
            var capacity = 0
            defer { free(buffer) }
            while getline(&buffer, &capacity, file) > 0, let buffer {
                let line = String(cString: buffer).dropLast()
                let fields = line.split(separator: " ", omittingEmptySubsequences: true)
                guard let first = fields.first else { continue }
                if first.contains("-"), first.first?.isHexDigit == true, fields.count >= 5 {
                    current = fields.count >= 6 ? String(fields[5...].joined(separator: " ").split(separator: "/").last ?? "") : "[anon]"
                } else if first == "Rss:", fields.count >= 2, let kb = Double(fields[1]) {
                    groups[current, default: 0] += kb / 1024
                }
            }
        }
        var stats = sl_malloc_stats()
        sl_get_malloc_stats(&stats)
        return MemorySnapshot(byMapping: groups, malloc: stats)
    }

    var total: Double { byMapping.values.reduce(0, +) }

    /// The largest groups, then malloc's figures, and (given an earlier snapshot) the change.
    func lines(since earlier: MemorySnapshot? = nil, top: Int = 10) -> [String] {
        func mb(_ bytes: UInt64) -> Double { Double(bytes) / 1_048_576 }
        var out: [String] = []
        let names = byMapping.keys.sorted { byMapping[$0]! > byMapping[$1]! }
        for name in names.prefix(top) {
            var line = "  " + name.padding(toLength: 44, withPad: " ", startingAt: 0) + String(format: " %7.1f MB", byMapping[name]!)
            if let earlier { line += String(format: "  (%+.2f)", byMapping[name]! - (earlier.byMapping[name] ?? 0)) }
            out.append(line)
        }
        let rest = names.dropFirst(top).reduce(0.0) { $0 + byMapping[$1]! }
        out.append(
            "  " + "(\(max(0, names.count - top)) more)".padding(toLength: 44, withPad: " ", startingAt: 0)
                + String(format: " %7.1f MB", rest))
        let m = malloc
        out.append(
            String(
                format:
                    "  malloc: %d arenas, %.1f MB from the system for them + %.1f MB in separate mmaps; %.1f MB in use, %.1f MB free in the arenas",
                m.arenas, mb(m.arena_bytes), mb(m.mmapped_bytes), mb(m.in_use_bytes), mb(m.free_bytes)))
        if let e = earlier?.malloc {
            out.append(
                String(
                    format: "  malloc change: in use %+.2f MB, free %+.2f MB, arenas %+d", mb(m.in_use_bytes) - mb(e.in_use_bytes),
                    mb(m.free_bytes) - mb(e.free_bytes), Int(m.arenas) - Int(e.arenas)))
        }
        return out
    }
}
