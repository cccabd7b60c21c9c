/// Folds a Darknet network's batch normalisation into its convolutions before OpenCV loads it.
///
/// OpenCV fuses each convolution with the batch-normalisation layer after it when it builds the
/// network, but keeps the original weights beside the fused ones ("keep origin weights
/// unchanged" in its convolution layer): for YOLOv3-tiny that is a second copy of 33 MB of
/// weights for the life of the process. Folded beforehand, the network has no batch
/// normalisation left to fuse, and OpenCV keeps one copy. The arithmetic is OpenCV's own, in the
/// same precision, so the network computes the same outputs (checked in the tests).
///
/// For each `[convolutional]` section with `batch_normalize=1`, with scale γ, mean μ, variance
/// σ², bias β and Darknet's ε = 10⁻⁶ (all Float):
///
///     k_f = γ_f / √(σ²_f + ε)              (per output channel f)
///     W'_f = Float(Double(W_f) · Double(k_f))
///     b'_f = β_f − k_f · μ_f
///
/// and the weights file keeps `b'` and `W'` only, the config loses the `batch_normalize` line.
///
/// The input channels of every convolution follow from the config, as OpenCV's Darknet reader
/// computes them. A network with a layer whose channel rule is not modelled here (`connected`,
/// `reorg`, a grouped `route`, an unknown type), a value that is not a plain integer, or a
/// weights file whose size does not come out exactly is not folded: `fold` returns nil and the
/// files load as they are (OpenCV then fuses, or reports what is wrong with them).
public enum DarknetFolding {
    /// A folded network: the config text, and how much of the weights buffer now holds the
    /// folded weights.
    public struct Folded: Sendable, Equatable {
        public var config: [UInt8]
        /// The folded weights file is the first `weightsCount` bytes of the buffer given to
        /// ``fold(config:weights:)``.
        public var weightsCount: Int
        /// How many convolutions had their batch normalisation folded.
        public var foldedLayers: Int
    }

    /// Folds `weights` (a Darknet `.weights` file) of the network `config` (its `.cfg` text) in
    /// place, or returns nil, with `weights` untouched, when there is nothing to fold or the
    /// network is outside what is modelled here (see the type's documentation). In place, so
    /// loading a model never holds a third copy of its weights.
    public static func fold(config: [UInt8], weights: UnsafeMutableRawBufferPointer) -> Folded? {
        guard let layers = parse(config), let plan = convolutions(layers) else { return nil }
        guard plan.contains(where: \.batchNorm) else { return nil }
        guard let (header, expected) = layout(plan, weights: UnsafeRawBufferPointer(weights)) else { return nil }
        guard weights.count == expected,
            Int(bitPattern: weights.baseAddress) % MemoryLayout<Float>.alignment == 0
        else { return nil }
        let removed = plan.reduce(0) { $0 + ($1.batchNorm ? 12 * $1.filters : 0) }
        // Every float moves to the same or a lower index (the write index never passes the
        // read index), so one forward pass folds in place.
        weights.withMemoryRebound(to: Float.self) { p in
            var r = header / 4, w = header / 4
            for conv in plan {
                let f = conv.filters
                guard conv.batchNorm else {
                    if w != r { for i in 0..<(f + conv.weights) { p[w + i] = p[r + i] } }
                    r += f + conv.weights
                    w += f + conv.weights
                    continue
                }
                // Bias, scale, mean, variance (f each), then the weights: f rows. The factors
                // first: the folded weights start over the scales.
                var k = [Float](repeating: 0, count: f), bias = [Float](repeating: 0, count: f)
                for o in 0..<f {
                    k[o] = p[r + f + o] / (p[r + 3 * f + o] + Float(1e-6)).squareRoot()
                    bias[o] = p[r + o] - k[o] * p[r + 2 * f + o]
                }
                for o in 0..<f { p[w + o] = bias[o] }
                let perFilter = conv.weights / f
                var from = r + 4 * f, to = w + f
                for o in 0..<f {
                    let ko = Double(k[o])
                    for i in 0..<perFilter { p[to + i] = Float(Double(p[from + i]) * ko) }
                    from += perFilter
                    to += perFilter
                }
                r += 4 * f + conv.weights
                w += f + conv.weights
            }
        }
        // The config without the folded sections' batch_normalize lines, everything else as is.
        let dropped = Set(plan.compactMap { $0.batchNorm ? $0.batchNormLine : nil })
        var text: [UInt8] = []
        text.reserveCapacity(config.count)
        for (number, line) in config.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !dropped.contains(number) {
            text += line
            text.append(UInt8(ascii: "\n"))
        }
        text.removeLast()  // the lines were joined with a newline after each, one too many
        return Folded(config: text, weightsCount: expected - removed, foldedLayers: plan.filter(\.batchNorm).count)
    }

    /// The size of a weights file's header and of the whole file the plan needs; nil when the
    /// header is cut short or names an implausible version.
    static func layout(_ plan: [Convolution], weights: UnsafeRawBufferPointer) -> (header: Int, total: Int)? {
        // The header: major, minor, revision (Int32), then `seen`, 8 bytes from version 0.2 on.
        guard weights.count >= 12 else { return nil }
        let major = Int(weights.loadUnaligned(as: Int32.self))
        let minor = Int(weights.loadUnaligned(fromByteOffset: 4, as: Int32.self))
        guard (0...1000).contains(major), (0...1000).contains(minor) else { return nil }
        let header = 12 + (major * 10 + minor >= 2 ? 8 : 4)
        return (header, header + plan.reduce(0) { $0 + 4 * ($1.filters * (1 + ($1.batchNorm ? 3 : 0)) + $1.weights) })
    }

