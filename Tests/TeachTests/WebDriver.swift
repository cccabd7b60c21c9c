import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SightlineTestSupport
import Testing

/// A W3C WebDriver client over plain HTTP and JSON, for driving Debian's chromium through
/// chromium-driver: sessions, navigation, elements, script, and input through the Actions API
/// (pointer down, move, up: the browser sees real mouse or touch input).
struct WebDriver {
    /// The W3C key under which an element reference travels.
    static let elementKey = "element-6066-11e4-a52e-4f735466cecf"

    let base: URL
    let session: String

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Sends one command; returns its `value`.
    @discardableResult
    static func send(_ method: String, _ url: URL, _ body: [String: Any]? = nil, timeout: Int64 = 60) async throws -> Any {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let response = try await fetch(method, url, body: data, timeout: timeout)
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let value = json?["value"] ?? NSNull()
        guard (200..<300).contains(response.status) else {
            let error = (value as? [String: Any]).map { "\($0["error"] ?? "?"): \($0["message"] ?? "?")" }
            throw Failure(
                description: "\(method) \(url.path): HTTP \(response.status) \(error ?? String(decoding: response.body, as: UTF8.self))")
        }
        return value
    }

    /// One HTTP exchange, through AsyncHTTPClient: Foundation's URLSession on Linux refuses
    /// chromedriver's answers ("Failed writing header": its header lines have no space after
    /// the colon, which HTTP allows).
    static func fetch(
        _ method: String, _ url: URL, body: Data? = nil, contentType: String = "application/json", timeout: Int64 = 60
    ) async throws -> (status: Int, body: Data, contentType: String?) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        if let body {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(timeout))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Data(bytes.readableBytesView), response.headers.first(name: "Content-Type"))
    }

    /// Starts a browser session with `capabilities` (W3C `alwaysMatch`).
    static func start(_ base: URL, capabilities: [String: Any]) async throws -> WebDriver {
        let value = try await send(
            "POST", base.appendingPathComponent("session"), ["capabilities": ["alwaysMatch": capabilities]], timeout: 120)
        guard let id = (value as? [String: Any])?["sessionId"] as? String else {
            throw Failure(description: "no session id in \(value)")
        }
        return WebDriver(base: base, session: id)
    }

    private var url: URL { base.appendingPathComponent("session/\(session)") }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any {
        try await Self.send(method, path.isEmpty ? url : url.appendingPathComponent(path), body ?? (method == "POST" ? [:] : nil))
    }

    func quit() async { _ = try? await command("DELETE", "") }

    func navigate(_ page: String) async throws { try await command("POST", "url", ["url": page]) }

    /// The first element matching `css`, or nil.
    func element(_ css: String) async throws -> String? {
        let all = try await command("POST", "elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return all.first?[Self.elementKey] as? String
    }

    /// Every element matching `css`.
    func elements(_ css: String) async throws -> [String] {
        let all = try await command("POST", "elements", ["using": "css selector", "value": css]) as? [[String: Any]] ?? []
        return all.compactMap { $0[Self.elementKey] as? String }
    }

    /// A real click in the middle of the element (WebDriver's Element Click).
    func click(_ element: String) async throws { try await command("POST", "element/\(element)/click") }

    func click(css: String) async throws {
        guard let e = try await element(css) else { throw Failure(description: "no element \(css)") }
        try await click(e)
    }

    func type(_ text: String, into element: String) async throws {
        try await command("POST", "element/\(element)/value", ["text": text])
    }

    func text(_ element: String) async throws -> String {
        try await command("GET", "element/\(element)/text") as? String ?? ""
    }

    func attribute(_ element: String, _ name: String) async throws -> String? {
        try await command("GET", "element/\(element)/attribute/\(name)") as? String
    }

    /// Runs `script` (a function body) in the page; returns its result.
    func script(_ script: String, _ args: [Any] = []) async throws -> Any {
        try await command("POST", "execute/sync", ["script": script, "args": args])
    }

    /// Where the element is in the viewport, in CSS pixels.
    func viewportRect(_ css: String) async throws -> (x: Double, y: Double, width: Double, height: Double) {
        let value = try await script(
            "const r = document.querySelector(arguments[0]).getBoundingClientRect(); return [r.left, r.top, r.width, r.height];", [css])
        guard let v = value as? [Double], v.count == 4 else { throw Failure(description: "no rect for \(css): \(value)") }
        return (v[0], v[1], v[2], v[3])
    }

    /// Drags with a mouse or a finger (`pointerType` "mouse" or "touch") from `from` to `to`
    /// (viewport CSS pixels) through `steps` intermediate moves, pressing and releasing.
    func drag(from: (Double, Double), to: (Double, Double), pointerType: String = "mouse", steps: Int = 5) async throws {
        var actions: [[String: Any]] = [
            ["type": "pointerMove", "duration": 0, "x": Int(from.0.rounded()), "y": Int(from.1.rounded()), "origin": "viewport"],
            ["type": "pointerDown", "button": 0],
        ]
        for k in 1...steps {
            let t = Double(k) / Double(steps)
            let x = from.0 + (to.0 - from.0) * t, y = from.1 + (to.1 - from.1) * t
            actions.append(["type": "pointerMove", "duration": 40, "x": Int(x.rounded()), "y": Int(y.rounded()), "origin": "viewport"])
        }
        actions.append(["type": "pointerUp", "button": 0])
        try await perform(pointerType: pointerType, actions)
    }

    /// A press and release without moving, at `at` (viewport CSS pixels).
    func tap(_ at: (Double, Double), pointerType: String = "mouse") async throws {
        try await perform(
            pointerType: pointerType,
            [
                ["type": "pointerMove", "duration": 0, "x": Int(at.0.rounded()), "y": Int(at.1.rounded()), "origin": "viewport"],
                ["type": "pointerDown", "button": 0], ["type": "pointerUp", "button": 0],
            ])
    }

    private func perform(pointerType: String, _ actions: [[String: Any]]) async throws {
        try await command(
            "POST", "actions",
            [
                "actions": [
                    [
                        "type": "pointer", "id": pointerType == "touch" ? "finger" : "mouse", "parameters": ["pointerType": pointerType],
                        "actions": actions,
                    ]
                ]
            ])
        try await command("DELETE", "actions")
    }

    /// Waits until `condition` holds (checked every 100 ms), failing after `seconds`.
    func wait(_ what: String, seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        let message = (try? await element("#message")).flatMap { $0 }
        let shown = message == nil ? "" : (try? await text(message!)) ?? ""
        throw Failure(description: "timed out after \(Int(seconds)) s waiting for \(what) (the page says: \(shown))")
    }

    /// Saves a screenshot (PNG) for looking into a failure.
    func screenshot(to path: String) async {
        guard let b64 = try? await command("GET", "screenshot") as? String, let data = Data(base64Encoded: b64) else { return }
        try? data.write(to: URL(fileURLWithPath: path))
    }
}

