public import Foundation
import GRDB
public import Logging

/// Publishes events to an MQTT broker, with retained state topics and Home Assistant discovery,
/// through a durable outbox.
///
/// Per device (``MQTTTopics``): every event goes to `<prefix>/<device>/events` (QoS 1, its
/// canonical JSON); the states Home Assistant shows are retained — food storage in view and
/// the protein deficit (from a `frameAnalysed` event's ``SceneReadings``), the last grocery
/// proposal (from a `groceryNeed` event), the pipeline's health (``publishHealth(_:)``) — and
/// `availability` says `online`, with `offline` as the connection's last will. On each new
/// connection the sink announces itself: the discovery configs (``HomeAssistantDiscovery``),
/// then `online`.
///
/// The outbox is the webhook's design (``WebhookSink``), in a GRDB database of its own:
/// `handle` commits the event (and the state it changes) first, then delivers what waits,
/// oldest first; an event leaves the outbox only when the broker acknowledged it (PUBACK), and
/// the first failure stops the round, so the broker receives events in order. States are kept
/// one per topic, latest value wins, and go out after the events. When the broker cannot be
/// reached, connecting is retried with exponential back-off (``RetryPolicy``); a restart tries
/// at once. A lost connection is never resumed behind the outbox's back (libmosquitto's
/// in-flight messages are dropped with it), so an event is sent again only when its
/// acknowledgement was lost: receivers drop the copy by the event's id.
///
/// At start the sink connects once: a broker that refuses the credentials is an error then
/// (``MQTTError/refused(broker:reason:)``); one that cannot be reached is not (the events wait).
/// `flush` throws ``MQTTUndelivered`` while events wait. Calls block for at most
/// ``MQTTSettings/timeout`` per step: run the sink off Swift's cooperative pool.
public final class MQTTSink: OutboxSink, @unchecked Sendable {
    public let broker: MQTTBroker
    public let settings: MQTTSettings
    public let topics: MQTTTopics
    public let outboxPath: String
    public let retry: RetryPolicy
    public let clientID: String
    public var name: String { "mqtt" }

    private let db: DatabaseQueue
    private let logger: Logger
    private let clock: @Sendable () -> Date
    private let busyTimeout: Double = 5
    private let lock = NSLock()
    private var connection: MQTTConnection?
    private var failures = 0
    private var nextConnect = Date.distantPast
    private var lastError: String?
    private var _lastReport = DeliveryReport()

    /// Opens (creating if needed) the outbox, connects and delivers what an earlier run left.
    /// - Parameters:
    ///   - outboxPath: nil: ``MQTTSettings/outbox``, else `mqtt-outbox.sqlite` in the data folder.
    ///   - clock: the time back-off is measured in (injectable for tests).
    public init(
        broker: MQTTBroker, settings: MQTTSettings = MQTTSettings(), outboxPath: String? = nil, retry: RetryPolicy = RetryPolicy(),
        logger: Logger = Logger(label: "sightline.mqtt"), clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        try settings.validate()
        self.broker = broker
        self.settings = settings
        self.retry = retry
        self.logger = logger
        self.clock = clock
        topics = MQTTTopics(settings)
        // One client id per process: two programs of the same device (the service and a replay)
        // must not take each other's connection over.
        clientID = settings.clientID ?? "sightline-\(topics.device)-\(getpid())"
        let path = outboxPath ?? settings.outbox ?? ActionPaths.mqttOutbox()
        self.outboxPath = path
        db = try Store.openMigrated(path: path, busyTimeout: busyTimeout, what: "the MQTT outbox", migrator: Self.migrator)
        lock.lock()
        do { try connectLocked() } catch {
            if case .refused = error {
                lock.unlock()
                throw error
            }
            noteFailure(error.description, at: clock())
        }
        lock.unlock()
        try deliverDue()
    }

    deinit { close() }

    static var migrator: DatabaseMigrator {
        Store.migrator("v1: outbox", sql: """
            CREATE TABLE outbox (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                eventID TEXT NOT NULL UNIQUE,
                topic TEXT NOT NULL,
                payload BLOB NOT NULL,
                enqueued REAL NOT NULL      -- Unix time (seconds)
            );
            CREATE TABLE state (
                topic TEXT PRIMARY KEY,
                payload BLOB NOT NULL,
                updated REAL NOT NULL,      -- Unix time (seconds)
                published INTEGER NOT NULL  -- 1 once the broker acknowledged this payload
            );
            """)
    }

