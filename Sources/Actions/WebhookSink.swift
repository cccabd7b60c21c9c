internal import CHTTP
public import Foundation
import GRDB

/// How the webhook sink retries: exponential back-off, bounded.
public struct RetryPolicy: Sendable, Equatable {
    /// Wait after the first failure (seconds).
    public var initialDelay: Double
    /// Each further failure multiplies the wait by this.
    public var multiplier: Double
    /// The wait never exceeds this (seconds).
    public var maxDelay: Double
    /// With jitter, the wait is drawn uniformly from [delay/2, delay] so that many devices coming
    /// back online do not retry in step. Off in tests, for determinism.
    public var jitter: Bool

    public init(initialDelay: Double = 1, multiplier: Double = 2, maxDelay: Double = 300, jitter: Bool = true) {
        (self.initialDelay, self.multiplier, self.maxDelay, self.jitter) = (initialDelay, multiplier, maxDelay, jitter)
    }

    /// The wait after `failures` consecutive failures (1 = the first).
    public func delay(afterFailures failures: Int) -> Double {
        let exponent = Double(max(0, failures - 1))
        let base = min(maxDelay, initialDelay * pow(multiplier, min(exponent, 64)))
        return jitter ? Double.random(in: (base / 2)...base) : base
    }
}

/// What happened to the outbox in one delivery attempt.
public struct DeliveryReport: Sendable, Equatable {
    /// Events the server accepted (2xx) and that left the outbox.
    public var delivered = 0
    /// Events the server refused for good (4xx other than 408 and 429, and redirects, which are
    /// not followed), moved to the dead-letter table (kept, not lost).
    public var deadLettered = 0
    /// Events still waiting.
    public var pending = 0
    /// Why the head of the outbox is still there (nil when the outbox is empty).
    public var lastError: String?
    /// When the head will next be tried (nil when the outbox is empty).
    public var nextAttempt: Date?
}

extension DeliveryReport {
    /// Calls `deliver` until nothing is pending or `timeout` seconds (real time) have passed,
    /// waiting out the back-off (``nextAttempt``, in `clock`'s time) between rounds; returns the
    /// last report. The outbox sinks' `drain`.
    static func draining(
        timeout: Double, clock: () -> Date, deliver: () throws(StoreError) -> DeliveryReport
    ) throws(StoreError) -> DeliveryReport {
        let deadline = Date().addingTimeInterval(timeout)
        var report = try deliver()
        while report.pending > 0 {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            let wait = report.nextAttempt.map { max(0.01, $0.timeIntervalSince(clock())) } ?? 0.05
            Thread.sleep(forTimeInterval: min(wait, remaining))
            report = try deliver()
        }
        return report
    }
}

/// Why the webhook sink could not do its job.
public enum WebhookError: DeferredDelivery, CustomStringConvertible {
    /// `flush` finished with events still in the outbox (they stay there and are sent later).
    case undelivered(pending: Int, outbox: String, url: String, lastError: String?)

    public var description: String {
        switch self {
        case let .undelivered(pending, outbox, url, lastError):
            return "\(pending) event(s) not yet delivered to \(url)"
                + (lastError.map { " (\($0))" } ?? "")
                + "; they wait in the outbox \(outbox) and are sent on the next attempt"
        }
    }

    public var pending: Int {
        switch self {
        case let .undelivered(pending, _, _, _): return pending
        }
    }

    public var outbox: String {
        switch self {
        case let .undelivered(_, outbox, _, _): return outbox
        }
    }
}

