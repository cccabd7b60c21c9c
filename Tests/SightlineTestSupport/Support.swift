// Shared by the test targets: deterministic content, the OpenCV reference, the sample photos.
public import Foundation
public import Imaging
import SightlineCore

/// Deterministic pseudo-random numbers (SplitMix64), so every run tests the same content.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// A photo-like RGB image: smooth gradients, a few discs and a little noise. JPEG handles such
/// content the way it handles camera frames (unlike pure noise, which it cannot compress).
public func photoLike(width: Int, height: Int, seed: UInt64 = 1) -> [UInt8] {
    var rng = SplitMix64(seed: seed)
    var px = [UInt8](repeating: 0, count: width * height * 3)
    let discs = (0..<4).map { _ in
        (
            Double.random(in: 0...Double(width), using: &rng), Double.random(in: 0...Double(height), using: &rng),
            Double.random(in: 0.1...0.4, using: &rng) * Double(max(width, height)),
            (UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng))
        )
    }
    for y in 0..<height {
        for x in 0..<width {
            let fx = Double(x) / Double(max(width - 1, 1)), fy = Double(y) / Double(max(height - 1, 1))
            var r = 40 + 160 * fx, g = 60 + 120 * fy, b = 200 - 150 * fx * fy
            for (cx, cy, rad, c) in discs where (Double(x) - cx) * (Double(x) - cx) + (Double(y) - cy) * (Double(y) - cy) < rad * rad {
                r = (r + Double(c.0)) / 2; g = (g + Double(c.1)) / 2; b = (b + Double(c.2)) / 2
            }
            let n = Double(Int(rng.next() % 9) - 4)
            let i = (y * width + x) * 3
            px[i] = UInt8(max(0, min(255, r + n)))
            px[i + 1] = UInt8(max(0, min(255, g + n)))
            px[i + 2] = UInt8(max(0, min(255, b + n)))
        }
    }
    return px
}

/// Mean absolute difference per channel between two interleaved images of `channels` channels.
public func meanAbsDiff(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer, count: Int, channels: Int) -> [Double] {
    var sums = [Double](repeating: 0, count: channels)
    for i in 0..<count { sums[i % channels] += Double(abs(Int(a[i]) - Int(b[i]))) }
    return sums.map { $0 / Double(count / channels) }
}

/// A product SwiftPM built next to the test bundle (an executable the test target depends on).
public func productPath(_ name: String) -> String {
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    var url = bin.appendingPathComponent(name)
    // The test bundle may sit one level deeper than the products (xctest bundles on Linux do not).
    if !FileManager.default.fileExists(atPath: url.path) { url = bin.deletingLastPathComponent().appendingPathComponent(name) }
    return url.path
}

/// Runs a program to completion; returns its status, standard output and standard error.
/// With `timeout`, a program still running after that many seconds is killed (SIGKILL) and
/// its status is `-1`, with `timed out` added to its standard error: a hang fails the test
/// instead of hanging the suite.
public func run(_ executable: String, _ args: [String], environment: [String: String] = [:], timeout: Double? = nil) throws -> (
    status: Int32, out: String, err: String
) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let killed = TimeoutFlag()
    if let timeout {
        let pid = p.processIdentifier
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout) {
            if p.isRunning {
                killed.set()
                kill(pid, SIGKILL)
            }
        }
    }
    let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    if killed.isSet { return (-1, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self) + "\ntimed out") }
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

private final class TimeoutFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

public enum Reference {
    public static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    public static let tempDir: String = {
        let d = NSTemporaryDirectory() + "sightline-imaging-\(getpid())"
        try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }()

    /// Runs scripts/reference/opencv_ref.py with Debian's python3 (where python3-opencv lives)
    /// and returns its standard output.
    @discardableResult
    public static func opencv(_ args: [String]) throws -> String {
        let r = try run("/usr/bin/python3", [repoRoot + "/scripts/reference/opencv_ref.py"] + args)
        guard r.status == 0 else {
            throw ReferenceError(message: "opencv_ref.py \(args.joined(separator: " ")) failed: " + r.err)
        }
        return r.out
    }

    /// OpenCV's decode of `jpeg` (bytes) at 1/`reduce`, as RGB.
    public static func decode(_ jpeg: [UInt8], reduce: Int = 1, name: String = UUID().uuidString) throws -> (
        width: Int, height: Int, rgb: [UInt8]
    ) {
        let input = tempDir + "/\(name).jpg", output = tempDir + "/\(name).rgb"
        try Data(jpeg).write(to: URL(fileURLWithPath: input))
        let json = try opencv(["decode", input, output, "--reduce", String(reduce)])
        let info = try JSONDecoder().decode([String: Int].self, from: Data(json.utf8))
        let rgb = [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
        return (info["width"]!, info["height"]!, rgb)
    }

    /// OpenCV's letterboxed tensor for the image at `path`.
    public static func tensor(path: String, size: Int, fit: String = "letterbox", pad: Int = 128) throws -> [Float] {
        let output = tempDir + "/\(UUID().uuidString).f32"
        try opencv(["tensor", path, output, "--size", String(size), "--fit", fit, "--pad", String(pad)])
        let data = try Data(contentsOf: URL(fileURLWithPath: output))
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

public struct ReferenceError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The sample photos of Samples/photos.tsv (installed by scripts/setup).
public enum Samples {
    public static let photos: [(name: String, path: String)] = {
        let text = (try? String(contentsOfFile: Reference.repoRoot + "/Samples/photos.tsv", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#") else { return nil }
            let f = line.split(separator: "\t")
            return f.count >= 2 ? (String(f[0]), String(f[1])) : nil
        }
    }()

    public static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
}

extension JPEGEncoder {
    public func encode(
        rgb: [UInt8], width: Int, height: Int, quality: Int = 90, subsampling: ChromaSubsampling = .s420, progressive: Bool = false
    ) throws -> [UInt8] {
        try rgb.withUnsafeBytes {
            try encode(
                $0.baseAddress!, width: width, height: height, stride: width * 3, format: .rgb24,
                quality: quality, subsampling: subsampling, progressive: progressive)
        }
    }
}
