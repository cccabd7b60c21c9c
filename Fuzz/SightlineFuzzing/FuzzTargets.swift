// The libFuzzer targets (scripts/fuzz builds them with `-sanitize=fuzzer,address`): each
// reader of outside input, fed arbitrary bytes. A target returns normally whatever the bytes
// are; anything else (a trap, an ASan report, a leak, a hang) is a finding. The same targets
// replay the committed regression inputs in the ordinary test suite (FuzzRegressionTests).
import Capture
import Detection
import Foundation
import Imaging
import Reasoning
import SightlineCore

/// One reader of outside input, as a fuzz target.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// `JPEGInfo.parse`, then the decoder: header, a 1/8 grey decode, a full RGB decode and a
    /// YUV-planes decode, all on one decoder (so a failure's leftovers meet the next input).
    case jpeg
    /// The MJPEG stream scanner: every item in bounds, items in order, the whole input covered.
    case mjpeg
    /// The chain reader (and the reasoner's checks of its steps against the knowledge).
    case chain
    /// The profile reader.
    case profile
    /// The nutrition knowledge reader.
    case knowledge
    /// The model manifest reader.
    case manifest
    /// The Apple Health importer (the bytes as an export.xml).
    case health
    /// The Darknet config folding: the bytes as a `.cfg`, with a weights file of the size its
    /// layers need (when that is small) and a short one.
    case darknet

    /// Runs the target on `data`, one input at a time in the process.
    ///
    /// The targets share state across inputs (the JPEG decoder's TurboJPEG handle and buffer,
    /// the health target's file), as the fuzzer's one thread expects; the test suite replays its
    /// inputs in parallel, so they take turns. Two inputs decoded at once on the one handle
    /// crashed the aarch64 test run under qemu-user, where slow emulation made them overlap.
    public func run(_ data: UnsafeRawBufferPointer) {
        Self.oneAtATime.withLock { runAlone(data) }
    }

    private static let oneAtATime = Lock()

    private func runAlone(_ data: UnsafeRawBufferPointer) {
        switch self {
        case .jpeg: Self.jpeg(data)
        case .mjpeg: Self.mjpeg(data)
        case .chain: _ = try? Reasoner(chain: ChainDefinition.decode(Array(data), file: "fuzz.json"), knowledge: Self.standardKnowledge)
        case .profile: _ = try? Profile.decode(Array(data), file: "fuzz.json")
        case .knowledge: _ = try? NutritionKnowledge.decode(Array(data), file: "fuzz.json")
        case .manifest: _ = try? ModelManifest.parse(Data(data), path: "fuzz.json")
        case .health: Self.health(data)
        case .darknet: Self.darknet(data)
        }
    }

    /// The target named by `SIGHTLINE_FUZZ_TARGET` (the fuzzer runs one per process).
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["SIGHTLINE_FUZZ_TARGET"] ?? ""
        guard let t = FuzzTarget(rawValue: name) else {
            fatalError("SIGHTLINE_FUZZ_TARGET must be one of \(FuzzTarget.allCases.map(\.rawValue)), found '\(name)'")
        }
        return t
    }()

    // One decoder for every input, as in a replay: what one input leaves behind meets the next.
    nonisolated(unsafe) private static let decoder = JPEGDecoder(maxPixels: 16 << 20)
    private static let buffer = ImageBuffer()

    private static func jpeg(_ data: UnsafeRawBufferPointer) {
        guard (try? JPEGInfo.parse(data, origin: "fuzz.jpg")) != nil,
            let header = try? decoder.readHeader(data, origin: "fuzz.jpg")
        else { return }
        _ = try? decoder.decode(data, origin: "fuzz.jpg", header: header, scale: .init(num: 1, denom: 8), format: .grey, into: buffer)
        if header.width * header.height <= 1 << 22 {
            _ = try? decoder.decode(data, origin: "fuzz.jpg", header: header, format: .rgb24, into: buffer)
            _ = try? decoder.decodePlanes(data, origin: "fuzz.jpg", header: header, into: buffer)
        }
    }

    private static func mjpeg(_ data: UnsafeRawBufferPointer) {
        var scanner = JPEGStreamScanner(data)
        var end = 0
        while let item = scanner.next() {
            let range: Range<Int>
            switch item {
            case let .frame(r, _, _): range = r
            case let .corrupt(r, resume, _):
                range = r
                precondition(resume >= r.upperBound || resume > r.lowerBound, "the scanner does not move on")
            }
            precondition(range.lowerBound == end && range.upperBound <= data.count && !range.isEmpty, "item \(range) after \(end)")
            end = scanner.position
        }
        precondition(end == data.count, "the scanner stopped at \(end) of \(data.count)")
    }

    private static let standardKnowledge: NutritionKnowledge = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        guard let k = try? NutritionKnowledge.load(path: root.path + "/Models/nutrition.json") else {
            fatalError("the chain target needs Models/nutrition.json")
        }
        return k
    }()

    private static let healthPath = NSTemporaryDirectory() + "sightline-fuzz-health-\(getpid()).xml"

    private static func health(_ data: UnsafeRawBufferPointer) {
        guard FileManager.default.createFile(atPath: healthPath, contents: Data(data)) else { return }
        _ = try? AppleHealthImporter.importExport(path: healthPath)
    }

    private static func darknet(_ data: UnsafeRawBufferPointer) {
        let config = Array(data)
        // A version 0.2 header (20 bytes) and nothing else, then as many bytes as the layers
        // need when that is at most 4 MiB.
        var weights = [UInt8](repeating: 0, count: 20)
        weights[4] = 2
        _ = weights.withUnsafeBytes { DarknetFolding.problem(config: config, weights: $0) }
        _ = weights.withUnsafeMutableBytes { DarknetFolding.fold(config: config, weights: $0) }
        guard let needed = DarknetFolding.weightsBytes(config: config), needed > 20, needed <= 4 << 20 else { return }
        weights += [UInt8](repeating: 0x3F, count: needed - 20)
        if let folded = weights.withUnsafeMutableBytes({ DarknetFolding.fold(config: config, weights: $0) }) {
            precondition(folded.weightsCount <= needed, "folded weights grew: \(folded.weightsCount) > \(needed)")
        }
    }
}

/// libFuzzer's entry point: the target `SIGHTLINE_FUZZ_TARGET` names, on one input.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}
