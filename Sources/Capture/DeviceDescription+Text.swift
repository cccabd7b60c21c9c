import Foundation

extension DeviceDescription {
    /// The device for people: its card, driver and bus, then each format (those Sightline reads
    /// only, with `usableOnly`) with its sizes and frame rates.
    public func text(usableOnly: Bool = false) -> String {
        var lines = ["\(path): \(capabilities.card) (driver \(capabilities.driver), \(capabilities.busInfo))"]
        for f in formats where !usableOnly || f.pixelFormat != nil {
            var line = "  \(f.fourcc.description.padding(toLength: 4, withPad: " ", startingAt: 0))  \(f.name)"
            if let p = f.pixelFormat { line += "  [sightline: \(p)]" }
            if f.emulated { line += "  (emulated by libv4l2)" }
            lines.append(line)
            switch f.sizes {
            case .discrete(let sizes):
                for s in sizes {
                    let rates = s.intervals.map(Self.rate).joined(separator: ", ")
                    lines.append("      \(s.size)\(rates.isEmpty ? "" : "  @ \(rates) fps")")
                }
            case let .stepwise(lo, hi, sw, sh):
                lines.append("      \(lo) to \(hi) in steps of \(sw)x\(sh)")
            case .unknown:
                lines.append("      (sizes not enumerated by the driver)")
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func rate(_ i: FrameInterval) -> String {
        let f = i.fps
        return f == f.rounded() ? String(Int(f)) : String(format: "%.2f", f)
    }
}