    /// The bytes a weights file with a version 0.2 header (20 bytes) needs for the layers of
    /// `config`; nil when the config is outside what is modelled here.
    public static func weightsBytes(config: [UInt8]) -> Int? {
        guard let sections = parse(config), let plan = convolutions(sections) else { return nil }
        var header = [UInt8](repeating: 0, count: 20)
        header[4] = 2
        return header.withUnsafeBytes { layout(plan, weights: $0)?.total }
    }

    /// The largest input width or height a Darknet config may ask for (the manifests' limit too).
    public static let maximumInputSize = 4096

    /// What is wrong with a Darknet network's files that OpenCV would not say, or would only
    /// find after allocating for it (nil: nothing found): a `[net]` width or height outside
    /// 1...``maximumInputSize``, channels outside 1...4, or a weights file shorter than its
    /// layers need (a truncated file would load, and "detect" garbage). Configs outside what
    /// is modelled here (see the type) are left to OpenCV.
    public static func problem(config: [UInt8], weights: UnsafeRawBufferPointer) -> String? {
        guard let sections = parse(config) else { return nil }
        let net = sections[0]
        for (key, range) in [("width", 1...maximumInputSize), ("height", 1...maximumInputSize), ("channels", 1...4)] {
            guard let text = net.values[key] else { continue }
            guard let value = Int(text), range.contains(value) else {
                return "[net] \(key)=\(text) is out of range (\(range.lowerBound) to \(range.upperBound))"
            }
        }
        guard let plan = convolutions(sections) else { return nil }
        guard let (_, expected) = layout(plan, weights: weights) else {
            return "the weights file (\(weights.count) bytes) has no valid Darknet header"
        }
        guard weights.count >= expected else {
            return "the weights file has \(weights.count) bytes, but the layers of the config need \(expected): truncated"
        }
        return nil
    }

    /// One `[section]` of a config: its type, its keys (whitespace removed, as Darknet and
    /// OpenCV read them), and the line each key is on.
    struct Section {
        var type: String
        var values: [String: String] = [:]
        var lines: [String: Int] = [:]
    }

    /// One convolution's share of the weights file.
    struct Convolution {
        var filters: Int
        /// Number of weights (filters × input channels / groups × size²).
        var weights: Int
        var batchNorm: Bool
        var batchNormLine: Int?
    }

    /// The sections of a config, `[net]` first; nil if a line is neither a section, a comment
    /// nor `key=value`.
    static func parse(_ config: [UInt8]) -> [Section]? {
        var sections: [Section] = []
        for (number, raw) in config.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = String(decoding: raw.filter { !($0 == 32 || (9...13).contains($0)) }, as: UTF8.self)
            guard let first = line.first, first != "#", first != ";" else { continue }
            if first == "[" {
                guard line.last == "]" else { return nil }
                sections.append(Section(type: String(line.dropFirst().dropLast())))
                continue
            }
            guard let eq = line.firstIndex(of: "="), !sections.isEmpty else { return nil }
            let key = String(line[..<eq]), value = String(line[line.index(after: eq)...])
            if key.isEmpty || value.isEmpty { continue }
            // A key given twice: OpenCV takes the last; dropping one line of two would be wrong.
            guard sections[sections.count - 1].values[key] == nil else { return nil }
            sections[sections.count - 1].values[key] = value
            sections[sections.count - 1].lines[key] = number
        }
        guard sections.first?.type == "net" else { return nil }
        return sections
    }

    /// The convolutions in file order with their weight counts, following the channels through
    /// the layers as OpenCV's Darknet reader does; nil for anything not modelled.
    static func convolutions(_ sections: [Section]) -> [Convolution]? {
        func int(_ s: Section, _ key: String, _ fallback: Int) -> Int? {
            guard let v = s.values[key] else { return fallback }
            return Int(v)
        }
        guard var channels = int(sections[0], "channels", 3), channels > 0 else { return nil }
        var outChannels: [Int] = []
        var plan: [Convolution] = []
        for (index, s) in sections.dropFirst().enumerated() {
            switch s.type {
            case "convolutional":
                guard let filters = int(s, "filters", -1), let size = int(s, "size", -1), let groups = int(s, "groups", 1),
                    let bn = int(s, "batch_normalize", 0), int(s, "flipped", 0) == 0,
                    (1...(1 << 20)).contains(filters), (1...(1 << 10)).contains(size), groups > 0,
                    channels <= 1 << 24, channels % groups == 0
                else { return nil }
                let (count, overflow) = (filters * (channels / groups)).multipliedReportingOverflow(by: size * size)
                guard !overflow, count < 1 << 30 else { return nil }
                plan.append(Convolution(filters: filters, weights: count, batchNorm: bn == 1, batchNormLine: s.lines["batch_normalize"]))
                channels = filters
            case "route":
                guard s.values["groups"] == nil, let spec = s.values["layers"] else { return nil }
                var sum = 0
                for item in spec.split(separator: ",", omittingEmptySubsequences: false) {
                    guard let n = Int(item) else { return nil }
                    let at = n >= 0 ? n : n + index
                    guard outChannels.indices.contains(at) else { return nil }
                    sum += outChannels[at]
                }
                channels = sum
            case "maxpool", "avgpool", "softmax", "dropout", "cost", "region", "shortcut", "scale_channels", "upsample", "yolo":
                break
            default:
                return nil
            }
            outChannels.append(channels)
        }
        return plan
    }
}