/// POSTs events as JSON to a URL, through a durable outbox.
///
/// `handle` first commits the event to the outbox (a GRDB table in its own SQLite file), then
/// tries to deliver whatever is due, oldest first. An event leaves the outbox only when the
/// server answered 2xx. A failure (connection refused, timeout, 5xx, 408, 429) keeps it at the
/// head and schedules the next try with exponential back-off (``RetryPolicy``); until then the
/// events behind it wait, so the server receives them in order. A 4xx refusal is permanent: the
/// event moves to the `deadLetter` table and the queue moves on.
///
/// Delivery is attempted at start-up (pending events of an earlier run go first, at once,
/// whatever back-off that run had scheduled), on every `handle` and on `flush`. Each request carries the event id as `Idempotency-Key` (and in the
/// body), so a receiver can drop the copy it gets when a response was lost and the event was
/// sent again.
///
/// Requests are synchronous (the calling thread waits, at most ``requestTimeout`` per request);
/// run the sink off Swift's cooperative pool.
public final class WebhookSink: OutboxSink, @unchecked Sendable {
    public let url: URL
    public let outboxPath: String
    public let retry: RetryPolicy
    public let requestTimeout: Double
    public let busyTimeout: Double
    /// Which kinds of event are sent (nil: all).
    public let kinds: Set<SightlineEvent.Kind>?
    public var name: String { "webhook" }

    private let db: DatabaseQueue
    /// libcurl behind a plain C API (CHTTP), opened on the first POST: FoundationNetworking's
    /// URLSession would load libcurl and its TLS stack into every Sightline process (about 4 MB
    /// resident, docs/detection.md), webhook or not. Used under `lock`, one POST at a time.
    private let client: OpaquePointer
    private let clock: @Sendable () -> Date
    private let lock = NSLock()
    private var _lastReport = DeliveryReport()