    /// The outcome of the latest delivery attempt.
    public var lastReport: DeliveryReport { lock.withLock { _lastReport } }

    /// Events in the outbox after the latest delivery attempt.
    public var backlog: Int? { lastReport.pending }

    /// Whether the broker accepted the current connection and it has not been lost.
    public var isConnected: Bool { lock.withLock { connection?.isConnected ?? false } }

    /// Commits `event` to the outbox, with the states it changes, then delivers what is due.
    /// Throws only when the outbox cannot be written.
    public func handle(_ event: SightlineEvent) throws {
        let body = try event.jsonLine()
        var states: [(topic: String, payload: [UInt8])] = []
        if let r = event.readings {
            states.append((topics.foodStorage, Array((r.foodStorageInView ? "ON" : "OFF").utf8)))
            if let grams = r.proteinDeficitGrams { states.append((topics.proteinDeficit, Array(String(format: "%.1f", grams).utf8))) }
        }
        if let g = event.grocery {
            let proposal: [String: Any] = [
                "item": g.item, "quantity": g.quantity, "unit": g.unit, "reason": g.reason, "needKey": g.needKey,
                "time": SightlineEvent.formatTime(event.time),
            ]
            states.append((topics.groceryProposal, [UInt8](try JSONSerialization.data(withJSONObject: proposal, options: [.sortedKeys]))))
        }
        let now = clock().timeIntervalSince1970
        try Store.run(path: outboxPath, operation: "add event \(event.id) to the MQTT outbox", busyTimeout: busyTimeout) {
            try db.write { db in
                try db.execute(
                    sql: "INSERT OR IGNORE INTO outbox (eventID, topic, payload, enqueued) VALUES (?, ?, ?, ?)",
                    arguments: [event.id, topics.events, Data(body), now])
                for s in states { try Self.setState(db, s.topic, s.payload, now) }
            }
        }
        try deliverDue()
    }

    /// Sets the retained health topic (a JSON object with a `state` field) and delivers.
    public func publishHealth(_ payload: [UInt8]) throws(StoreError) {
        let now = clock().timeIntervalSince1970
        try Store.run(path: outboxPath, operation: "keep the health state in the MQTT outbox", busyTimeout: busyTimeout) {
            try db.write { db in try Self.setState(db, topics.health, payload, now) }
        }
        try deliverDue()
    }

    /// A state changes (and waits to be published) only when its payload does.
    private static func setState(_ db: Database, _ topic: String, _ payload: [UInt8], _ now: Double) throws {
        try db.execute(
            sql: """
                INSERT INTO state (topic, payload, updated, published) VALUES (?, ?, ?, 0)
                ON CONFLICT(topic) DO UPDATE SET payload = excluded.payload, updated = excluded.updated, published = 0
                WHERE payload != excluded.payload
                """,
            arguments: [topic, Data(payload), now])
    }