/// Debian's chromium-driver, started on a free port and stopped when done.
final class ChromeDriver {
    static let driverPath = "/usr/bin/chromedriver"
    static let browserPath = "/usr/bin/chromium"

    let process = Process()
    let base: URL
    let profile: String

    /// Why the browser cannot run here, or nil when both programs are installed.
    static var missing: String? {
        for p in [driverPath, browserPath] where !FileManager.default.isExecutableFile(atPath: p) {
            return "\(p) is not installed (scripts/setup installs chromium and chromium-driver)"
        }
        return nil
    }

    init() async throws {
        let port = try freePort()
        base = URL(string: "http://127.0.0.1:\(port)")!
        profile = NSTemporaryDirectory() + "sightline-chromium-\(UUID().uuidString)"
        process.executableURL = URL(fileURLWithPath: Self.driverPath)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if let status = try? await WebDriver.send("GET", base.appendingPathComponent("status"), timeout: 2) as? [String: Any],
                status["ready"] as? Bool == true
            {
                return
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        stop()
        throw WebDriver.Failure(description: "chromedriver did not answer on port \(port) within 30 s")
    }

    /// Capabilities for headless chromium: a laptop window, or a phone (`mobile`: 390x844 CSS
    /// pixels at 3x, touch input, a phone's user agent).
    func capabilities(mobile: Bool) -> [String: Any] {
        var options: [String: Any] = [
            "binary": Self.browserPath,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions",
                "--window-size=1280,900", "--user-data-dir=\(profile)",
            ],
        ]
        if mobile {
            options["mobileEmulation"] = [
                "deviceMetrics": ["width": 390, "height": 844, "pixelRatio": 3.0, "touch": true, "mobile": true],
                "userAgent":
                    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
            ]
        }
        return ["browserName": "chrome", "goog:chromeOptions": options]
    }

    /// SIGKILL (a child of the test process may inherit SIGTERM blocked: chromedriver then
    /// ignores it), then reap. Quit the session first, which ends the browser.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: profile)
    }
}

/// A TCP port nothing listens on now (bound to port 0, read back, released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw WebDriver.Failure(description: "socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw WebDriver.Failure(description: "bind: errno \(errno)") }
    return Int(UInt16(bigEndian: address.sin_port))
}