    /// Opens (creating if needed) the outbox at `outboxPath` and, with `deliverOnStart`,
    /// delivers what an earlier run left in it.
    /// - Parameter clock: the time back-off is measured in (injectable for tests).
    public init(
        url: URL, outboxPath: String, retry: RetryPolicy = RetryPolicy(), requestTimeout: Double = 10,
        kinds: Set<SightlineEvent.Kind>? = nil, busyTimeout: Double = 5, deliverOnStart: Bool = true,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) throws(StoreError) {
        if let problem = Self.problem(with: url.absoluteString) {
            throw StoreError(path: outboxPath, operation: "open the webhook outbox", reason: .invalidInput, detail: problem)
        }
        self.url = url
        self.outboxPath = outboxPath
        self.retry = retry
        self.requestTimeout = requestTimeout
        self.kinds = kinds
        self.busyTimeout = busyTimeout
        self.clock = clock
        let queue = try Store.openMigrated(path: outboxPath, busyTimeout: busyTimeout, what: "the webhook outbox", migrator: Self.migrator)
        db = queue
        guard let client = sl_http_new() else {
            throw StoreError(path: outboxPath, operation: "open the webhook sink", reason: .invalidInput, detail: "out of memory")
        }
        self.client = client
        if deliverOnStart {
            // A restart is a moment to try again at once: the back-off an earlier run scheduled
            // (perhaps an hour) is cut short, its count of attempts kept.
            let now = clock()
            try Store.run(path: outboxPath, operation: "open the webhook outbox", busyTimeout: busyTimeout) {
                try queue.write { db in
                    try db.execute(
                        sql: "UPDATE outbox SET nextAttempt = ? WHERE nextAttempt > ?",
                        arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970])
                }
            }
            _ = try? deliverDue()
        }
    }

    deinit { sl_http_free(client) }

    /// What is wrong with `text` as a webhook URL (nil: nothing): it must be `http` or `https`,
    /// with a host, and a port (if any) between 1 and 65535. Anything else could never be
    /// delivered to, and its events would wait in the outbox forever.
    public static func problem(with text: String) -> String? {
        guard let c = URLComponents(string: text), let scheme = c.scheme?.lowercased() else {
            return "webhook URL '\(text)' is not a URL (expected http://HOST[:PORT]/PATH)"
        }
        guard scheme == "http" || scheme == "https" else {
            return "webhook URL '\(text)' has scheme '\(scheme)'; only http and https can be posted to"
        }
        guard let host = c.host, !host.isEmpty else { return "webhook URL '\(text)' names no host" }
        if let port = c.port, !(1...65535).contains(port) {
            return "webhook URL '\(text)' has port \(port); ports are 1 to 65535"
        }
        guard URL(string: text) != nil else { return "webhook URL '\(text)' is not a URL" }
        return nil
    }

    static var migrator: DatabaseMigrator {
        Store.migrator("v1: outbox", sql: """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                eventID TEXT NOT NULL UNIQUE,
                body BLOB NOT NULL,
                enqueued REAL NOT NULL,     -- Unix time (seconds)
                attempts INTEGER NOT NULL DEFAULT 0,
                nextAttempt REAL NOT NULL,  -- Unix time (seconds)
                lastError TEXT
            );
            CREATE TABLE deadLetter (
                seq INTEGER PRIMARY KEY,
                eventID TEXT NOT NULL,
                body BLOB NOT NULL,
                enqueued REAL NOT NULL,
                attempts INTEGER NOT NULL,
                status INTEGER NOT NULL,
                response TEXT,
                movedAt REAL NOT NULL
            );
            """)
    }

    /// Events in the outbox after the latest delivery attempt.
    public var backlog: Int? { lastReport.pending }

    /// The outcome of the latest delivery attempt.
    public var lastReport: DeliveryReport {
        lock.lock()
        defer { lock.unlock() }
        return _lastReport
    }

    /// Commits `event` to the outbox (an event already waiting there is not added twice), then
    /// delivers what is due. Throws only when the outbox cannot be written.
    public func handle(_ event: SightlineEvent) throws {
        if let kinds, !kinds.contains(event.kind) { return }
        try enqueue(event)
        _ = try deliverDue()
    }

    /// Adds `event` to the outbox without trying to send it.
    public func enqueue(_ event: SightlineEvent) throws {
        let body = Data(try event.jsonLine())
        let now = clock().timeIntervalSince1970
        try Store.run(path: outboxPath, operation: "add event \(event.id) to the webhook outbox", busyTimeout: busyTimeout) {
            try db.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO outbox (eventID, body, enqueued, nextAttempt) VALUES (?, ?, ?, ?)",
                    arguments: [event.id, body, now, now])
            }
        }
    }

    /// Delivers due events, oldest first, until the outbox is empty or the head fails.
    @discardableResult
    public func deliverDue() throws(StoreError) -> DeliveryReport {
        lock.lock()
        defer { lock.unlock() }
        var report = DeliveryReport()
        let op = "deliver from the webhook outbox"
        let path = outboxPath, busyTimeout = self.busyTimeout
        // Bounded: at most this many requests per call, so one call cannot run forever.
        for _ in 0..<10_000 {
            let head = try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                try db.read { db in try Row.fetchOne(db, sql: "SELECT * FROM outbox ORDER BY seq LIMIT 1") }
            }
            guard let head else { break }
            let now = clock()
            let due = Date(timeIntervalSince1970: head["nextAttempt"])
            if due > now {
                report.lastError = head["lastError"]
                report.nextAttempt = due
                break
            }
            let seq: Int64 = head["seq"], eventID: String = head["eventID"], body: Data = head["body"]
            let attempts: Int = head["attempts"]
            let result = post(body: body, eventID: eventID)
            switch result {
            case .delivered:
                try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                    try db.write { db in try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [seq]) }
                }
                report.delivered += 1
            case .refused(let status, let response):
                try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                    try db.write { db in
                        try db.execute(
                            sql: """
                                INSERT INTO deadLetter (seq, eventID, body, enqueued, attempts, status, response, movedAt)
                                SELECT seq, eventID, body, enqueued, attempts + 1, ?, ?, ? FROM outbox WHERE seq = ?;
                                DELETE FROM outbox WHERE seq = ?
                                """,
                            arguments: [status, response, now.timeIntervalSince1970, seq, seq])
                    }
                }
                report.deadLettered += 1
            case .retry(let message, let retryAfter):
                let failures = attempts + 1
                var wait = retry.delay(afterFailures: failures)
                if let retryAfter { wait = min(retry.maxDelay, max(wait, retryAfter)) }
                let next = now.addingTimeInterval(wait)
                try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                    try db.write { db in
                        try db.execute(
                            sql: "UPDATE outbox SET attempts = ?, nextAttempt = ?, lastError = ? WHERE seq = ?",
                            arguments: [failures, next.timeIntervalSince1970, message, seq])
                    }
                }
                report.lastError = message
                report.nextAttempt = next
            }
            if case .retry = result { break }
        }
        report.pending = try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
            try db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
        }
        if report.pending == 0 {
            report.lastError = nil
            report.nextAttempt = nil
        }
        _lastReport = report
        return report
    }

    public var deliveryClock: @Sendable () -> Date { clock }

    /// ``WebhookError/undelivered(pending:outbox:url:lastError:)``: events remain (they stay in
    /// the outbox).
    public func undelivered(_ report: DeliveryReport) -> any DeferredDelivery {
        WebhookError.undelivered(pending: report.pending, outbox: outboxPath, url: url.absoluteString, lastError: report.lastError)
    }

    /// Events waiting in the outbox, and events moved to the dead-letter table.
    public func counts() throws(StoreError) -> (pending: Int, deadLettered: Int) {
        try Store.run(path: outboxPath, operation: "read the webhook outbox", busyTimeout: busyTimeout) {
            try db.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM deadLetter") ?? 0
                )
            }
        }
    }

    private enum PostResult {
        case delivered
        case refused(status: Int, response: String)
        case retry(String, retryAfter: Double?)
    }

    private func post(body: Data, eventID: String) -> PostResult {
        var response = sl_http_response()
        var err = [CChar](repeating: 0, count: 512)
        let headers = ["Content-Type: application/json", "Idempotency-Key: \(eventID)", "User-Agent: sightline"]
        let timeoutMs = Int32(min(Double(Int32.max), (requestTimeout * 1000).rounded(.up)))
        let outcome = headers.withCStringArray { list in
            body.withUnsafeBytes { bytes in
                sl_http_post(
                    client, url.absoluteString, bytes.baseAddress, bytes.count, list, Int32(list.count), timeoutMs, &response,
                    &err, err.count)
            }
        }
        let why = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(outcome) {
        case Int(SL_HTTP_ANSWERED): break
        case Int(SL_HTTP_TIMEOUT):
            return .retry("POST \(url.absoluteString): no answer within \(requestTimeout) s (\(why))", retryAfter: nil)
        default:
            return .retry("POST \(url.absoluteString): \(why)", retryAfter: nil)
        }
        let status = Int(response.status)
        let text = Self.string(&response.body)
        let retryAfterHeader = Self.string(&response.retry_after), location = Self.string(&response.location)
        switch status {
        case 200..<300:
            return .delivered
        case 408, 429, 500...:
            // Retry-After in seconds, range-checked (a negative, NaN or huge value is ignored; the
            // wait is capped by the retry policy's maximum anyway).
            let retryAfter = Double(retryAfterHeader).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
            return .retry("POST \(url.absoluteString): HTTP \(status)", retryAfter: retryAfter)
        case 400..<500:
            return .refused(status: status, response: text)
        case 300..<400:
            // Not followed (CHTTP): a webhook must answer the POST itself. The
            // event is kept in the dead-letter table with where the server pointed.
            return .refused(
                status: status,
                response: "redirected to \(location.isEmpty ? "(no Location)" : location); redirects are not followed, fix the webhook URL. \(text)")
        default:  // 1xx
            return .retry("POST \(url.absoluteString): unexpected HTTP \(status)", retryAfter: nil)
        }
    }

    /// The text of a NUL-terminated fixed-size C array.
    private static func string<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}

extension Array where Element == String {
    /// Calls `body` with the strings as an array of C strings, valid during the call.
    fileprivate func withCStringArray<R>(_ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        var copies = map { strdup($0) }
        defer { copies.forEach { free($0) } }
        return body(copies.map { UnsafePointer($0) })
    }
}