    /// Delivers what waits: connects if the back-off allows, then the events oldest first, then
    /// the states that changed. Stops at the first failure.
    @discardableResult
    public func deliverDue() throws(StoreError) -> DeliveryReport {
        lock.lock()
        defer { lock.unlock() }
        do {
            var report = DeliveryReport()
            let op = "deliver from the MQTT outbox"
            let (path, busyTimeout) = (outboxPath, busyTimeout)
            if let c = connectedLocked(at: clock()) {
                var failed = false
                for _ in 0..<10_000 {  // bounded: one call cannot run forever
                    let head = try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                        try db.read { db in try Row.fetchOne(db, sql: "SELECT seq, topic, payload FROM outbox ORDER BY seq LIMIT 1") }
                    }
                    guard let head else { break }
                    let seq: Int64 = head["seq"], topic: String = head["topic"], payload: Data = head["payload"]
                    do { try c.publish(topic: topic, payload: [UInt8](payload), retain: false, timeout: settings.timeout) } catch {
                        connectionFailed(error.description)
                        failed = true
                        break
                    }
                    try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                        try db.write { db in try db.execute(sql: "DELETE FROM outbox WHERE seq = ?", arguments: [seq]) }
                    }
                    report.delivered += 1
                }
                if !failed { try publishStatesLocked(c) }
            }
            report.pending = try Store.run(path: path, operation: op, busyTimeout: busyTimeout) {
                try db.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0 }
            }
            if report.pending > 0 {
                report.lastError = lastError
                report.nextAttempt = connection == nil ? nextConnect : nil
            }
            _lastReport = report
            return report
        }
    }

    private func publishStatesLocked(_ c: MQTTConnection) throws(StoreError) {
        let op = "publish the MQTT states"
        let states = try Store.run(path: outboxPath, operation: op, busyTimeout: busyTimeout) {
            try db.read { db in try Row.fetchAll(db, sql: "SELECT topic, payload FROM state WHERE published = 0 ORDER BY topic") }
        }
        for row in states {
            let topic: String = row["topic"], payload: Data = row["payload"]
            do { try c.publish(topic: topic, payload: [UInt8](payload), retain: true, timeout: settings.timeout) } catch {
                connectionFailed(error.description)
                return
            }
            try Store.run(path: outboxPath, operation: op, busyTimeout: busyTimeout) {
                try db.write { db in
                    try db.execute(sql: "UPDATE state SET published = 1 WHERE topic = ? AND payload = ?", arguments: [topic, payload])
                }
            }
        }
    }

    /// The live connection, connecting first when there is none and the back-off allows.
    private func connectedLocked(at now: Date) -> MQTTConnection? {
        if let c = connection, c.isConnected { return c }
        if let c = connection { connectionFailed(c.lastError.isEmpty ? "connection lost" : c.lastError) }
        guard now >= nextConnect else { return nil }
        do {
            try connectLocked()
            return connection
        } catch {
            noteFailure(error.description, at: now)
            return nil
        }
    }

    /// Connects and announces: the discovery configs, then `online` (all retained).
    private func connectLocked() throws(MQTTError) {
        let c = try MQTTConnection(
            broker: broker, clientID: clientID,
            will: MQTTConnection.Will(topic: topics.availability, payload: Array("offline".utf8), retain: true), caFile: settings.caFile,
            keepalive: settings.keepalive, timeout: settings.timeout)
        if settings.discovery {
            for config in HomeAssistantDiscovery.configs(for: topics) {
                try c.publish(topic: config.topic, payload: config.payload, retain: true, timeout: settings.timeout)
            }
        }
        try c.publish(topic: topics.availability, payload: Array("online".utf8), retain: true, timeout: settings.timeout)
        if failures > 0 { logger.info("connected to \(broker) again; sending what waited in \(outboxPath)") }
        connection = c
        failures = 0
        lastError = nil
        nextConnect = .distantPast
    }

    private func connectionFailed(_ reason: String) {
        connection?.close(timeout: 0.2)
        connection = nil
        noteFailure(reason, at: clock())
    }

    private func noteFailure(_ reason: String, at now: Date) {
        failures += 1
        lastError = reason
        nextConnect = now.addingTimeInterval(retry.delay(afterFailures: failures))
        if failures == 1 {
            logger.warning("\(reason); events wait in the outbox \(outboxPath) and go out when the broker is back")
        }
    }

    public var deliveryClock: @Sendable () -> Date { clock }

    /// ``MQTTUndelivered``: events remain (they stay in the outbox).
    public func undelivered(_ report: DeliveryReport) -> any DeferredDelivery {
        MQTTUndelivered(pending: report.pending, outbox: outboxPath, broker: broker.description, lastError: report.lastError)
    }

    /// Events waiting in the outbox, and states not yet published.
    public func counts() throws(StoreError) -> (pending: Int, unpublishedStates: Int) {
        try Store.run(path: outboxPath, operation: "read the MQTT outbox", busyTimeout: busyTimeout) {
            try db.read { db in
                (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM outbox") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM state WHERE published = 0") ?? 0
                )
            }
        }
    }

    /// Says `offline` (retained) and disconnects cleanly, so the broker does not send the will.
    /// The next delivery connects again.
    public func close() {
        lock.withLock {
            guard let c = connection else { return }
            connection = nil
            if c.isConnected {
                try? c.publish(topic: topics.availability, payload: Array("offline".utf8), retain: true, timeout: settings.timeout)
            }
            c.close()
        }
    }
}
