import Actions
import Foundation
import SightlineCore
import SightlineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh folder for one test.
func tempDir(_ name: String = #function) -> String {
    let safe = name.filter { $0.isLetter || $0.isNumber }
    let d = NSTemporaryDirectory() + "sightline-actions-\(getpid())/\(safe)-\(UUID().uuidString.prefix(8))"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

let may1 = Date(timeIntervalSince1970: 1_714_564_800)  // 2024-05-01T12:00:00Z

func need(_ item: String, _ quantity: Double, _ unit: String = "g", key: String, reason: String = "protein short") -> GroceryNeed {
    GroceryNeed(item: item, quantity: quantity, unit: unit, reason: reason, needKey: key)
}

/// An event with a detection, a conclusion and (optionally) a grocery need.
func sampleEvent(_ i: Int, kind: SightlineEvent.Kind = .frameAnalysed, grocery: GroceryNeed? = nil) -> SightlineEvent {
    SightlineEvent(
        kind: kind,
        frame: .init(
            origin: "/photos/fridge-\(i).jpg", sequence: UInt64(i), captureTime: Timestamp(nanoseconds: 1_000_000 * UInt64(i)), width: 640,
            height: 480),
        time: may1.addingTimeInterval(Double(i)),
        detections: [Detection(label: "refrigerator", classID: 72, score: 0.875, box: Rect(x: 10, y: 20, width: 300, height: 400))],
        conclusion: "frame \(i)", grocery: grocery)
}

/// A child process whose standard output is read line by line.
final class Child {
    let process = Process()
    private let out = Pipe()
    private var pending = Data()

    init(_ executable: String, _ args: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = args
        process.standardOutput = out
        process.standardInput = Pipe()
        try process.run()
    }

    /// Reads until `count` lines have arrived, the child closed its output, or `timeout` passed.
    func lines(_ count: Int, timeout: Double = 30) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var lines: [String] = []
        while lines.count < count, Date() < deadline {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let nl = pending.firstIndex(of: 0x0A) {
                lines.append(String(decoding: pending[pending.startIndex..<nl], as: UTF8.self))
                pending = Data(pending[(nl + 1)...])
            }
        }
        return lines
    }

    /// SIGKILL: no chance to clean up, as in a crash or a pulled battery (for the process).
    func kill() {
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Closes the child's standard input (tells it to finish) and waits.
    func finish() {
        (process.standardInput as? Pipe)?.fileHandleForWriting.closeFile()
        process.waitUntilExit()
    }
}

/// Tests/ActionsTests/webhook_server.py, run with Debian's python3 on 127.0.0.1.
final class WebhookServer {
    let port: Int
    let record: String
    private let process = Process()
    private let input = Pipe()

    var url: URL { URL(string: "http://127.0.0.1:\(port)/hook")! }

    init(port: Int = 0, failFirst: Int = 0, failStatus: Int = 503, dir: String) throws {
        record = dir + "/received-\(UUID().uuidString.prefix(6)).jsonl"
        let portFile = dir + "/port-\(UUID().uuidString.prefix(6))"
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [
            Reference.repoRoot + "/Tests/ActionsTests/webhook_server.py", "--port", String(port), "--record", record,
            "--port-file", portFile, "--fail-first", String(failFirst), "--fail-status", String(failStatus),
        ]
        // The server exits when this pipe closes, so it never outlives the test process.
        process.standardInput = input
        try process.run()
        let deadline = Date().addingTimeInterval(20)
        var found: Int?
        while found == nil, Date() < deadline, process.isRunning {
            found = (try? String(contentsOfFile: portFile, encoding: .utf8)).flatMap { Int($0) }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ReferenceError(message: "webhook_server.py did not start on port \(port)")
        }
        self.port = found
    }

    /// Everything the server received, in order.
    func received() throws -> [(status: Int, key: String?, contentType: String?, event: SightlineEvent?)] {
        guard let text = try? String(contentsOfFile: record, encoding: .utf8) else { return [] }
        return try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
            var event: SightlineEvent?
            if let e = object["event"], !(e is NSNull) {
                event = try SightlineEvent.makeDecoder().decode(SightlineEvent.self, from: JSONSerialization.data(withJSONObject: e))
            }
            return (object["status"] as! Int, object["key"] as? String, object["contentType"] as? String, event)
        }
    }

    /// The ids the server accepted (answered 200), in order.
    func accepted() throws -> [String] { try received().filter { $0.status == 200 }.compactMap(\.key) }

    /// SIGKILL (a child of the test process may inherit SIGTERM ignored), then reap.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    deinit { stop() }
}

/// A clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date) { value = start }
    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return value
    }
    func advance(_ seconds: Double) {
        lock.lock()
        value = value.addingTimeInterval(seconds)
        lock.unlock()
    }
}

/// Fast, deterministic back-off for tests against a real server.
let fastRetry = RetryPolicy(initialDelay: 0.05, multiplier: 2, maxDelay: 0.2, jitter: false)
