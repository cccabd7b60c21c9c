/// Finds where each JPEG in a concatenation of JPEGs (an MJPEG stream, as `ffmpeg -f mjpeg`
/// writes it) begins and ends, by walking the markers rather than searching for byte pairs.
///
/// From an SOI (`FF D8`) it reads marker segments by their lengths, so an APP1 (EXIF) segment
/// holding a thumbnail — a whole JPEG with its own SOI and EOI — is skipped as data. After SOS
/// it scans the entropy-coded data, where `FF 00` is a stuffed byte, `FF D0`…`FF D7` are
/// restart markers and `FF FF` is fill; any other marker ends the scan (a progressive JPEG has
/// several). The frame ends at EOI (`FF D9`).
///
/// Damage is reported, not fatal: a frame that ends early (another SOI inside it, or the end
/// of the data), a bad marker or segment length, or bytes between frames that are not a JPEG
/// come back as ``Item/corrupt(_:resume:detail:)``, and scanning resumes at the next SOI.
public struct JPEGStreamScanner {
    public enum Item: Equatable, Sendable {
        /// A complete JPEG in `range`, with the size from its frame header.
        case frame(Range<Int>, width: Int, height: Int)
        /// Damaged bytes in `range`; the next item starts at `resume`.
        case corrupt(Range<Int>, resume: Int, detail: String)
    }

    private let bytes: UnsafeRawBufferPointer
    /// Where the next item starts.
    public private(set) var position: Int

    /// `bytes` must stay valid while the scanner is used.
    public init(_ bytes: UnsafeRawBufferPointer, from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    /// The next frame or damaged region; nil at the end of the data.
    public mutating func next() -> Item? {
        guard position < bytes.count else { return nil }
        let item = Self.scan(bytes, at: position)
        switch item {
        case let .frame(range, _, _): position = range.upperBound
        case let .corrupt(_, resume, _): position = resume
        }
        return item
    }

    /// Scans every item (for tests and tools).
    public static func split(_ bytes: UnsafeRawBufferPointer) -> [Item] {
        var s = JPEGStreamScanner(bytes)
        var items: [Item] = []
        while let item = s.next() { items.append(item) }
        return items
    }

    /// The offset of the next `FF D8 FF` at or after `from`, or the end.
    static func nextSOI(_ b: UnsafeRawBufferPointer, from: Int) -> Int {
        var i = from
        while i + 2 < b.count {
            if b[i] == 0xFF && b[i + 1] == 0xD8 && b[i + 2] == 0xFF { return i }
            i += 1
        }
        return b.count
    }

    static func scan(_ b: UnsafeRawBufferPointer, at start: Int) -> Item {
        let n = b.count
        guard start + 1 < n, b[start] == 0xFF, b[start + 1] == 0xD8 else {
            let resume = nextSOI(b, from: start + 1)
            if resume >= n, b[start..<n].allSatisfy({ $0 == 0 }) {
                return .corrupt(start..<n, resume: n, detail: "\(n - start) zero bytes after the last frame")
            }
            return .corrupt(
                start..<resume, resume: resume, detail: "\(resume - start) bytes that are not a JPEG (no start-of-image marker)")
        }
        var i = start + 2
        var width = 0, height = 0, sawFrameHeader = false, sawScan = false
        // Where the last marker that parsed began. After damage, the next frame is searched
        // for from there: a segment whose length is wrong (a frame cut short inside its
        // headers) may have jumped over the next frame's start.
        var lastMarker = start
        // `i` is passed, not captured: capturing the mutable index would box it on the heap
        // for every frame scanned.
        func corrupt(_ detail: String, resumeFrom: Int, at i: Int) -> Item {
            let resume = nextSOI(b, from: max(resumeFrom, start + 1))
            if resume < i, !detail.hasPrefix("truncated") {
                // The next frame began inside what this one's segments claimed: cut short.
                return .corrupt(
                    start..<resume, resume: resume,
                    detail: "truncated: the next frame starts at byte \(resume - start), before this one ended (\(detail))")
            }
            return .corrupt(start..<resume, resume: resume, detail: detail)
        }
        while true {
            guard i < n else { return corrupt("truncated: data ends before the end-of-image marker", resumeFrom: lastMarker + 2, at: i) }
            guard b[i] == 0xFF else {
                return corrupt("expected a marker at byte \(i - start), found 0x\(hex2(b[i]))", resumeFrom: lastMarker + 2, at: i)
            }
            while i < n, b[i] == 0xFF { i += 1 }  // fill bytes
            guard i < n else { return corrupt("truncated: data ends inside a marker", resumeFrom: lastMarker + 2, at: i) }
            let marker = b[i]
            let markerStart = i - 1
            lastMarker = markerStart
            i += 1
            switch marker {
            case 0xD9:
                guard sawFrameHeader else { return corrupt("end-of-image before any frame header", resumeFrom: i, at: i) }
                // Tables and a frame header but no scan: a JPEG with no picture in it.
                guard sawScan else { return corrupt("end-of-image before any scan data: no picture", resumeFrom: i, at: i) }
                return .frame(start..<i, width: width, height: height)
            case 0xD8:
                return corrupt(
                    "truncated: a new start-of-image at byte \(markerStart - start) before this frame ended",
                    resumeFrom: markerStart, at: i)
            case 0x01, 0xD0...0xD7:
                continue
            case 0x00:
                return corrupt("invalid marker 0xFF00 at byte \(markerStart - start)", resumeFrom: i, at: i)
            default:
                break
            }
            guard i + 2 <= n else { return corrupt("truncated inside a marker segment", resumeFrom: lastMarker + 2, at: i) }
            let length = Int(b[i]) << 8 | Int(b[i + 1])
            guard length >= 2 else {
                return corrupt("marker 0xFF\(hex2(marker)) has invalid length \(length)", resumeFrom: lastMarker + 2, at: i)
            }
            guard i + length <= n else {
                return corrupt(
                    "truncated: marker 0xFF\(hex2(marker)) segment runs past the end of the data", resumeFrom: lastMarker + 2, at: i)
            }
            if isSOF(marker), length >= 8 {
                sawFrameHeader = true
                height = Int(b[i + 3]) << 8 | Int(b[i + 4])
                width = Int(b[i + 5]) << 8 | Int(b[i + 6])
            }
            i += length
            guard marker == 0xDA else { continue }
            guard sawFrameHeader else { return corrupt("scan data before any frame header", resumeFrom: i, at: i) }
            sawScan = true
            // Entropy-coded data: runs until a marker other than stuffing, RSTn or fill.
            while true {
                guard i + 1 < n else { return corrupt("truncated: data ends inside the scan data", resumeFrom: lastMarker + 2, at: i) }
                if b[i] != 0xFF {
                    i += 1
                    continue
                }
                let next = b[i + 1]
                if next == 0x00 || (0xD0...0xD7).contains(next) {
                    i += 2
                } else if next == 0xFF {
                    i += 1
                } else {
                    break  // a real marker: back to the marker loop at this FF
                }
            }
        }
    }

    static func isSOF(_ m: UInt8) -> Bool {
        switch m {
        case 0xC0...0xC3, 0xC5...0xC7, 0xC9...0xCB, 0xCD...0xCF: return true
        default: return false
        }
    }
}

func hex2(_ b: UInt8) -> String {
    let d = Array("0123456789ABCDEF")
    return String([d[Int(b >> 4)], d[Int(b & 15)]])
}
