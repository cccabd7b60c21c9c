// A real MQTT broker for the tests: Debian's mosquitto (scripts/setup installs it), started on
// 127.0.0.1 with a free port, stopped (gracefully, so its persistence is saved) and started
// again on the same port; and mosquitto_sub to read back what was published.
public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A port on 127.0.0.1 that nothing listens on (bound, read, released).
public func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw ReferenceError(message: "socket: \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
    let named = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    guard bound == 0, named == 0 else { throw ReferenceError(message: "bind: \(String(cString: strerror(errno)))") }
    return Int(UInt16(bigEndian: addr.sin_port))
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
public func listening(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = UInt16(port).bigEndian
    let len = socklen_t(MemoryLayout<sockaddr_in>.size)
    return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, len) } } == 0
}

/// Tests/SightlineTestSupport/supervise.py, which starts a program with a clean signal mask and
/// no inherited descriptors (and, to supervise it, stops it when the test process goes away).
let superviseScript = Reference.repoRoot + "/Tests/SightlineTestSupport/supervise.py"

/// Runs a program to completion with a clean signal mask (see supervise.py).
public func runClean(_ executable: String, _ args: [String]) throws -> (status: Int32, out: String, err: String) {
    try run("/usr/bin/python3", [superviseScript, "exec", executable] + args)
}

/// Starts `executable` under supervise.py: SIGTERM to the returned process stops it, and it
/// stops when the test process goes away.
func supervised(_ executable: String, _ args: [String], output: Any = FileHandle.nullDevice) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    p.arguments = [superviseScript, "supervise", executable] + args
    p.standardInput = FileHandle.nullDevice
    p.standardOutput = output
    p.standardError = FileHandle.nullDevice
    try p.run()
    return p
}

/// Certificate files for a TLS listener: a CA, and a server certificate it signed for
/// 127.0.0.1 (made with Debian's openssl).
public struct TLSFiles: Sendable {
    public var ca: String
    public var certificate: String
    public var key: String

    /// Makes a fresh CA and server certificate in `dir`.
    public static func make(in dir: String) throws -> TLSFiles {
        let files = TLSFiles(ca: dir + "/ca.pem", certificate: dir + "/server.pem", key: dir + "/server.key")
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Sightline test CA", "-keyout", dir + "/ca.key",
                "-out", files.ca,
            ],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", files.key, "-out", dir + "/server.csr"],
            [
                "x509", "-req", "-in", dir + "/server.csr", "-CA", files.ca, "-CAkey", dir + "/ca.key", "-CAcreateserial", "-days", "2",
                "-extfile", dir + "/san.cnf", "-out", files.certificate,
            ],
        ]
        try "subjectAltName = IP:127.0.0.1\n".write(toFile: dir + "/san.cnf", atomically: true, encoding: .utf8)
        for args in steps {
            let r = try runClean("/usr/bin/openssl", args)
            guard r.status == 0 else { throw ReferenceError(message: "openssl \(args[0]) failed: \(r.err)") }
        }
        return files
    }
}

/// One mosquitto broker on 127.0.0.1, under supervise.py (it never outlives the test process).
public final class Mosquitto: @unchecked Sendable {
    public let port: Int
    public let dir: String
    /// `mqtt://127.0.0.1:PORT` (`mqtts://` with TLS).
    public let url: String
    private let config: String
    private var process: Process?

