/// What a JPEG's markers say about it, read without decoding any pixels.
///
/// libjpeg-turbo 2.1's `tjDecompressHeader3` reports size, subsampling and colour space but not
/// the coding process, so Sightline walks the marker segments up to the frame header (SOFn)
/// itself. That also lets it name what a non-JPEG input looks like.
public struct JPEGInfo: Sendable, Equatable {
    public enum Process: String, Sendable {
        case baseline, extendedSequential = "extended-sequential", progressive, lossless
        case arithmeticSequential = "arithmetic-sequential", arithmeticProgressive = "arithmetic-progressive"
        case arithmeticLossless = "arithmetic-lossless", hierarchical
    }

    public var process: Process
    /// Bits per sample (8 for ordinary JPEGs; 12 and 16 exist but are not supported).
    public var precision: Int
    public var width: Int
    public var height: Int
    public var components: Int
    /// Each component's sampling factors, in frame-header order.
    public var samplingFactors: [SamplingFactor] = []

    /// A component's horizontal and vertical sampling factors (1 to 4 each).
    public struct SamplingFactor: Sendable, Equatable {
        public var horizontal: Int
        public var vertical: Int
    }

    /// Reads markers from the start of `bytes` up to the first frame header.
    public static func parse(_ bytes: UnsafeRawBufferPointer, origin: String) throws(ImagingError) -> JPEGInfo {
        let n = bytes.count
        guard n > 0 else { throw .empty(origin: origin) }
        guard n >= 2, bytes[0] == 0xFF, bytes[1] == 0xD8 else {
            throw .notJPEG(origin: origin, detail: describeMagic(bytes))
        }
        var i = 2
        while i < n {
            // Markers may be preceded by any number of 0xFF fill bytes.
            guard bytes[i] == 0xFF else {
                throw .corruptJPEG(origin: origin, detail: "expected a marker at byte \(i), found 0x\(hex(bytes[i]))")
            }
            while i < n, bytes[i] == 0xFF { i += 1 }
            guard i < n else { break }
            let marker = bytes[i]
            i += 1
            switch marker {
            case 0x01, 0xD0...0xD7:  // TEM, RSTn: no length
                continue
            case 0xD9:
                throw .corruptJPEG(origin: origin, detail: "end of image before any frame header")
            case 0xDA:
                throw .corruptJPEG(origin: origin, detail: "scan data before any frame header")
            default:
                break
            }
            guard i + 2 <= n else { break }
            let length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            guard length >= 2 else {
                throw .corruptJPEG(origin: origin, detail: "marker 0xFF\(hex(marker)) has invalid length \(length)")
            }
            if let process = sofProcess(marker) {
                guard i + 8 <= n, length >= 8 else { break }
                let precision = Int(bytes[i + 2])
                let height = Int(bytes[i + 3]) << 8 | Int(bytes[i + 4])
                let width = Int(bytes[i + 5]) << 8 | Int(bytes[i + 6])
                let components = Int(bytes[i + 7])
                // What a frame header can hold (ITU T.81 B.2.2): random bytes after an SOI are
                // named as damage, not as a 243-bit JPEG.
                guard [2, 8, 12, 16].contains(precision) || (process == .lossless && (2...16).contains(precision)) else {
                    throw .corruptJPEG(origin: origin, detail: "frame header has an invalid sample precision (\(precision) bits)")
                }
                guard (1...4).contains(components) else {
                    throw .corruptJPEG(origin: origin, detail: "frame header has \(components) components (1 to 4 are possible)")
                }
                guard length == 8 + 3 * components else {
                    throw .corruptJPEG(
                        origin: origin, detail: "frame header length \(length) does not fit \(components) components")
                }
                guard i + length <= n else { break }
                var factors: [SamplingFactor] = []
                for k in 0..<components {
                    let f = bytes[i + 9 + 3 * k]
                    let h = Int(f >> 4), v = Int(f & 15)
                    guard (1...4).contains(h), (1...4).contains(v) else {
                        throw .corruptJPEG(origin: origin, detail: "component \(k + 1) has invalid sampling factors \(h)x\(v)")
                    }
                    factors.append(SamplingFactor(horizontal: h, vertical: v))
                }
                return JPEGInfo(
                    process: process, precision: precision, width: width, height: height,
                    components: components, samplingFactors: factors)
            }
            i += length
        }
        throw .corruptJPEG(origin: origin, detail: "data ends (\(n) bytes) before the frame header")
    }

    private static func sofProcess(_ marker: UInt8) -> Process? {
        switch marker {
        case 0xC0: return .baseline
        case 0xC1: return .extendedSequential
        case 0xC2: return .progressive
        case 0xC3: return .lossless
        case 0xC5, 0xC6, 0xC7, 0xCD, 0xCE, 0xCF: return .hierarchical
        case 0xC9: return .arithmeticSequential
        case 0xCA: return .arithmeticProgressive
        case 0xCB: return .arithmeticLossless
        default: return nil
        }
    }

    /// Names common formats by their signature, so "a PNG passed as JPEG" says so.
    static func describeMagic(_ bytes: UnsafeRawBufferPointer) -> String {
        func starts(_ sig: [UInt8]) -> Bool {
            bytes.count >= sig.count && zip(bytes, sig).allSatisfy { $0 == $1 }
        }
        if starts([0x89, 0x50, 0x4E, 0x47]) { return "it is a PNG file" }
        if starts([0x47, 0x49, 0x46, 0x38]) { return "it is a GIF file" }
        if starts([0x42, 0x4D]) { return "it looks like a BMP file" }
        if starts([0x52, 0x49, 0x46, 0x46]) { return "it is a RIFF (WebP/AVI) file" }
        if starts([0x50, 0x35]) || starts([0x50, 0x36]) { return "it looks like a PNM file" }
        let head = bytes.prefix(4).map { hex($0) }.joined(separator: " ")
        return "no JPEG start-of-image marker; first bytes: \(head)"
    }
}

func hex(_ b: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
}
