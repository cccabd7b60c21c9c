import Foundation
import SightlineTestSupport
import Testing

let repoRoot = Reference.repoRoot
let modelsDir = repoRoot + "/Models"

/// A new empty folder under the temporary directory.
func tempDir() -> String {
    let d = NSTemporaryDirectory() + "sightline-teach-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

/// The three labelled fridge photos committed under Samples/fridge (640x640, CC BY 4.0; see
/// Samples/fridge/photos.tsv), in name order.
let samplePhotos: [String] = {
    let dir = repoRoot + "/Samples/fridge/train/images"
    let names = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
    return names.filter { $0.hasSuffix(".jpg") }.sorted().map { dir + "/" + $0 }
}()

/// A folder of recorded frames: copies of the sample photos, as `sightline record` leaves them.
func recordingFolder(_ photos: [String] = samplePhotos) throws -> String {
    let dir = tempDir()
    for p in photos { try FileManager.default.copyItem(atPath: p, toPath: dir + "/" + (p as NSString).lastPathComponent) }
    return dir
}

/// Runs the built `sightline` executable to completion.
func sightline(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
    try run(productPath("sightline"), args)
}

/// `sightline teach serve` running as a child process until stopped.
final class TeachServerProcess: @unchecked Sendable {  // its transcript behind a lock
    let process = Process()
    /// The page's address, read from the line the server prints once it listens.
    private(set) var url: URL!
    private let output = Pipe()
    private let errors = Pipe()
    private let lock = NSLock()
    private var printed = ""
    private var complaints = ""

    init(photos: String, extra: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: productPath("sightline"))
        process.arguments = ["teach", "serve", "--photos", photos, "--port", "0", "--models-dir", modelsDir] + extra
        process.standardOutput = output
        process.standardError = errors
        output.fileHandleForReading.readabilityHandler = { [weak self] h in self?.append(h.availableData, error: false) }
        errors.fileHandleForReading.readabilityHandler = { [weak self] h in self?.append(h.availableData, error: true) }
        try process.run()
    }

    private func append(_ data: Data, error: Bool) {
        lock.lock()
        defer { lock.unlock() }
        if error { complaints += String(decoding: data, as: UTF8.self) } else { printed += String(decoding: data, as: UTF8.self) }
    }

    /// What it printed so far on standard output and standard error.
    var transcript: (out: String, err: String) {
        lock.lock()
        defer { lock.unlock() }
        return (printed, complaints)
    }

    /// Waits for the line with the address. The model loads first: in the whole suite, with
    /// every other suite running beside it on 2 cores, that took 3 minutes once.
    func waitUntilListening(seconds: Double = 600) async throws -> URL {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let match = transcript.out.firstMatch(of: /at (http:\/\/127\.0\.0\.1:\d+\/)/) {
                url = URL(string: String(match.1))!
                return url
            }
            guard process.isRunning else { break }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw WebDriver.Failure(description: "teach serve did not start: \(transcript)")
    }

    /// Stops it as Ctrl-C would (SIGINT) and returns its exit status.
    func stop() -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGINT)
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
        errors.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }
}

/// One box of a YOLO label file, in pixels of a `width`x`height` image.
struct SavedBox: CustomStringConvertible {
    var label: String
    var x: Double
    var y: Double
    var width: Double
    var height: Double

    var description: String { String(format: "%@ (%.1f, %.1f, %.1fx%.1f)", label, x, y, width, height) }

    /// Within `tolerance` pixels of `other` on every side, same label.
    func matches(_ other: SavedBox, tolerance: Double) -> Bool {
        label == other.label && abs(x - other.x) <= tolerance && abs(y - other.y) <= tolerance
            && abs(x + width - other.x - other.width) <= tolerance && abs(y + height - other.y - other.height) <= tolerance
    }
}

/// Reads a label file and its classes.txt the plain way (apart from the code under test).
func savedBoxes(labels file: String, classes: String, width: Double, height: Double) throws -> [SavedBox] {
    let names = try String(contentsOfFile: classes, encoding: .utf8).split(separator: "\n").map(String.init)
    return try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map { line in
        let f = line.split(separator: " ")
        let v = f.dropFirst().map { Double($0)! }
        return SavedBox(
            label: names[Int(f[0])!], x: (v[0] - v[2] / 2) * width, y: (v[1] - v[3] / 2) * height, width: v[2] * width,
            height: v[3] * height)
    }
}