    /// Whether Debian's mosquitto and its clients are installed.
    public static var installed: Bool {
        ["/usr/sbin/mosquitto", "/usr/bin/mosquitto_sub", "/usr/bin/mosquitto_passwd"].allSatisfy {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    /// Starts a broker whose files (configuration, persistence, log) are in `dir`. `users`
    /// (name → password) turns anonymous access off; `tls` makes the listener TLS.
    public init(dir: String, users: [String: String] = [:], tls: TLSFiles? = nil) throws {
        self.dir = dir
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var lines = [
            "allow_anonymous \(users.isEmpty)", "persistence true", "persistence_location \(dir)/", "autosave_interval 1",
            "log_dest file \(dir)/mosquitto.log", "log_type all",
            // Run as whoever runs the tests (mosquitto started as root would switch to a user
            // that cannot write the test's folder).
            "user \(String(cString: getpwuid(geteuid()).pointee.pw_name))",
        ]
        if !users.isEmpty {
            _ = FileManager.default.createFile(atPath: dir + "/passwords", contents: nil)
            for (user, password) in users.sorted(by: { $0.key < $1.key }) {
                let r = try runClean("/usr/bin/mosquitto_passwd", ["-b", dir + "/passwords", user, password])
                guard r.status == 0 else { throw ReferenceError(message: "mosquitto_passwd: \(r.err)") }
            }
            lines.append("password_file \(dir)/passwords")
        }
        if let tls { lines += ["cafile \(tls.ca)", "certfile \(tls.certificate)", "keyfile \(tls.key)"] }
        config = dir + "/mosquitto.conf"
        var started: (port: Int, process: Process)?
        for _ in 0..<5 where started == nil {
            let candidate = try freePort()
            try (["listener \(candidate) 127.0.0.1"] + lines).joined(separator: "\n").appending("\n").write(
                toFile: config, atomically: true, encoding: .utf8)
            if let process = try? Self.launch(config: config, port: candidate) { started = (candidate, process) }
        }
        guard let started else { throw ReferenceError(message: "mosquitto did not start; see \(dir)/mosquitto.log") }
        (port, process) = (started.port, started.process)
        url = (tls == nil ? "mqtt" : "mqtts") + "://127.0.0.1:\(port)"
    }

    private static func launch(config: String, port: Int) throws -> Process {
        let p = try supervised("/usr/sbin/mosquitto", ["-c", config])
        let deadline = Date().addingTimeInterval(10)
        while !listening(port: port), Date() < deadline, p.isRunning { usleep(20_000) }
        guard listening(port: port) else {
            if p.isRunning { p.terminate() }
            p.waitUntilExit()
            throw ReferenceError(message: "mosquitto did not listen on \(port)")
        }
        return p
    }

    /// Starts the broker again, on the same port, with what it saved.
    public func start() throws {
        guard process == nil else { return }
        process = try Self.launch(config: config, port: port)
    }

    /// Stops the broker (SIGTERM: it saves its persistence and closes every connection).
    public func stop() {
        guard let process else { return }
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        self.process = nil
    }

    deinit { stop() }

    /// The options mosquitto_sub and mosquitto_pub need to reach this broker.
    public func clientArguments(user: String? = nil, password: String? = nil, ca: String? = nil) -> [String] {
        ["-h", "127.0.0.1", "-p", String(port)] + (user.map { ["-u", $0] } ?? []) + (password.map { ["-P", $0] } ?? [])
            + (ca.map { ["--cafile", $0] } ?? [])
    }

    /// The retained messages under `filters` (topic → payload), read by a fresh mosquitto_sub.
    public func retained(_ filters: [String], user: String? = nil, password: String? = nil, ca: String? = nil) throws -> [String: String] {
        let r = try runClean(
            "/usr/bin/mosquitto_sub",
            clientArguments(user: user, password: password, ca: ca) + filters.flatMap { ["-t", $0] } + ["-v", "--retained-only", "-W", "2"])
        var found: [String: String] = [:]
        for line in r.out.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            found[String(line[..<space])] = String(line[space...].dropFirst())
        }
        return found
    }
}

/// A mosquitto_sub process that keeps listening (a persistent session: QoS 1, no clean session,
/// so what is published while it is away is kept for it), collecting `topic payload` lines.
public final class Subscriber: @unchecked Sendable {
    private let process: Process
    private let output = Pipe()
    private let lock = NSLock()
    private var buffer = Data()

    public init(_ broker: Mosquitto, topic: String, id: String = "sightline-test-\(UUID().uuidString.prefix(8))") throws {
        process = try supervised(
            "/usr/bin/mosquitto_sub", broker.clientArguments() + ["-t", topic, "-q", "1", "-c", "-i", id, "-v"], output: output)
        output.fileHandleForReading.readabilityHandler = { [lock, weak self] handle in
            let data = handle.availableData
            lock.withLock { self?.buffer.append(data) }
        }
        // Subscribed once the broker has the session.
        usleep(500_000)
    }

    /// The `(topic, payload)` lines so far.
    public var messages: [(topic: String, payload: String)] {
        let text = lock.withLock { String(decoding: buffer, as: UTF8.self) }
        return text.split(separator: "\n").compactMap { line -> (topic: String, payload: String)? in
            guard let space = line.firstIndex(of: " ") else { return nil }
            return (String(line[..<space]), String(line[space...].dropFirst()))
        }
    }

    /// Waits until `count` messages arrived or `timeout` seconds passed.
    @discardableResult
    public func wait(for count: Int, timeout: Double = 20) -> [(topic: String, payload: String)] {
        let deadline = Date().addingTimeInterval(timeout)
        while messages.count < count, Date() < deadline { usleep(50_000) }
        return messages
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        output.fileHandleForReading.readabilityHandler = nil
    }

    deinit { stop() }
}
